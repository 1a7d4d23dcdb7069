"""``shopadmin notifications sweep``: the outbox sweep, reminders and retention from cron.

With Redis the workers run all of this by themselves (``shopadmin worker``). Without
Redis (inline mode) mail goes out right after each commit, and this command is what
hands out the rest: rows whose delivery failed temporarily (inline mode cannot wait
for a retry), rows left queued by a crashed process, due reminders and escalations,
and bodies past their retention. Run it every minute or two from cron::

    * * * * *  cd /srv/shopadmin && SHOPADMIN_DATABASE_URL=... .venv/bin/shopadmin notifications sweep

It is idempotent: overlapping or repeated runs send nothing twice.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from shopadmin.cli import domain_errors

notifications_cli = click.Group("notifications", help="Email notifications: the outbox and reminders.")


@notifications_cli.command("sweep")
@click.option("--reminders/--no-reminders", default=True, show_default=True,
              help="Also send due reminders and escalate unanswered quotes.")
@with_appcontext
@domain_errors
def sweep_command(reminders: bool) -> None:
    """Hand out queued mail again (inline mode: send it now), then reminders and retention."""
    from shopadmin.notifications.jobs import send_reminders, sweep

    count = sweep()
    click.echo(f"outbox: {count} notifications handed out again")
    if reminders:
        click.echo(f"reminders: {send_reminders()}")
