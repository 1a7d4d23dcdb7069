"""``shopadmin inbox import PATH`` (a .eml file, an mbox, a Maildir), ``inbox poll`` (IMAP) and ``inbox sweep``."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path

import click
from flask.cli import with_appcontext

from shopadmin.cli import domain_errors
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work

inbox_cli = click.Group("inbox", help="The inbox worker: customer emails.")


def raw_messages(path: Path) -> Iterator[bytes]:
    """Each message's bytes: a Maildir, a folder of .eml files, an mbox, or one .eml file."""
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            maildir = mailbox.Maildir(str(path), create=False)
            for key in maildir.iterkeys():
                yield maildir.get_bytes(key)
            return
        for item in sorted(path.glob("*.eml")):
            yield item.read_bytes()
        return
    head = path.read_bytes()[:5]
    if head.startswith(b"From "):
        box = mailbox.mbox(str(path), create=False)
        try:
            for key in box.iterkeys():
                yield box.get_bytes(key)
        finally:
            box.close()
        return
    yield path.read_bytes()


@inbox_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--shop", "shop_code", default=None, help="File every message under this shop (default: by address).")
@with_appcontext
@domain_errors
def import_command(path: Path, shop_code: str | None) -> None:
    """Store and process the messages in PATH (a .eml file, an mbox or a Maildir)."""
    from shopadmin.inbox import services

    access = system_access("cli")
    stored = duplicates = 0
    ids: list[int] = []
    try:
        for raw in raw_messages(path):
            with unit_of_work(access):
                message, created = services.intake(access, raw, source="cli", shop_code=shop_code)
                ids.append(message.id)
            stored += created
            duplicates += not created
    except (OSError, mailbox.Error) as exc:
        raise click.ClickException(f"Cannot read {path}: {exc}") from None
    with unit_of_work(access):
        counts: dict[str, int] = {}
        for message_id in ids:
            status = services.stored_message(message_id).status.value
            counts[status] = counts.get(status, 0) + 1
    summary = ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "nothing"
    click.echo(f"Stored {stored} message(s), {duplicates} duplicate(s) ignored: {summary}.")


@inbox_cli.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Process stored messages that were not processed yet (after an outage)."""
    from shopadmin.inbox import spool
    from shopadmin.inbox.jobs import sweep

    stored = spool.import_spooled()
    click.echo(f"Stored {stored} message(s) kept on disk; processed {sweep(older_than_seconds=0)} message(s).")


@inbox_cli.command("poll")
@with_appcontext
def poll_command() -> None:
    """Fetch new mail from the IMAP mailbox once (SHOPADMIN_INBOX_IMAP_URL), store and process it."""
    from shopadmin.inbox.imap import ImapError, poll

    try:
        result = poll()
    except (ImapError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Fetched {result.fetched} message(s): {result.stored} stored, {result.duplicates} duplicate(s) "
               f"ignored, {result.spooled} kept on disk (database unavailable).")
