"""The built-in reports. Every module here is imported by ``reports.base.load_reports``:
a new report is a new module with a ``Report`` subclass, nothing else to change."""
