"""Order data for the access matrix and other suites, built through the services."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask

from shopadmin.catalogue import services as catalogue
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers import services as customers
from shopadmin.orders import services as orders
from shopadmin.tenants import services as tenants

PLATFORM = system_access("tests")
_counter = itertools.count()
# The matrix customer per shop code (set by ``matrix_records``, read by ``fresh_order_body``).
matrix_customers: dict[str, int] = {}


def make_product(shop: str, sku: str = "M-1", *, price: str = "10.00", quantity: int | None = 1000,
                 availability: str = "standard") -> None:
    with unit_of_work(PLATFORM):
        shop_row = tenants.get_shop(PLATFORM, shop)
        catalogue.create_product(PLATFORM, shop_row, catalogue.ProductInput(sku=sku, name=f"Product {sku}",
                                                                           price=price, availability=availability))
        if quantity is not None:
            catalogue.set_stock(PLATFORM, shop_row, sku, warehouse="MAIN", quantity=quantity)


def make_order_customer(shop: str) -> int:
    with unit_of_work(PLATFORM):
        customer = customers.create_customer(PLATFORM, customers.CustomerInput(
            shop=shop, email=f"buyer{next(_counter)}@example.com", first_name="Bea", last_name="Buyer",
            addresses=[{"kind": "shipping", "name": "Bea Buyer", "line1": "Road 1", "city": "Berlin",
                        "country": "DE"}],
        ))
        return customer.id


def make_order(shop: str, customer_id: int, *, sku: str = "M-1", quantity: int = 1, confirm: bool = False,
               payment_flow: str = "on_delivery") -> int:
    with unit_of_work(PLATFORM):
        order = orders.place_order(PLATFORM, orders.OrderInput(
            shop=shop, customer_id=customer_id, lines=[orders.LineInput(sku=sku, quantity=quantity)],
            payment_flow=payment_flow))
        if confirm:
            orders.fire_event(PLATFORM, order, "confirm")
        return order.id


def matrix_records(app: Flask, shop: str) -> dict[str, Any]:
    """A confirmed order of ``shop`` with an allocated delivery and a released block."""
    with app.app_context():
        make_product(shop)
        customer_id = make_order_customer(shop)
        matrix_customers[shop] = customer_id
        order_id = make_order(shop, customer_id, confirm=True)
        with unit_of_work(PLATFORM):
            order = orders.get_order(PLATFORM, order_id)
            block = orders.add_block(PLATFORM, order, "matrix")
            orders.release_block(PLATFORM, order, block.id)
            product = catalogue.get_product(PLATFORM, tenants.get_shop(PLATFORM, shop), "M-1")
            cart = orders.place_order(PLATFORM, orders.OrderInput(
                shop=shop, customer_id=customer_id, lines=[orders.LineInput(sku="M-1", quantity=1)], cart=True))
            return {"order_id": order_id, "cart_id": cart.id, "order_customer_id": customer_id,
                    "delivery_id": order.deliveries[0].id,
                    "block_id": block.id, "sku": "M-1", "product_id": product.id,
                    "stock_id": product.stock[0].id}


def fresh_order_body(app: Flask, shop: str) -> dict[str, Any]:
    return {"shop": shop, "customer_id": matrix_customers[shop], "channel": "api",
            "lines": [{"sku": "M-1", "quantity": 1}], "payment_flow": "on_delivery"}


def fresh_product_body(app: Flask, shop: str) -> dict[str, Any]:
    return {"sku": f"NEW-{next(_counter)}", "name": "New", "price": "1.00"}


def hand_over_body(app: Flask, shop: str) -> dict[str, Any]:
    """Hand the matrix cart to a staff user of its shop: csr@ (OWN, and SUB through MASTER), outsider@ (OTHER)."""
    import sqlalchemy as sa

    from shopadmin.extensions import db
    from shopadmin.staff.models import User

    with app.app_context():
        email = "outsider@test.example" if shop == "OTHER" else "csr@test.example"
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
    return {"user_id": user_id}
