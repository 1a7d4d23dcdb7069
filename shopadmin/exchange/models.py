"""An import run in the background: the uploaded file, kept before anything is read, and
what became of it (progress while it runs, the per-row result when done)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from shopadmin.core.db import utcnow
from shopadmin.core.i18n import register_labels
from shopadmin.extensions import UTCDateTime, db

IMPORT_STATUSES = ("queued", "running", "done", "failed")
register_labels("import_run_status", {"queued": _l("queued"), "running": _l("running"), "done": _l("done"),
                                      "failed": _l("failed")})


class ImportRun(db.Model):
    """Belongs to the user who uploaded (only they see it); the rows are imported with their
    access, checked again when the job runs. Not shop-owned: a file may name several shops
    in a ``shop`` column, as on the synchronous path.

    ``content`` holds the upload until the run has finished (then it is dropped: the file
    may hold personal data, and the result says what became of every row). ``result`` is
    ``ImportResult.summary()``: counts, whether anything was written, the rows with errors.
    """

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    shop_code: Mapped[str | None] = mapped_column(sa.String(32))
    format: Mapped[str] = mapped_column(sa.String(8))
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    is_dry_run: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")  # IMPORT_STATUSES
    row_count: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def progress(self) -> int:
        """Percent of the rows tried."""
        if self.status == "done":
            return 100
        return int(100 * self.rows_done / self.row_count) if self.row_count else 0
