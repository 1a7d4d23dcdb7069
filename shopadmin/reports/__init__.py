"""Reports as plug-ins: a class with its parameters and a query (see ``base``), shown as a
screen, downloaded as PDF or CSV, run as a background job when large."""
