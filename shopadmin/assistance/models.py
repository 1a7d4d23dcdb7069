"""Assistance settings per shop, protected customers, assistance sessions and their log."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopadmin.core.db import ShopOwned, utcnow
from shopadmin.core.i18n import register_labels
from shopadmin.extensions import UTCDateTime, db
from shopadmin.tenants.models import Shop


class AssistanceStatus(enum.StrEnum):
    REFUSED = "refused"  # asked for and refused (the rule says why)
    ISSUED = "issued"  # the hand-off link is out, not used yet
    ACTIVE = "active"  # the operator is in the storefront as the customer
    ENDED = "ended"


register_labels("assistance_status", {
    AssistanceStatus.REFUSED: _l("refused"), AssistanceStatus.ISSUED: _l("link issued"),
    AssistanceStatus.ACTIVE: _l("active"), AssistanceStatus.ENDED: _l("ended"),
})

class AssistanceSettings(ShopOwned, db.Model):
    """A shop's rules for assistance; a shop without a row uses the defaults."""

    __tablename__ = "assistance_settings"
    __table_args__ = (
        sa.UniqueConstraint("shop_id"),
        sa.CheckConstraint("session_minutes > 0 AND session_minutes <= 480", name="session_minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_minutes: Mapped[int] = mapped_column(default=30)
    # The lowest staff role that may assist in this shop (csr and up by default).
    min_role: Mapped[str] = mapped_column(sa.String(16), default="csr")
    # Mail the customer when staff signs in to their account.
    notify_customer: Mapped[bool] = mapped_column(default=False)
    # [{"code": "...", "label": "..."}]; empty: the default list.
    reason_codes: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"assistance settings of shop {self.shop_id}"


class ProtectedCustomer(ShopOwned, db.Model):
    """A customer this shop never lets staff assist (and never offers for assistance)."""

    __tablename__ = "assistance_protected_customers"
    __table_args__ = (sa.UniqueConstraint("shop_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shop: Mapped[Shop] = relationship(lazy="joined")


class AssistanceSession(ShopOwned, db.Model):
    """One request to assist a customer, from the link to the end (or its refusal).

    Names are copied in, so the log reads the same after a rename.
    """

    __tablename__ = "assistance_sessions"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "id", name="uq_assistance_sessions_shop_id_id"),
        sa.Index("ix_assistance_sessions_operator_status", "operator_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    refusal: Mapped[str | None] = mapped_column(sa.String(32))
    reason_code: Mapped[str | None] = mapped_column(sa.String(32))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    ticket: Mapped[str] = mapped_column(sa.String(64), default="")
    customer_name: Mapped[str] = mapped_column(sa.String(254), default="")
    operator_name: Mapped[str] = mapped_column(sa.String(254), default="")
    # Where it was started: "admin" (tied to the admin session) or "api" (tied to the token).
    origin: Mapped[str] = mapped_column(sa.String(8), default="admin")
    api_token_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="SET NULL"))
    operator_epoch: Mapped[int] = mapped_column(default=1)
    # SHA-256 of the hand-off token; the token itself is never stored.
    link_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(sa.String(32))
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")

    shop: Mapped[Shop] = relationship(lazy="joined")
    actions: Mapped[list[AssistanceAction]] = relationship(
        back_populates="session", order_by="AssistanceAction.id", lazy="selectin",
        primaryjoin="and_(AssistanceSession.shop_id == AssistanceAction.shop_id, "
                    "AssistanceSession.id == AssistanceAction.session_id)",
        foreign_keys="[AssistanceAction.shop_id, AssistanceAction.session_id]",
        viewonly=True,
    )

    @property
    def is_active(self) -> bool:
        return self.status == AssistanceStatus.ACTIVE

    def __str__(self) -> str:
        return f"assistance #{self.id}"


class AssistanceAction(ShopOwned, db.Model):
    """One line of an assistance transcript: what the operator did as the customer."""

    __tablename__ = "assistance_actions"
    __table_args__ = (
        sa.ForeignKeyConstraint(["shop_id", "session_id"], ["assistance_sessions.shop_id", "assistance_sessions.id"],
                                name="fk_assistance_actions_session", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    order_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[AssistanceSession] = relationship(
        back_populates="actions",
        primaryjoin="and_(AssistanceAction.shop_id == AssistanceSession.shop_id, "
                    "AssistanceAction.session_id == AssistanceSession.id)",
        foreign_keys="[AssistanceAction.shop_id, AssistanceAction.session_id]",
        viewonly=True,
    )
