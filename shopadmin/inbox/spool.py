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
from shopadmin.inbox import parsing

log = logging.getLogger(__name__)


def spool_dir() -> Path:
    configured = current_app.config.get("SHOPADMIN_INBOX_SPOOL")
    return Path(configured) if configured else Path(current_app.instance_path) / "inbox-spool"


def spool(raw: bytes, source: str) -> Path:
    """Write the raw mail atomically; the file name says where it came from."""
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{parsing.digest(raw)}.{source}.eml"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    os.replace(tmp, target)
    return target


def import_spooled() -> int:
    from shopadmin.inbox import services

    folder = spool_dir()
    if not folder.is_dir():
        return 0
    count = 0
    for path in sorted(folder.glob("*.eml")):
        source = path.name.split(".")[1] if path.name.count(".") >= 2 else "spool"
        with unit_of_work(system_access("inbox-spool")):
            services.intake(system_access("inbox-spool"), path.read_bytes(), source=source[:16])
        path.unlink()
        count += 1
    return count
