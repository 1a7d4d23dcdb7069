"""``shopadmin reports expire-files``: delete background report files past their retention."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from shopadmin.core.access import system_access
from shopadmin.core.cli import now_option
from shopadmin.core.db import unit_of_work

reports_cli = click.Group("reports", help="Reports: scheduled work on background runs.")


@reports_cli.command("expire-files")
@now_option("Judge age as of this moment (with an offset), instead of the current time.")
@with_appcontext
def expire_files_command(now: datetime | None) -> None:
    """Delete report files older than SHOPADMIN_REPORT_RETENTION_DAYS and mark their runs
    expired (with Redis, a periodic job does this every hour)."""
    from shopadmin.reports import services

    access = system_access("report-retention")
    with unit_of_work(access):
        expired = services.expire_files(access, now=now)
    days = services.retention().days
    click.echo(f"Deleted the files of {len(expired)} report runs older than {days} days"
               + (f": {', '.join(map(str, expired))}." if expired else "."))
