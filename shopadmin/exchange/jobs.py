"""The background import: the stored upload imported with the uploader's access, all or
nothing, progress saved as it goes.

The run's outcome (``done`` with the result, the upload dropped) is written in the same
transaction as the imported rows, so a job that dies half-way leaves the run ``running``
with nothing imported, and a second delivery of the job imports it once. Progress is saved
on a connection of its own (PostgreSQL), so it shows while the import's transaction is
still open; SQLite would wait for that transaction's lock, so there the run shows progress
only when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import force_locale

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as, unit_of_work, utcnow
from shopadmin.core.errors import DomainError
from shopadmin.exchange.models import ImportRun
from shopadmin.extensions import db

log = logging.getLogger(__name__)
PROGRESS_STEPS = 50


def _save(run_id: int, **values: object) -> None:
    with unit_of_work(system_access("imports")):
        db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id).values(**values))


def _progress_saver(run_id: int, total: int) -> Callable[[int], None] | None:
    if db.engine.dialect.name != "postgresql":
        return None
    step = max(1, total // PROGRESS_STEPS)

    def save(done: int) -> None:
        if done % step == 0 or done == total:
            with db.engine.begin() as conn:
                conn.execute(sa.update(ImportRun.__table__).where(ImportRun.__table__.c.id == run_id)
                             .values(rows_done=done))

    return save


def run_import(run_id: int) -> None:
    """Import a stored upload. Idempotent: a finished run is left alone."""
    from shopadmin.exchange.formats import read_records
    from shopadmin.exchange.services import import_records
    from shopadmin.staff import services as staff
    from shopadmin.staff.models import User

    with unit_of_work(system_access("imports")):
        run = db.session.get(ImportRun, run_id)
        if run is None or run.status in ("done", "failed"):
            return
        run.status, run.rows_done, run.error = "running", 0, None
        user = db.session.get(User, run.user_id)
        data, kind, fmt, shop_code, dry_run = run.content, run.kind, run.format, run.shop_code, run.is_dry_run
    if user is None or data is None:
        _save(run_id, status="failed", error="The upload is gone.", content=None, finished_at=utcnow())
        return
    access = staff.access_for_user(user)
    locale = user.locale or "en"
    try:
        # No request here: row errors are kept in the language of the user who uploaded.
        with acting_as(access), force_locale(locale):
            records = read_records(data, fmt)
            progress = _progress_saver(run_id, len(records))
            with unit_of_work(access):
                result = import_records(access, kind, records, shop_code=shop_code, dry_run=dry_run,
                                        progress=progress)
                db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id).values(
                    status="done", rows_done=len(records), row_count=len(records), result=result.summary(),
                    content=None, finished_at=utcnow()))
    except DomainError as exc:
        with force_locale(locale):
            message = exc.explain()
        _save(run_id, status="failed", error=message, content=None, finished_at=utcnow())
    except Exception as exc:
        log.exception("import run %s failed", run_id)
        db.session.rollback()
        _save(run_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:500], content=None,
              finished_at=utcnow())
