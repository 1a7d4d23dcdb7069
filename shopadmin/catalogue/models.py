"""Products and stock per warehouse: only what orders need."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopadmin.core.db import ShopOwned, utcnow
from shopadmin.core.i18n import register_labels
from shopadmin.extensions import UTCDateTime, db
from shopadmin.tenants.models import Shop


class Availability(enum.StrEnum):
    STANDARD = "standard"  # shipped from stock; never oversold
    BACKORDER = "backorder"  # may be ordered without stock; ships when stock arrives
    PREORDER = "preorder"  # ships from the release date
    DIGITAL = "digital"  # nothing to hold or pack


register_labels("availability", {
    Availability.STANDARD: _l("standard"), Availability.BACKORDER: _l("backorder"),
    Availability.PREORDER: _l("pre-order"), Availability.DIGITAL: _l("digital"),
})


class Product(ShopOwned, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "sku"),
        sa.UniqueConstraint("shop_id", "id", name="uq_products_shop_id_id"),
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    # In the shop's currency.
    price: Mapped[Decimal] = mapped_column(sa.Numeric(14, 4))
    tax_class: Mapped[str] = mapped_column(sa.String(32), default="standard")
    availability: Mapped[Availability] = mapped_column(
        sa.Enum(Availability, name="availability", native_enum=False, length=16,
                values_callable=lambda e: [m.value for m in e]),
        default=Availability.STANDARD,
    )
    release_date: Mapped[date | None] = mapped_column(sa.Date)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship()
    stock: Mapped[list[StockLevel]] = relationship(
        order_by="StockLevel.warehouse", viewonly=True,
        primaryjoin=("and_(Product.shop_id == foreign(StockLevel.shop_id), "
                     "Product.id == foreign(StockLevel.product_id))"),
    )

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"


class StockLevel(ShopOwned, db.Model):
    """What a warehouse (fulfilment centre) holds of a product, and how much is promised.

    ``available = quantity - reserved`` never goes below zero: reservations take the row
    lock (``SELECT ... FOR UPDATE``) and check inside it; the check constraint is the last
    line.
    """

    __tablename__ = "stock_levels"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "product_id", "warehouse"),
        sa.UniqueConstraint("shop_id", "id", name="uq_stock_levels_shop_id_id"),
        sa.ForeignKeyConstraint(["shop_id", "product_id"], ["products.shop_id", "products.id"],
                                name="fk_stock_levels_product"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        sa.CheckConstraint("reserved >= 0 AND reserved <= quantity", name="reserved_within_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(index=True)
    warehouse: Mapped[str] = mapped_column(sa.String(32), default="MAIN")
    quantity: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(
        lazy="joined", innerjoin=True,
        primaryjoin="and_(StockLevel.shop_id == Product.shop_id, StockLevel.product_id == Product.id)",
        foreign_keys="[StockLevel.shop_id, StockLevel.product_id]",
    )

    @property
    def available(self) -> int:
        return self.quantity - self.reserved

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.warehouse}: {self.available}/{self.quantity}"
