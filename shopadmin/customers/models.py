"""Customers: one account per sharing group, a link per shop, and what hangs off it.

A customer belongs to a *sharing group* of shops, or, for a shop in no group, to that
shop alone. ``group_key`` names that circle (``g<sharing_group_id>`` or ``s<shop_id>``);
every table of the shared account carries it, so one rule scopes them all: a row is
visible when its ``group_key`` is the key of a shop the caller sees. Shop-private data
(the per-shop link with its private notes and tags, code lists, attribute definitions)
is ``ShopOwned`` instead.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from shopadmin.core.db import Scoped, ShopOwned, utcnow
from shopadmin.extensions import UTCDateTime, db
from shopadmin.tenants.models import SharingGroup, Shop


def _values(enum_class: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_class]


def shop_group_key() -> ColumnElement[str]:
    """The group key of a shop as SQL: its sharing group's, or its own when it has none."""
    return sa.case(
        (Shop.sharing_group_id.is_not(None), sa.literal("g") + sa.cast(Shop.sharing_group_id, sa.String)),
        else_=sa.literal("s") + sa.cast(Shop.id, sa.String),
    )


def group_key_for(shop: Shop) -> str:
    return f"g{shop.sharing_group_id}" if shop.sharing_group_id is not None else f"s{shop.id}"


class GroupScoped(Scoped):
    """A row of a shared customer account: visible to the staff of every shop of its group."""

    @declared_attr
    def group_key(cls) -> Mapped[str]:  # noqa: N805 - SQLAlchemy's declared_attr signature
        return mapped_column(sa.String(24), index=True)

    @classmethod
    def scope_criteria(cls, shop_ids: frozenset[int]) -> ColumnElement[bool]:
        visible_keys = sa.select(shop_group_key()).where(Shop.id.in_(sorted(shop_ids))).scalar_subquery()
        return cls.group_key.in_(visible_keys)  # type: ignore[attr-defined,no-any-return]

    def scope_shop_id(self) -> int | None:
        # No single owning shop: services check the caller's role on the group's shops.
        return None


class CustomerType(enum.StrEnum):
    B2C = "b2c"
    B2B = "b2b"


class AddressKind(enum.StrEnum):
    SHIPPING = "shipping"
    BILLING = "billing"


class ActivityKind(enum.StrEnum):
    NOTE = "note"
    CALL = "call"
    EMAIL = "email"  # written by the notifications domain
    SYSTEM = "system"  # written by other domains (orders, assistance)


class CodeKind(enum.StrEnum):
    ACTIVITY = "activity"
    RESULT = "result"


class AttributeType(enum.StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"


class Customer(GroupScoped, db.Model):
    """The shared profile. ``email`` is lower-case and unique within its group."""

    __tablename__ = "customers"
    __table_args__ = (
        sa.UniqueConstraint("group_key", "email"),
        # A trigram GIN index on PostgreSQL (substring search on 1,000,000 rows); a plain
        # index elsewhere, so the models and the migration agree on every database.
        sa.Index(
            "ix_customers_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sharing_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sharing_groups.id"), index=True)
    # The shop the customer first registered with (the whole group for group-less shops).
    home_shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    first_name: Mapped[str] = mapped_column(sa.String(100), default="")
    last_name: Mapped[str] = mapped_column(sa.String(100), default="")
    type: Mapped[CustomerType] = mapped_column(
        sa.Enum(CustomerType, name="customer_type", native_enum=False, length=8, values_callable=_values),
        default=CustomerType.B2C,
    )
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    wants_order_emails: Mapped[bool] = mapped_column(default=True)
    allow_assistance: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Lower-case name, email, company, phone and tags: one trigram index serves every search.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    # Shop rows of other shops of the group are outside the caller's scope: show shops by
    # code through ``services.shop_code``, never through a relationship to ``Shop``.
    sharing_group: Mapped[SharingGroup | None] = relationship(lazy="joined")
    links: Mapped[list[CustomerShop]] = relationship(
        back_populates="customer", order_by="CustomerShop.registered_at", lazy="selectin"
    )
    tag_rows: Mapped[list[CustomerTag]] = relationship(
        order_by="CustomerTag.tag", lazy="selectin", cascade="all, delete-orphan"
    )
    addresses: Mapped[list[CustomerAddress]] = relationship(
        back_populates="customer", order_by="CustomerAddress.id", lazy="selectin", cascade="all, delete-orphan"
    )
    alerts: Mapped[list[CustomerAlert]] = relationship(
        order_by="CustomerAlert.id.desc()", lazy="selectin", viewonly=True
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def active_shop_ids(self) -> list[int]:
        return [link.shop_id for link in self.links if link.disabled_at is None]

    def __str__(self) -> str:
        return f"{self.name or self.email} <{self.email}>" if self.name else self.email


class CustomerShop(GroupScoped, db.Model):
    """The customer's registration with one shop of its group (shared with the group).

    A disabled link keeps the history; the customer may no longer order in that shop.
    """

    __tablename__ = "customer_shops"
    __table_args__ = (sa.UniqueConstraint("customer_id", "shop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    customer: Mapped[Customer] = relationship(back_populates="links")

    def scope_shop_id(self) -> int | None:
        # Only staff who see the shop may register or disable its link.
        return self.shop_id

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class CustomerPrivateNote(ShopOwned, db.Model):
    """One shop's internal remarks and tags about a customer: never shown to other shops."""

    __tablename__ = "customer_private_notes"
    __table_args__ = (sa.UniqueConstraint("customer_id", "shop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    shop: Mapped[Shop] = relationship(lazy="joined")


class CustomerTag(GroupScoped, db.Model):
    """A shared segmentation tag (lower-case); the list filter looks them up by tag."""

    __tablename__ = "customer_tags"
    __table_args__ = (sa.Index("ix_customer_tags_tag_customer", "tag", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class CustomerAddress(GroupScoped, db.Model):
    __tablename__ = "customer_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AddressKind] = mapped_column(
        sa.Enum(AddressKind, name="address_kind", native_enum=False, length=16, values_callable=_values)
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    line1: Mapped[str] = mapped_column(sa.String(200))
    line2: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(100))
    postcode: Mapped[str] = mapped_column(sa.String(20), default="")
    region: Mapped[str] = mapped_column(sa.String(50), default="")
    country: Mapped[str] = mapped_column(sa.String(2))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="addresses")

    def one_line(self) -> str:
        parts = [self.name, self.company, self.line1, self.line2, f"{self.postcode} {self.city}".strip(),
                 self.region, self.country]
        return ", ".join(part for part in parts if part)


class CustomerActivity(GroupScoped, db.Model):
    """One entry of the timeline: a note, a call, an email or a system event.

    ``order_id`` is a plain integer for now: the orders table arrives with issue 4, which
    may add the foreign key.
    """

    __tablename__ = "customer_activities"
    __table_args__ = (sa.Index("ix_customer_activities_customer_created", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"))
    # The shop the entry was written in (its code lists apply).
    shop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    kind: Mapped[ActivityKind] = mapped_column(
        sa.Enum(ActivityKind, name="activity_kind", native_enum=False, length=16, values_callable=_values)
    )
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    activity_code: Mapped[str | None] = mapped_column(sa.String(32))
    result_code: Mapped[str | None] = mapped_column(sa.String(32))
    order_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(sa.String(64))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[Any] = relationship("User", foreign_keys=[author_id], lazy="joined")


class CustomerAlert(GroupScoped, db.Model):
    """A flag for review on a customer (or one of its orders) until a supervisor clears it."""

    __tablename__ = "customer_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shops.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(index=True)
    message: Mapped[str] = mapped_column(sa.String(1000))
    raised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    raised_by_actor: Mapped[str] = mapped_column(sa.String(64))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cleared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    clear_note: Mapped[str] = mapped_column(sa.String(1000), default="")

    raised_by: Mapped[Any] = relationship("User", foreign_keys=[raised_by_id], lazy="joined")
    cleared_by: Mapped[Any] = relationship("User", foreign_keys=[cleared_by_id], lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


class ActivityCode(ShopOwned, db.Model):
    """A shop's activity and result codes. A shop without rows uses ``DEFAULT_CODES``."""

    __tablename__ = "activity_codes"
    __table_args__ = (sa.UniqueConstraint("shop_id", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CodeKind] = mapped_column(
        sa.Enum(CodeKind, name="code_kind", native_enum=False, length=16, values_callable=_values)
    )
    code: Mapped[str] = mapped_column(sa.String(32))
    label: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    shop: Mapped[Shop] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class AttributeDefinition(ShopOwned, db.Model):
    """A custom profile field of a shop's registration form."""

    __tablename__ = "customer_attribute_definitions"
    __table_args__ = (sa.UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[str] = mapped_column(sa.String(100))
    type: Mapped[AttributeType] = mapped_column(
        sa.Enum(AttributeType, name="attribute_type", native_enum=False, length=16, values_callable=_values)
    )
    is_required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    shop: Mapped[Shop] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.name} ({self.type.value})"
