from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from shopadmin.core.db import Scoped, ShopOwned, utcnow
from shopadmin.extensions import UTCDateTime, db


class ShopKind(enum.StrEnum):
    B2C = "b2c"
    B2B = "b2b"


class SharingGroup(db.Model):
    """Shops in one group share their customer accounts."""

    __tablename__ = "sharing_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.name


class Shop(Scoped, db.Model):
    __tablename__ = "shops"
    __table_args__ = (sa.CheckConstraint("master_id IS NULL OR master_id <> id", name="not_own_master"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ShopKind] = mapped_column(
        sa.Enum(ShopKind, name="shop_kind", native_enum=False, length=8, values_callable=lambda e: [m.value for m in e])
    )
    master_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    sharing_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sharing_groups.id"), index=True)
    customer_assistance: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it as given)

    master: Mapped[Shop | None] = relationship(remote_side=[id], back_populates="sub_shops")
    sub_shops: Mapped[list[Shop]] = relationship(back_populates="master", order_by="Shop.code")
    sharing_group: Mapped[SharingGroup | None] = relationship(lazy="joined")
    tax_rules: Mapped[list[TaxRule]] = relationship(back_populates="shop", order_by="TaxRule.country")

    @classmethod
    def scope_criteria(cls, shop_ids: frozenset[int]) -> ColumnElement[bool]:
        return cls.id.in_(sorted(shop_ids))

    def scope_shop_id(self) -> int | None:
        return self.id

    @property
    def is_master(self) -> bool:
        return self.kind is ShopKind.B2B and self.master_id is None

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class TaxRule(ShopOwned, db.Model):
    """A tax rate for a country (and optionally a region) and a product tax class."""

    __tablename__ = "tax_rules"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "country", "region", "tax_class"),
        sa.CheckConstraint("rate >= 0 AND rate < 1", name="rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    # '' means "the whole country", so the unique constraint holds (NULLs never collide).
    region: Mapped[str] = mapped_column(sa.String(16), default="")
    tax_class: Mapped[str] = mapped_column(sa.String(32), default="standard")
    rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shop: Mapped[Shop] = relationship(back_populates="tax_rules")

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{where} {self.tax_class} {self.rate}"
