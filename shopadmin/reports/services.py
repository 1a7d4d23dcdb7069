"""Running reports: on screen, as a download, or as a background run kept for download."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Access
from shopadmin.core.errors import Forbidden, Invalid, NotFound
from shopadmin.core.jobs import enqueue
from shopadmin.extensions import db
from shopadmin.reports import render
from shopadmin.reports.base import Report, ReportContext, build_context, get_report, serialise_params
from shopadmin.reports.models import ReportRun

FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@dataclass
class ReportResult:
    report: Report
    ctx: ReportContext
    rows: Sequence[Sequence[Any]]
    generated_at: datetime


@dataclass(frozen=True)
class ReportFile:
    filename: str
    mimetype: str
    content: bytes


def inline_limit(fmt: str = "pdf") -> int:
    """Up to this many rows a download is made during the request; above, in the background.

    A PDF takes about 2 ms a row (fpdf2: 10,000 rows in 19 s), a CSV about 4 µs a row
    (docs/performance.md), so a PDF goes to the background much sooner.
    """
    if fmt == "csv":
        return int(current_app.config.get("SHOPADMIN_REPORT_INLINE_CSV_ROWS", 50_000))
    return int(current_app.config.get("SHOPADMIN_REPORT_INLINE_ROWS", 1000))


def prepare(access: Access, key: str, params: Mapping[str, str]) -> tuple[Report, ReportContext]:
    """The report and its parsed parameters (``NotFound``, ``Forbidden``, ``Invalid``)."""
    report = get_report(key)
    # build_context resolves the shop first: outside the scope 404, then the role 403.
    ctx = build_context(access, report, params)
    if not access.can_anywhere(report.permission):
        raise Forbidden(_l("Your role does not allow this."), fields={"permission": str(report.permission)})
    return report, ctx


def run_report(access: Access, key: str, params: Mapping[str, str]) -> ReportResult:
    report, ctx = prepare(access, key, params)
    return ReportResult(report, ctx, list(report.rows(ctx)), datetime.now(UTC))


def render_file(result: ReportResult, fmt: str, progress: render.Progress | None = None) -> ReportFile:
    if fmt not in FORMATS:
        raise Invalid(_l("Unknown format."), fields={"format": ["pdf or csv."]})
    if fmt == "pdf":
        content = render.render_pdf(result.report, result.ctx, result.rows, result.generated_at, progress)
    else:
        content = render.render_csv(result.report, result.rows)
    return ReportFile(render.filename(result.report, result.generated_at, fmt), FORMATS[fmt], content)


def start_run(access: Access, key: str, params: Mapping[str, str], fmt: str) -> ReportRun:
    """Queue a background run (after commit). Parameters are checked now, not in the job."""
    if access.user_id is None:
        raise Forbidden(_l("Only staff users can run reports in the background."))
    if fmt not in FORMATS:
        raise Invalid(_l("Unknown format."), fields={"format": ["pdf or csv."]})
    report, ctx = prepare(access, key, params)
    run = ReportRun(user_id=access.user_id, report=report.key, params=serialise_params(ctx), format=fmt,
                    status="queued", progress=0)
    db.session.add(run)
    db.session.flush()
    from shopadmin.reports.jobs import produce_report

    enqueue(produce_report, run.id)
    return run


def retention() -> timedelta:
    """How long a background run's file is kept after the run finished."""
    return timedelta(days=max(1, int(current_app.config.get("SHOPADMIN_REPORT_RETENTION_DAYS", 7))))


def expire_files(access: Access, *, now: datetime | None = None) -> list[int]:
    """Delete the files of runs that finished more than ``retention()`` before ``now`` and
    mark those runs ``expired``; returns their ids. System access only (``Forbidden``).

    Idempotent and catching up by itself: it looks at ``finished_at``, not at when it ran.
    """
    if not access.is_system:
        raise Forbidden(_l("Only the platform deletes report files."))
    cutoff = (now or datetime.now(UTC)) - retention()
    expired = db.session.scalars(
        sa.update(ReportRun)
        .where(ReportRun.status == "done", ReportRun.finished_at < cutoff)
        .values(status="expired", content=None)
        .returning(ReportRun.id)
    ).all()
    return sorted(expired)


def get_run(access: Access, run_id: int) -> ReportRun:
    """A run of the caller's own (``NotFound`` for anyone else's)."""
    run = db.session.scalars(sa.select(ReportRun).where(ReportRun.id == run_id,
                                                        ReportRun.user_id == access.user_id)).one_or_none()
    if run is None or access.user_id is None:
        raise NotFound(_l("No such report run."))
    return run


def list_runs(access: Access, limit: int = 20) -> list[ReportRun]:
    return list(db.session.scalars(sa.select(ReportRun).where(ReportRun.user_id == access.user_id)
                                   .order_by(ReportRun.id.desc()).limit(limit)))
