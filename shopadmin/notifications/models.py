"""The outbox (one row per recipient), staff-edited templates and per-shop settings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopadmin.core.db import ShopOwned, utcnow
from shopadmin.core.i18n import register_labels
from shopadmin.extensions import UTCDateTime, db
from shopadmin.tenants.models import Shop


class NotificationStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


register_labels("notification_status", {NotificationStatus.QUEUED: _l("queued"), NotificationStatus.SENT: _l("sent"),
                                        NotificationStatus.FAILED: _l("failed")})


def _enum(kind: type[enum.Enum], name: str, length: int) -> sa.Enum:
    return sa.Enum(kind, name=name, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Notification(ShopOwned, db.Model):
    """One email to one recipient, written in the transaction of the change that caused it.

    Subject and bodies are rendered when the row is written (the data as of the change);
    the delivery job only sends. ``dedupe_key`` is unique: a notification is requested once,
    and the job skips rows that are no longer ``queued``, so it goes out once even when
    its job runs twice.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(sa.String(64), index=True)
    audience: Mapped[str] = mapped_column(sa.String(16))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    recipient_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Orders and customers are other domains' tables, added by their own migrations: plain ids.
    order_id: Mapped[int | None] = mapped_column(index=True)
    customer_id: Mapped[int | None] = mapped_column(index=True)
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[NotificationStatus] = mapped_column(
        _enum(NotificationStatus, "notification_status", 8), default=NotificationStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    dedupe_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # An open alert: the notification failed and nobody has retried or dismissed it yet.
    is_alert_open: Mapped[bool] = mapped_column(default=False, index=True)
    requested_by: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the row was last handed to the queue; the sweep re-enqueues rows left there too long.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bodies_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shop: Mapped[Shop] = relationship()

    @property
    def shop_code(self) -> str:
        return self.shop.code

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status.value})"


class NotificationTemplate(ShopOwned, db.Model):
    """A shop's own version of an event's mail in one language (the shipped default otherwise)."""

    __tablename__ = "notification_templates"
    __table_args__ = (sa.UniqueConstraint("shop_id", "event", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by: Mapped[str] = mapped_column(sa.String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __str__(self) -> str:
        return f"{self.event} ({self.locale})"


class NotificationSettings(ShopOwned, db.Model):
    """Per-shop notification settings; a shop without a row uses the defaults below."""

    __tablename__ = "notification_settings"
    __table_args__ = (sa.UniqueConstraint("shop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Days after the order started waiting for the customer: remind at each, then escalate.
    reminder_days: Mapped[list[int]] = mapped_column(sa.JSON, default=lambda: [2, 5])
    escalate_after_days: Mapped[int] = mapped_column(default=7)
    # Email bodies are deleted after this many days (who, when and subject are kept).
    retention_days: Mapped[int | None] = mapped_column()
    # Fulfilment centre address per warehouse code.
    fulfilment_addresses: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    staff_address: Mapped[str | None] = mapped_column(sa.String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OrderEscalation(ShopOwned, db.Model):
    """An order whose customer did not answer, escalated once per wait (``waiting_since``).

    The unique key makes the periodic job idempotent: a run after the scheduler was down
    escalates once, however many runs were missed or overlap.
    """

    __tablename__ = "order_escalations"
    __table_args__ = (sa.UniqueConstraint("order_id", "waiting_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    # When the order started waiting for the customer (its state change): one escalation per wait.
    waiting_since: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The alert raised on the order (the customers domain's alert model); a plain id.
    alert_id: Mapped[int | None] = mapped_column()
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
