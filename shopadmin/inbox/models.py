"""Inbox messages: the raw mail, kept first, and what the worker made of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from shopadmin.core.db import Scoped, utcnow
from shopadmin.extensions import UTCDateTime, db


class InboxStatus(enum.StrEnum):
    RECEIVED = "received"  # stored, not processed yet (the sweep picks these up)
    APPLIED = "applied"
    REVIEW = "review"
    UNMATCHED = "unmatched"
    REJECTED = "rejected"


class ReviewState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def _enum(kind: type[enum.Enum], name: str, length: int) -> sa.Enum:
    return sa.Enum(kind, name=name, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class InboxMessage(Scoped, db.Model):
    """One received email. ``raw`` is written before anything else happens.

    ``shop_id`` is the shop whose address received it; ``NULL`` when no shop matched (only
    the platform sees those). ``dedupe_key`` (shop + Message-ID) is unique, so a message
    delivered twice is stored and processed once.
    """

    __tablename__ = "inbox_messages"
    __table_args__ = (
        sa.Index("ix_inbox_messages_shop_id_status_id", "shop_id", "status", "id"),
        sa.Index("ix_inbox_messages_status_received_at", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    message_id: Mapped[str] = mapped_column(sa.String(255))
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary)
    raw_sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column()
    source: Mapped[str] = mapped_column(sa.String(16), default="api")
    sender: Mapped[str] = mapped_column(sa.String(254), default="")
    recipient: Mapped[str] = mapped_column(sa.String(254), default="")
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_by: Mapped[str] = mapped_column(sa.String(64), default="")

    status: Mapped[InboxStatus] = mapped_column(_enum(InboxStatus, "inbox_status", 12), default=InboxStatus.RECEIVED)
    # Why it is not applied (a code such as ``stranger``, ``over_limit``, ``malformed``).
    reason: Mapped[str | None] = mapped_column(sa.String(64))
    reason_text: Mapped[str | None] = mapped_column(sa.String(500))
    language: Mapped[str | None] = mapped_column(sa.String(8))
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    # Plain ids: the customers and orders are read and changed through their services only.
    customer_id: Mapped[int | None] = mapped_column(index=True)
    order_id: Mapped[int | None] = mapped_column(index=True)
    draft_order_id: Mapped[int | None] = mapped_column()
    intents: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    review_state: Mapped[ReviewState | None] = mapped_column(_enum(ReviewState, "inbox_review_state", 12))
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(sa.String(1000))

    @classmethod
    def scope_criteria(cls, shop_ids: frozenset[int]) -> ColumnElement[bool]:
        return cls.shop_id.in_(sorted(shop_ids))

    def scope_shop_id(self) -> int | None:
        return self.shop_id

    def __str__(self) -> str:
        return f"#{self.id} {self.subject or self.message_id}"
