"""Demo orders: a small catalogue with stock and orders in every state, in every shop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from shopadmin.catalogue import services as catalogue
from shopadmin.core.access import Access
from shopadmin.core.db import utcnow
from shopadmin.customers import services as customers
from shopadmin.extensions import db
from shopadmin.orders import services as orders
from shopadmin.orders.models import Order
from shopadmin.tenants.models import Shop

if TYPE_CHECKING:
    from shopadmin.demo import DemoContext

COUNTRY = {"HOME": "GB", "EU-1": "DE", "EU-2": "FR", "MASTER": "DE", "B2B-DE": "DE", "B2B-FR": "FR"}
PRODUCTS = [
    ("CHAIR-1", "Garden chair", "49.90", "standard", 200),
    ("TABLE-1", "Garden table", "199.00", "standard", 50),
    ("LAMP-1", "Solar lamp", "19.50", "backorder", 0),
    ("BOOK-1", "Gardening almanac 2027", "24.00", "preorder", 0),
    ("GUIDE-1", "Planting guide (PDF)", "9.00", "digital", None),
]
PEOPLE = [("Anna", "Schmidt"), ("Louis", "Martin"), ("Grace", "Hopper")]


def _customer(access: Access, shop: Shop, first: str, last: str) -> int:
    email = f"{first.lower()}.{last.lower()}.{shop.code.lower()}@demo.example"
    existing = customers.find_in_group(shop, email)
    if existing is not None:
        return existing.id
    created = customers.create_customer(access, customers.CustomerInput(
        shop=shop.code, email=email, first_name=first, last_name=last,
        addresses=[{"kind": "shipping", "name": f"{first} {last}", "line1": "1 Demo Street", "city": "Demo City",
                    "postcode": "12345", "country": COUNTRY.get(shop.code, "DE")}],
    ))
    return created.id


def _place(access: Access, shop: Shop, customer_id: int, *, lines: list[tuple[str, int]], flow: str = "on_delivery",
           **extra: object) -> Order:
    return orders.place_order(access, orders.OrderInput(
        shop=shop.code, customer_id=customer_id, channel="phone", payment_flow=flow,
        lines=[orders.LineInput(sku=sku, quantity=qty) for sku, qty in lines], **extra))  # type: ignore[arg-type]


def _pay(access: Access, order: Order) -> None:
    orders.record_payment(access, order, method="card", amount=str(order.total - order.paid), status="captured",
                          reference=f"demo-{order.number}")


def _ship_all(access: Access, order: Order, limit: int | None = None) -> None:
    for delivery in list(order.deliveries)[:limit]:
        orders.fire_delivery_event(access, order, delivery.id, "pack")
        orders.fire_delivery_event(access, order, delivery.id, "ship")


def _orders_for_shop(access: Access, shop: Shop) -> None:
    for sku, name, price, availability, quantity in PRODUCTS:
        release = (utcnow() + timedelta(days=60)).date() if availability == "preorder" else None
        catalogue.create_product(access, shop, catalogue.ProductInput(
            sku=sku, name=name, price=price, availability=availability, release_date=release))
        if quantity is not None:
            catalogue.set_stock(access, shop, sku, warehouse="MAIN", quantity=quantity)
    people = [_customer(access, shop, first, last) for first, last in PEOPLE]
    one = [("CHAIR-1", 2)]
    two = [("CHAIR-1", 1), ("GUIDE-1", 1)]
    steps: list[Callable[[Order], object]]

    _place(access, shop, people[0], lines=one, cart=True)
    _place(access, shop, people[1], lines=[("TABLE-1", 1)], quote=True,
           quote_valid_until=(utcnow() + timedelta(days=14)).date())
    _place(access, shop, people[2], lines=[("CHAIR-1", 1), ("LAMP-1", 2), ("BOOK-1", 1)])  # pending
    recipes: list[tuple[int, list[tuple[str, int]], str, list[Callable[[Order], object]]]] = [
        (0, one, "prepay", [lambda o: orders.fire_event(access, o, "confirm")]),  # waiting_payment
        (1, one, "on_delivery", [lambda o: orders.fire_event(access, o, "confirm")]),  # in_progress
        (2, two, "on_delivery", [lambda o: orders.fire_event(access, o, "confirm"),
                                 lambda o: _ship_all(access, o, 1)]),  # partially_shipped
        (0, two, "prepay", [lambda o: orders.fire_event(access, o, "confirm"), lambda o: _pay(access, o),
                            lambda o: _ship_all(access, o)]),  # completed
        (1, one, "on_delivery", [lambda o: orders.fire_event(access, o, "cancel")]),  # cancelled
        (2, one, "prepay", [lambda o: _pay(access, o),
                            lambda o: orders.fire_event(access, o, "cancel")]),  # cancelled_waiting_refund
        (0, one, "on_delivery", [lambda o: orders.fire_event(access, o, "confirm"), lambda o: _ship_all(access, o),
                                 lambda o: orders.fire_event(access, o, "return")]),  # returned
        (1, one, "prepay", [lambda o: _pay(access, o), lambda o: orders.fire_event(access, o, "confirm"),
                            lambda o: _ship_all(access, o),
                            lambda o: orders.fire_event(access, o, "return")]),  # returned_waiting_refund
        (2, one, "on_delivery", [lambda o: orders.fire_event(access, o, "void")]),  # voided
        (0, one, "on_delivery", [lambda o: orders.add_block(access, o, "Address check")]),  # blocked, pending
    ]
    for person, lines, flow, steps in recipes:
        order = _place(access, shop, people[person], lines=lines, flow=flow)
        for step in steps:
            step(order)
    db.session.flush()


def load(ctx: DemoContext) -> None:
    """Idempotent: a shop that has products already is left alone."""
    for shop in db.session.scalars(sa.select(Shop).order_by(Shop.id)).all():
        has_products = db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.shop_id == shop.id))
        if has_products or catalogue.products_by_sku(shop.id, ["CHAIR-1"]):
            continue
        _orders_for_shop(ctx.access, shop)
