"""Orders and what hangs off them. Every child row carries ``shop_id`` and points at its
order through a composite foreign key ``(shop_id, order_id) -> orders(shop_id, id)``, so
a line, delivery, payment or version can never belong to another shop's order."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopadmin.core.db import ShopOwned, utcnow
from shopadmin.extensions import UTCDateTime, db
from shopadmin.tenants.models import Shop

MONEY = sa.Numeric(14, 4)


def _order_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["shop_id", "order_id"], ["orders.shop_id", "orders.id"],
                                   name=f"fk_{table}_order", ondelete="CASCADE")


class OrderCounter(db.Model):
    """The last order number handed out per shop (a row lock serialises capture per shop)."""

    __tablename__ = "order_counters"

    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Order(ShopOwned, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "id", name="uq_orders_shop_id_id"),
        sa.UniqueConstraint("shop_id", "number"),
        # The list page and the worklists: newest first within a shop and state.
        sa.Index("ix_orders_shop_id_state_id", "shop_id", "state", "id"),
        sa.Index("ix_orders_customer_id_id", "customer_id", "id"),
        sa.Index("ix_orders_number", "number"),
        sa.Index("ix_orders_search_text_trgm", "search_text", postgresql_using="gin",
                 postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(48))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    is_suspended: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str] = mapped_column(sa.String(16), default="phone")
    currency: Mapped[str] = mapped_column(sa.String(3))
    payment_flow: Mapped[str] = mapped_column(sa.String(16), default="prepay")
    ship_together: Mapped[bool] = mapped_column(default=False)
    # One-time override of the customer's confirmation-email preference; None: their preference.
    notify_customer: Mapped[bool | None] = mapped_column()
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    shipping_address: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    billing_address: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Copied at capture and on edits, so search needs no join (and the order keeps the names it had).
    customer_name: Mapped[str] = mapped_column(sa.String(200), default="")
    customer_email: Mapped[str] = mapped_column(sa.String(254), default="")
    ship_to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    tax: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    shipping_charge: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    handling_charge: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    misc_charge: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    refunded: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    active_blocks: Mapped[int] = mapped_column(default=0)
    quote_valid_until: Mapped[date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1)
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Who holds a saved cart or quote (a CSR may hand it over).
    held_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    source_order_id: Mapped[int | None] = mapped_column()  # cloned from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shop: Mapped[Shop] = relationship(lazy="joined", innerjoin=True)
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.position", cascade="all, delete-orphan", lazy="selectin",
        primaryjoin="and_(Order.shop_id == OrderLine.shop_id, Order.id == OrderLine.order_id)",
        foreign_keys="[OrderLine.shop_id, OrderLine.order_id]",
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="order", order_by="Delivery.id", cascade="all, delete-orphan", lazy="selectin",
        primaryjoin="and_(Order.shop_id == Delivery.shop_id, Order.id == Delivery.order_id)",
        foreign_keys="[Delivery.shop_id, Delivery.order_id]",
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", order_by="Payment.id", cascade="all, delete-orphan", lazy="selectin",
        primaryjoin="and_(Order.shop_id == Payment.shop_id, Order.id == Payment.order_id)",
        foreign_keys="[Payment.shop_id, Payment.order_id]",
    )
    blocks: Mapped[list[Block]] = relationship(
        back_populates="order", order_by="Block.id", cascade="all, delete-orphan", lazy="selectin",
        primaryjoin="and_(Order.shop_id == Block.shop_id, Order.id == Block.order_id)",
        foreign_keys="[Block.shop_id, Block.order_id]",
    )

    @property
    def charges(self) -> Decimal:
        return self.shipping_charge + self.handling_charge + self.misc_charge

    @property
    def is_blocked(self) -> bool:
        return self.active_blocks > 0

    def __str__(self) -> str:
        return self.number


class Delivery(ShopOwned, db.Model):
    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "id", name="uq_deliveries_shop_id_id"),
        _order_fk("deliveries"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    group: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(24), index=True)
    release_date: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship(
        back_populates="deliveries",
        primaryjoin="and_(Delivery.shop_id == Order.shop_id, Delivery.order_id == Order.id)",
        foreign_keys="[Delivery.shop_id, Delivery.order_id]",
    )
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="delivery", order_by="OrderLine.position", viewonly=True,
        primaryjoin=("and_(Delivery.shop_id == foreign(OrderLine.shop_id), "
                     "Delivery.id == foreign(OrderLine.delivery_id))"),
    )


class OrderLine(ShopOwned, db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "id", name="uq_order_lines_shop_id_id"),
        _order_fk("order_lines"),
        sa.ForeignKeyConstraint(["shop_id", "product_id"], ["products.shop_id", "products.id"],
                                name="fk_order_lines_product"),
        sa.ForeignKeyConstraint(["shop_id", "delivery_id"], ["deliveries.shop_id", "deliveries.id"],
                                name="fk_order_lines_delivery"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index("ix_order_lines_shop_id_sku", "shop_id", "sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[int] = mapped_column(index=True)
    delivery_id: Mapped[int | None] = mapped_column(index=True)
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    group: Mapped[str] = mapped_column(sa.String(16))
    quantity: Mapped[int] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    list_price: Mapped[Decimal] = mapped_column(MONEY)
    tax_class: Mapped[str] = mapped_column(sa.String(32), default="standard")
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4), default=Decimal("0"))
    tax: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    overridden_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    order: Mapped[Order] = relationship(
        back_populates="lines",
        primaryjoin="and_(OrderLine.shop_id == Order.shop_id, OrderLine.order_id == Order.id)",
        foreign_keys="[OrderLine.shop_id, OrderLine.order_id]",
    )
    delivery: Mapped[Delivery | None] = relationship(
        back_populates="lines", viewonly=True,
        primaryjoin="and_(OrderLine.shop_id == Delivery.shop_id, OrderLine.delivery_id == Delivery.id)",
        foreign_keys="[OrderLine.shop_id, OrderLine.delivery_id]",
    )


class StockReservation(ShopOwned, db.Model):
    """Units of a line held in a warehouse (``!SKU`` in the search box finds them)."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        _order_fk("stock_reservations"),
        sa.ForeignKeyConstraint(["shop_id", "line_id"], ["order_lines.shop_id", "order_lines.id"],
                                name="fk_stock_reservations_line", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shop_id", "stock_id"], ["stock_levels.shop_id", "stock_levels.id"],
                                name="fk_stock_reservations_stock"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    line_id: Mapped[int] = mapped_column(index=True)
    stock_id: Mapped[int] = mapped_column(index=True)
    sku: Mapped[str] = mapped_column(sa.String(64), index=True)
    quantity: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Payment(ShopOwned, db.Model):
    __tablename__ = "payments"
    __table_args__ = (_order_fk("payments"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    method: Mapped[str] = mapped_column(sa.String(32))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16))  # authorized, captured, failed, refunded
    reference: Mapped[str] = mapped_column(sa.String(128), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(
        back_populates="payments",
        primaryjoin="and_(Payment.shop_id == Order.shop_id, Payment.order_id == Order.id)",
        foreign_keys="[Payment.shop_id, Payment.order_id]",
    )


class Block(ShopOwned, db.Model):
    """While one is active nothing of the order ships. Supervisors release them."""

    __tablename__ = "order_blocks"
    __table_args__ = (_order_fk("order_blocks"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship(
        back_populates="blocks",
        primaryjoin="and_(Block.shop_id == Order.shop_id, Block.order_id == Order.id)",
        foreign_keys="[Block.shop_id, Block.order_id]",
    )


class OrderVersion(ShopOwned, db.Model):
    """The order as it was after each change: who, when, why, and what changed."""

    __tablename__ = "order_versions"
    __table_args__ = (_order_fk("order_versions"), sa.UniqueConstraint("shop_id", "order_id", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    number: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OrderEvent(ShopOwned, db.Model):
    """The order's history: every transition, and every refused one, with the reason."""

    __tablename__ = "order_events"
    __table_args__ = (_order_fk("order_events"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    delivery_id: Mapped[int | None] = mapped_column()
    event: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    allowed: Mapped[bool] = mapped_column()
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    effects: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    actor: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OrderComment(ShopOwned, db.Model):
    __tablename__ = "order_comments"
    __table_args__ = (_order_fk("order_comments"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    notify_customer: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdempotencyKey(ShopOwned, db.Model):
    """An API capture's ``Idempotency-Key``: the same key and body answer the same order."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("shop_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    order_id: Mapped[int | None] = mapped_column()
    status_code: Mapped[int] = mapped_column(default=201)
    response: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
