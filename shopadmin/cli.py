"""The ``shopadmin`` command: Flask's CLI with the app's own commands.

Commands print a clear error and exit non-zero on bad input (``DomainError`` becomes a
``ClickException``). They act as the platform (``system_access``): whoever can run them
already controls the server.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from redis.exceptions import RedisError

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


def domain_errors(command: F) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(exc.explain(hidden=())) from None

    return wrapper  # type: ignore[return-value]


users_cli = click.Group("users", help="Manage staff users.")


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in email (unique, any case).")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--name", default="", help="Display name.")
@click.option("--superadmin", is_flag=True, help="May see and do everything.")
@click.option("--locale", default=None, help="Screen language: en, de or fr.")
@with_appcontext
@domain_errors
def create_user_command(email: str, password: str, name: str, superadmin: bool, locale: str | None) -> None:
    """Create a staff user."""
    from shopadmin.staff import services

    with unit_of_work(system_access("cli")):
        user = services.create_user(
            system_access("cli"), email=email, password=password, name=name, superadmin=superadmin, locale=locale
        )
        user_id, user_email = user.id, user.email
    click.echo(f"Created user {user_id} <{user_email}>{' (superadmin)' if superadmin else ''}.")


@click.command("demo")
@click.option("--password", default="demo-password", show_default=True, help="Password of every demo login.")
@with_appcontext
@domain_errors
def demo_command(password: str) -> None:
    """Load the demo data set (shops of every kind, staff of every role) and print the logins."""
    from shopadmin.demo import load_demo

    logins = load_demo(password=password)
    click.echo(f"\nDemo logins (password: {password}):")
    width = max(len(email) for email, _ in logins)
    for email, what in logins:
        click.echo(f"  {email.ljust(width)}  {what}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
@click.option("--queue", "queues", multiple=True, help="Queue names (default: all of the app's).")
@with_appcontext
def worker_command(burst: bool, queues: tuple[str, ...]) -> None:
    """Run an RQ worker with its scheduler on the app's queues."""
    from shopadmin.core.jobs import run_worker

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("SHOPADMIN_REDIS_URL"):
        raise click.ClickException(
            "SHOPADMIN_REDIS_URL is not set: without Redis, jobs run inline and no worker is needed."
        )
    try:
        run_worker(app, burst=burst, queues=queues or None)
    except RedisError as exc:
        raise click.ClickException(f"Cannot reach Redis: {exc}") from None


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    from shopadmin.orders.cli import orders_cli

    app.cli.add_command(orders_cli)
    from shopadmin.exchange.cli import export_command, import_command

    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    from shopadmin.inbox.cli import inbox_cli

    app.cli.add_command(inbox_cli)
    from shopadmin.notifications.cli import notifications_cli

    app.cli.add_command(notifications_cli)
    from shopadmin.reports.cli import reports_cli

    app.cli.add_command(reports_cli)


def _create_app() -> Flask:
    from shopadmin.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """shopadmin: the multi-tenant shop admin."""
