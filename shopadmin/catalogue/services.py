"""Products and stock. Plain functions: they check access, flush, and never commit.

Raise ``NotFound`` outside the caller's shops (or for an unknown SKU), ``Forbidden``
beyond the role, ``Invalid`` for bad input, ``Conflict`` for a duplicate SKU or stock
that cannot cover a reservation (``insufficient_stock``).

The inventory primitives (``lock_stock``, ``take``, ``release``, ``consume``) are for the
orders domain: they run inside the caller's transaction and rely on the row locks they
take, so two orders for the last units cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from shopadmin.catalogue.models import Availability, Product, StockLevel
from shopadmin.core import audit
from shopadmin.core.access import Access, Permission
from shopadmin.core.errors import Conflict, NotFound
from shopadmin.core.money import parse_money
from shopadmin.core.validation import clean_code, clean_text, invalid
from shopadmin.extensions import db
from shopadmin.tenants.models import Shop

DEFAULT_WAREHOUSE = "MAIN"

# Called as listener(access, shop_id, product_id) after stock of a product grew
# (the orders domain allocates waiting back-orders). Registered at import by orders.
STOCK_LISTENERS: list[Callable[[Access, int, int], None]] = []


@dataclass
class ProductInput:
    sku: str
    name: str
    price: object
    tax_class: str = "standard"
    availability: str = "standard"
    release_date: date | None = None



MAX_STOCK = 1_000_000_000  # units per warehouse; the column is a 32-bit integer


def _availability(value: str) -> Availability:
    try:
        return Availability((value or "standard").strip().lower())
    except ValueError:
        raise invalid("availability", _l("Use standard, backorder, preorder or digital.")) from None


def clean_sku(value: str, field: str = "sku") -> str:
    value = (value or "").strip()
    if not value or len(value) > 64 or any(ch.isspace() for ch in value):
        raise invalid(field, _l("1-64 characters without spaces."))
    return value


def create_product(access: Access, shop: Shop, data: ProductInput) -> Product:
    access.require(Permission.PRODUCT_MANAGE, shop.id)
    availability = _availability(data.availability)
    if availability is Availability.PREORDER and data.release_date is None:
        raise invalid("release_date", _l("A preorder product needs a release date."))
    product = Product(
        shop_id=shop.id,
        sku=clean_sku(data.sku),
        name=clean_text(data.name, "name", max_length=200),
        price=parse_money(data.price, shop.currency, "price"),
        tax_class=clean_text(data.tax_class or "standard", "tax_class", max_length=32),
        availability=availability,
        release_date=data.release_date,
    )
    clash = db.session.scalar(sa.select(Product.id).where(Product.shop_id == shop.id, Product.sku == product.sku))
    if clash:
        raise Conflict(_l("SKU '%(sku)s' exists in this shop.", sku=product.sku), code="duplicate",
                       fields={"sku": [_l("Already used in this shop.")]})
    db.session.add(product)
    db.session.flush()
    audit.record(access, "product.create", product, shop_id=shop.id, sku=product.sku, price=str(product.price))
    return product


UPDATABLE_PRODUCT_FIELDS = ("name", "price", "tax_class", "availability", "release_date", "is_active")


def update_product(access: Access, product: Product, changes: dict[str, Any]) -> Product:
    access.require(Permission.PRODUCT_MANAGE, product.shop_id)
    unknown = set(changes) - set(UPDATABLE_PRODUCT_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], _l("Cannot be changed."))
    for key, value in changes.items():
        if key == "name":
            product.name = clean_text(value, "name", max_length=200)
        elif key == "price":
            product.price = parse_money(value, product.shop.currency, "price")
        elif key == "tax_class":
            product.tax_class = clean_text(value, "tax_class", max_length=32)
        elif key == "availability":
            product.availability = _availability(value)
        elif key == "release_date":
            product.release_date = value
        elif key == "is_active":
            product.is_active = bool(value)
    if product.availability is Availability.PREORDER and product.release_date is None:
        raise invalid("release_date", _l("A preorder product needs a release date."))
    db.session.flush()
    audit.record(access, "product.update", product, shop_id=product.shop_id, fields=sorted(changes))
    return product


def get_product(access: Access, shop: Shop, sku: str) -> Product:
    """The product with this SKU in the shop, or ``NotFound``."""
    access.require(Permission.CATALOGUE_VIEW, shop.id)
    product = db.session.scalars(
        sa.select(Product).where(Product.shop_id == shop.id, Product.sku == sku)
    ).one_or_none()
    if product is None:
        raise NotFound(_l("No product '%(sku)s' in this shop.", sku=sku))
    return product


def get_product_by_id(access: Access, product_id: int) -> Product:
    product = db.session.scalars(sa.select(Product).where(Product.id == product_id)).one_or_none()
    if product is None:
        raise NotFound(_l("No such product."))
    access.require(Permission.CATALOGUE_VIEW, product.shop_id)
    return product


def products_by_sku(shop_id: int, skus: Iterable[str]) -> dict[str, Product]:
    """One query for every SKU of an order (within the caller's scope)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = db.session.scalars(sa.select(Product).where(Product.shop_id == shop_id, Product.sku.in_(wanted)))
    return {product.sku: product for product in rows}


def list_products(access: Access, shop: Shop, *, q: str | None = None, after_id: int | None = None,
                  limit: int = 50) -> list[Product]:
    access.require(Permission.CATALOGUE_VIEW, shop.id)
    stmt = sa.select(Product).where(Product.shop_id == shop.id).order_by(Product.id).limit(limit)
    if after_id is not None:
        stmt = stmt.where(Product.id > after_id)
    if q:
        pattern = f"%{q.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(Product.sku).like(pattern), sa.func.lower(Product.name).like(pattern)))
    return list(db.session.scalars(stmt))


# -- stock ---------------------------------------------------------------------------------


def _clean_warehouse(value: str | None) -> str:
    return clean_code(value or DEFAULT_WAREHOUSE, "warehouse").upper()


def get_stock(access: Access, shop: Shop, sku: str, warehouse: str | None = None) -> StockLevel:
    product = get_product(access, shop, sku)
    code = _clean_warehouse(warehouse)
    level = db.session.scalars(
        sa.select(StockLevel).where(StockLevel.shop_id == shop.id, StockLevel.product_id == product.id,
                                    StockLevel.warehouse == code)
    ).one_or_none()
    if level is None:
        # Never stocked there: read as zero rather than 404, so a PUT-then-GET client is simple.
        return StockLevel(shop_id=shop.id, product_id=product.id, product=product, warehouse=code,
                          quantity=0, reserved=0)
    return level


def set_stock(access: Access, shop: Shop, sku: str, *, warehouse: str | None, quantity: object) -> StockLevel:
    """Set the quantity on hand; it may not drop below what is reserved (409)."""
    access.require(Permission.STOCK_MANAGE, shop.id)
    product = get_product(access, shop, sku)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise invalid("quantity", _l("A whole number."))
    if quantity < 0:
        raise invalid("quantity", _l("Must not be negative."))
    if quantity > MAX_STOCK:
        raise invalid("quantity", _l("At most %(count)s.", count=f"{MAX_STOCK:,}"))
    code = _clean_warehouse(warehouse)
    level = db.session.scalars(
        sa.select(StockLevel).where(StockLevel.shop_id == shop.id, StockLevel.product_id == product.id,
                                    StockLevel.warehouse == code).with_for_update(of=StockLevel)
    ).one_or_none()
    if level is None:
        level = StockLevel(shop_id=shop.id, product_id=product.id, product=product, warehouse=code,
                           quantity=0, reserved=0)
        db.session.add(level)
    if quantity < level.reserved:
        raise Conflict(_l("%(reserved)s units are reserved by orders; the quantity cannot go below that.",
                          reserved=level.reserved),
                       code="stock_reserved", fields={"quantity": [_l("At least %(count)s.", count=level.reserved)]})
    grew = quantity > level.quantity
    before = level.quantity
    level.quantity = quantity
    db.session.flush()
    audit.record(access, "stock.set", level, shop_id=shop.id, sku=product.sku, warehouse=code,
                 before=before, after=quantity)
    if grew:
        for listener in STOCK_LISTENERS:
            listener(access, shop.id, product.id)
    return level


def lock_stock(shop_id: int, product_ids: Iterable[int]) -> dict[int, list[StockLevel]]:
    """Lock the stock rows of these products (id order: no deadlocks), per product."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(StockLevel)
        .where(StockLevel.shop_id == shop_id, StockLevel.product_id.in_(ids))
        .order_by(StockLevel.id)
        .with_for_update(of=StockLevel)
        .execution_options(populate_existing=True)
    ).all()
    result: dict[int, list[StockLevel]] = {product_id: [] for product_id in ids}
    for row in sorted(rows, key=lambda r: r.warehouse):
        result[row.product_id].append(row)
    return result


def available(levels: list[StockLevel]) -> int:
    return sum(level.available for level in levels)


def take(levels: list[StockLevel], quantity: int) -> list[tuple[StockLevel, int]]:
    """Reserve ``quantity`` from locked rows, warehouse by warehouse; all or nothing."""
    if available(levels) < quantity:
        raise Conflict(_l("Not enough stock."), code="insufficient_stock")
    taken: list[tuple[StockLevel, int]] = []
    left = quantity
    for level in levels:
        if left == 0:
            break
        part = min(level.available, left)
        if part > 0:
            level.reserved += part
            taken.append((level, part))
            left -= part
    return taken


def lock_levels_by_id(stock_ids: Iterable[int]) -> dict[int, StockLevel]:
    ids = sorted(set(stock_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(StockLevel).where(StockLevel.id.in_(ids)).order_by(StockLevel.id).with_for_update(of=StockLevel)
        .execution_options(populate_existing=True)
    ).all()
    return {row.id: row for row in rows}


def release(level: StockLevel, quantity: int) -> None:
    level.reserved = max(0, level.reserved - quantity)


def consume(level: StockLevel, quantity: int) -> None:
    """Shipped: the units leave the warehouse and the reservation with them."""
    level.reserved = max(0, level.reserved - quantity)
    level.quantity = max(0, level.quantity - quantity)

