from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopadmin.core.access import Role
from shopadmin.core.db import ShopOwned, utcnow
from shopadmin.extensions import UTCDateTime, db
from shopadmin.tenants.models import Shop


class User(UserMixin, db.Model):
    """A staff user. Emails are stored lower-case, so they are unique regardless of case."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    is_superadmin: Mapped[bool] = mapped_column(default=False)
    is_system: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Changing it signs the user out everywhere (it is part of the session identity).
    session_epoch: Mapped[int] = mapped_column(default=1)

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active and not self.is_system

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class Membership(ShopOwned, db.Model):
    """A user's role on a shop; on a B2B master it reaches every sub-shop too."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "shop_id"),
        sa.CheckConstraint("override_limit_pct >= 0 AND override_limit_pct <= 100", name="override_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, name="staff_role", native_enum=False, length=16, values_callable=lambda e: [m.label for m in e])
    )
    # How far below list price this member may set a price, in percent.
    override_limit_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    shop: Mapped[Shop] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.shop.code}: {self.role.label}"


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
