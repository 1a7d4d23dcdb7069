"""What the capture screen offers while a CSR types: customers who may order in a shop and the
shop's active products. Read-only, scoped like every loader: a shop outside the caller's
scope raises ``NotFound``, one where the caller may not capture ``Forbidden``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from shopadmin.catalogue.models import Availability, Product, StockLevel
from shopadmin.core.access import Access, Permission
from shopadmin.customers import services as customers
from shopadmin.customers.models import Customer, CustomerShop, group_key_for
from shopadmin.extensions import db
from shopadmin.tenants import services as tenants
from shopadmin.tenants.models import Shop

LOOKUP_LIMIT = 20
MIN_CUSTOMER_QUERY = 2


@dataclass(frozen=True)
class CustomerChoice:
    id: int
    name: str
    email: str
    company: str
    registered: bool  # False: the first order registers the customer with the shop


@dataclass(frozen=True)
class ProductChoice:
    sku: str
    name: str
    price: Decimal
    availability: Availability
    available: int | None  # units in stock for standard and back-order products; None: not stocked
    release_date: date | None


def capture_shop(access: Access, shop_id: int) -> Shop:
    """The shop the caller captures in: ``NotFound`` outside the scope, ``Forbidden`` beyond the role."""
    access.require(Permission.ORDER_CAPTURE, shop_id)
    return tenants.get_shop_by_id(access, shop_id)


def may_order_in(access: Access, customer: Customer, shop: Shop) -> bool:
    """The customer is registered with ``shop`` (not disabled there), or the caller may register them."""
    if customer.group_key != group_key_for(shop):
        return False
    link = next((link for link in customer.links if link.shop_id == shop.id), None)
    if link is not None:
        return link.disabled_at is None
    return access.can(Permission.CUSTOMER_REGISTER, shop.id)


def order_shops(access: Access, customer: Customer) -> list[Shop]:
    """The shops of the customer's group where the caller may capture an order for them
    (the customer page's "New order" buttons), home shop first."""
    shop_ids = [shop_id for shop_id in customers.group_shop_ids(customer)
                if access.can(Permission.ORDER_CAPTURE, shop_id)]
    if not shop_ids:
        return []
    shops = {shop.id: shop for shop in db.session.scalars(sa.select(Shop).where(Shop.id.in_(shop_ids)))}
    return [shops[shop_id] for shop_id in shop_ids
            if shop_id in shops and may_order_in(access, customer, shops[shop_id])]


def find_customers(access: Access, shop_id: int, q: str | None, *, limit: int = LOOKUP_LIMIT) -> list[CustomerChoice]:
    """Customers matching ``q`` (name, email, company, phone, id) who may order in the shop.

    Uses the customer search; only the shop's sharing group, never a customer the shop has
    disabled, and unregistered ones only where the caller may register them.
    Raises ``NotFound`` / ``Forbidden`` (see ``capture_shop``).
    """
    shop = capture_shop(access, shop_id)
    text = (q or "").strip()
    if len(text) < MIN_CUSTOMER_QUERY and not text.lstrip("#").isdigit():
        return []
    registered = sa.select(CustomerShop.customer_id).where(CustomerShop.shop_id == shop.id)
    disabled = registered.where(CustomerShop.disabled_at.is_not(None))
    stmt = (customers.search_statement(q=text)
            .where(Customer.group_key == group_key_for(shop), Customer.id.not_in(disabled))
            .options(sa.orm.lazyload(Customer.addresses), sa.orm.lazyload(Customer.sharing_group),
                     sa.orm.lazyload(Customer.tag_rows), sa.orm.lazyload(Customer.alerts)))
    if not access.can(Permission.CUSTOMER_REGISTER, shop.id):
        stmt = stmt.where(Customer.id.in_(registered))
    rows = list(db.session.scalars(stmt.order_by(Customer.last_name, Customer.first_name, Customer.id).limit(limit)))
    linked = set(db.session.scalars(registered.where(CustomerShop.customer_id.in_([c.id for c in rows]))))
    return [CustomerChoice(id=c.id, name=c.name, email=c.email, company=c.company or "", registered=c.id in linked)
            for c in rows]


def find_products(access: Access, shop_id: int, q: str | None, *, limit: int = LOOKUP_LIMIT) -> list[ProductChoice]:
    """The shop's active products whose SKU or name contains ``q`` (SKU prefix matches first),
    with what is in stock. Raises ``NotFound`` / ``Forbidden`` (see ``capture_shop``)."""
    shop = capture_shop(access, shop_id)
    text = (q or "").strip().lower()
    stmt = sa.select(Product).where(Product.shop_id == shop.id, Product.is_active.is_(True))
    if text:
        pattern = customers.like_pattern(text)
        stmt = stmt.where(sa.or_(sa.func.lower(Product.sku).like(pattern, escape="\\"),
                                 sa.func.lower(Product.name).like(pattern, escape="\\")))
        first = sa.case((sa.func.lower(Product.sku).startswith(text, autoescape=True), 0), else_=1)
        stmt = stmt.order_by(first, Product.sku)
    else:
        stmt = stmt.order_by(Product.sku)
    products = list(db.session.scalars(stmt.limit(limit)))
    stock = stock_available(shop.id, [p.id for p in products])
    return [ProductChoice(sku=p.sku, name=p.name, price=p.price, availability=p.availability,
                          available=stock.get(p.id) if p.availability in (Availability.STANDARD,
                                                                          Availability.BACKORDER) else None,
                          release_date=p.release_date) for p in products]


def stock_available(shop_id: int, product_ids: list[int]) -> dict[int, int]:
    """Units free to promise per product (all warehouses), one query."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        sa.select(StockLevel.product_id, sa.func.sum(StockLevel.quantity - StockLevel.reserved))
        .where(StockLevel.shop_id == shop_id, StockLevel.product_id.in_(product_ids))
        .group_by(StockLevel.product_id)
    )
    return {product_id: max(int(total or 0), 0) for product_id, total in rows}
