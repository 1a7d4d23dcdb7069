"""The background run of a report: rows read with the asking user's access, progress
saved as it goes, the file kept on the run for download; and the periodic job that deletes
files past their retention (``services.expire_files``)."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as, unit_of_work, utcnow
from shopadmin.core.errors import DomainError
from shopadmin.core.jobs import register_periodic
from shopadmin.extensions import db
from shopadmin.reports.models import ReportRun

log = logging.getLogger(__name__)

EXPIRE_EVERY = timedelta(hours=1)


def _save(run_id: int, **values: object) -> None:
    with unit_of_work():
        db.session.execute(sa.update(ReportRun).where(ReportRun.id == run_id).values(**values))


def produce_report(run_id: int) -> None:
    """Idempotent: a run that is already done is left alone (RQ may deliver a job twice)."""
    from shopadmin.reports.services import render_file, run_report
    from shopadmin.staff import services as staff
    from shopadmin.staff.models import User

    with unit_of_work(system_access("reports")):
        run = db.session.get(ReportRun, run_id)
        if run is None or run.status == "done":
            return
        run.status, run.progress, run.error = "running", 1, None
        user = db.session.get(User, run.user_id)
        key, params, fmt = run.report, dict(run.params), run.format
    if user is None:
        return
    access = staff.access_for_user(user)
    try:
        # No request here: the file speaks the language of the user who asked for it.
        with acting_as(access), force_locale(user.locale or "en"):
            result = run_report(access, key, params)
            _save(run_id, progress=20, row_count=len(result.rows))
            step = max(1, len(result.rows) // 20)
            last = [0]

            def progress(done: int, total: int) -> None:
                if done - last[0] >= step or done == total:
                    last[0] = done
                    _save(run_id, progress=20 + int(75 * done / max(total, 1)))

            file = render_file(result, fmt, progress)
            _save(run_id, status="done", progress=100, filename=file.filename, content=file.content,
                  finished_at=utcnow())
    except DomainError as exc:
        with force_locale(user.locale or "en"):  # stored: in the language of the user who reads it
            message = exc.explain()
        _save(run_id, status="failed", error=message, finished_at=utcnow())
    except Exception as exc:
        log.exception("report run %s failed", run_id)
        db.session.rollback()
        _save(run_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:500], finished_at=utcnow())


def expire_files() -> int:
    """Delete report files past their retention; returns how many runs expired."""
    from shopadmin.reports.services import expire_files as expire

    access = system_access("report-retention")
    with unit_of_work(access):
        expired = expire(access)
    if expired:
        log.info("report files deleted after retention: runs %s", expired)
    return len(expired)


def register_periodic_jobs(app: Flask) -> None:
    register_periodic(app, expire_files, every=EXPIRE_EVERY)
