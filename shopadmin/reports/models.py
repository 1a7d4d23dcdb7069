"""A report run in the background: its progress, and the file kept for download."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from shopadmin.core.db import utcnow
from shopadmin.core.i18n import register_labels
from shopadmin.extensions import UTCDateTime, db

# expired: the run was done, its file was deleted after the retention period.
RUN_STATUSES = ("queued", "running", "done", "failed", "expired")
register_labels("report_run_status", {"queued": _l("queued"), "running": _l("running"), "done": _l("done"),
                                      "failed": _l("failed"), "expired": _l("expired")})

class ReportRun(db.Model):
    """Belongs to the user who asked (only they see it); the rows were read with their access.

    Not shop-owned: one run may cover several shops. The file lives in the database, so
    any web process can serve what any worker produced; it is deleted
    ``SHOPADMIN_REPORT_RETENTION_DAYS`` after the run finished (``services.expire_files``).
    """

    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    report: Mapped[str] = mapped_column(sa.String(64))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    format: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")  # RUN_STATUSES
    progress: Mapped[int] = mapped_column(default=0)  # percent
    row_count: Mapped[int | None] = mapped_column()
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
