"""The audit trail: who did what, to which record, on whose behalf."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from shopadmin.core.access import Access
from shopadmin.core.db import Scoped, utcnow
from shopadmin.extensions import UTCDateTime, db


class AuditEntry(Scoped, db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL for platform-wide actions, which only superadmins see.
    shop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    actor: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(32))
    target_id: Mapped[str] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    @classmethod
    def scope_criteria(cls, shop_ids: frozenset[int]) -> ColumnElement[bool]:
        return cls.shop_id.in_(sorted(shop_ids))

    def scope_shop_id(self) -> int | None:
        return self.shop_id


def record(
    access: Access,
    action: str,
    target: Any,
    *,
    shop_id: int | None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the session (flushed with the change it describes)."""
    entry = AuditEntry(
        shop_id=shop_id,
        actor=access.actor,
        user_id=access.user_id,
        operator_id=access.operator_id,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=str(getattr(target, "id", target)),
        details=details,
    )
    db.session.add(entry)
    return entry
