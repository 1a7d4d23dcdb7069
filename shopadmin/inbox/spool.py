"""Keeping a message when the database is away: a file per message, imported by the sweep.

Intake writes the raw bytes to ``SHOPADMIN_INBOX_SPOOL`` (default: ``inbox-spool`` in the
instance folder) when it cannot store them; the sweep stores them once the database is
back (Message-ID keeps a message that was also retried by its sender from counting twice).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from flask import current_app

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import DomainError
from shopadmin.inbox import parsing

log = logging.getLogger(__name__)


def spool_dir() -> Path:
    configured = current_app.config.get("SHOPADMIN_INBOX_SPOOL")
    return Path(configured) if configured else Path(current_app.instance_path) / "inbox-spool"


def spool(raw: bytes, source: str) -> Path:
    """Write the raw mail atomically and durably; the file name says where it came from."""
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{parsing.digest(raw)}.{source}.eml"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return target


def spooled() -> list[Path]:
    folder = spool_dir()
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def import_spooled() -> int:
    """Store each spooled mail (intake processes it after the commit), then delete its file.

    A crash between the commit and the delete leaves the file; the next run finds its
    Message-ID stored and only deletes it. A file intake refuses (empty) is renamed
    ``.refused`` and left for a person, so it never blocks the files after it.
    """
    from shopadmin.inbox import services

    count = 0
    for path in spooled():
        source = path.name.split(".")[1] if path.name.count(".") >= 2 else "spool"
        access = system_access("inbox-spool")
        try:
            with unit_of_work(access):
                services.intake(access, path.read_bytes(), source=source[:16])
        except DomainError as exc:
            log.error("inbox spool: %s refused (%s); renamed .refused", path.name, exc.message)
            path.rename(path.with_suffix(".refused"))
            continue
        path.unlink()
        count += 1
    return count
