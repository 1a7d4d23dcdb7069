"""Cross-cutting parts every domain uses: access, scoping, unit of work, jobs, errors."""
