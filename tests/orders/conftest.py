"""An order world: ``world(app)`` shops and staff, plus per shop a catalogue with stock,
a tax rule and a customer. Staff hold a 10% override limit (``make_user``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.catalogue import services as catalogue
from shopadmin.core.access import Access, system_access
from shopadmin.core.db import set_access, unit_of_work
from shopadmin.customers import services as customers
from shopadmin.extensions import db
from shopadmin.staff import services as staff
from shopadmin.staff.models import User
from shopadmin.tenants import services as tenants
from tests.factories import api_token, world

PLATFORM = system_access("tests")
FUTURE = date.today() + timedelta(days=30)

CATALOGUE = [
    ("STD-1", "Standard widget", "10.00", "standard", None, 5),
    ("STD-2", "Second widget", "4.50", "standard", None, 100),
    ("BO-1", "Back-order gadget", "20.00", "backorder", None, 0),
    ("PRE-1", "Preorder book", "30.00", "preorder", FUTURE, 0),
    ("DIG-1", "Digital manual", "5.00", "digital", None, None),
]


def seed_shop(code: str) -> dict[str, Any]:
    with unit_of_work(PLATFORM):
        shop = tenants.get_shop(PLATFORM, code)
        tenants.add_tax_rule(PLATFORM, shop, country="DE", region=None, tax_class="standard", rate="0.19")
        for sku, name, price, availability, release, quantity in CATALOGUE:
            catalogue.create_product(PLATFORM, shop, catalogue.ProductInput(
                sku=sku, name=name, price=price, availability=availability, release_date=release))
            if quantity is not None:
                catalogue.set_stock(PLATFORM, shop, sku, warehouse="MAIN", quantity=quantity)
        customer = customers.create_customer(PLATFORM, customers.CustomerInput(
            shop=code, email=f"ann.{code.lower()}@example.com", first_name="Ann", last_name=f"Lee{code.title()}",
            addresses=[{"kind": "shipping", "name": f"Ann Lee {code}", "line1": "Main St 1", "city": "Berlin",
                        "postcode": "10115", "country": "DE"}],
        ))
        return {"shop": code, "shop_id": shop.id, "customer_id": customer.id}


@pytest.fixture
def order_world(app: Flask) -> dict[str, Any]:
    ids = world(app)
    result: dict[str, Any] = {"ids": ids}
    with app.app_context():
        for code in ("OWN", "OTHER", "SUB"):
            result[code] = seed_shop(code)
        db.session.remove()
    return result


@pytest.fixture
def token(client: FlaskClient, order_world: dict[str, Any]) -> Callable[[str], dict[str, str]]:
    cache: dict[str, dict[str, str]] = {}

    def get(role: str) -> dict[str, str]:
        if role not in cache:
            cache[role] = api_token(client, f"{role}@test.example")
        return cache[role]

    return get


def order_body(world: dict[str, Any], shop: str = "OWN", **extra: Any) -> dict[str, Any]:
    body = {"shop": shop, "customer_id": world[shop]["customer_id"], "channel": "phone", "currency": "EUR",
            "lines": [{"sku": "STD-1", "quantity": 2}], "payment_flow": "on_delivery"}
    body.update(extra)
    return body


@pytest.fixture
def place(client: FlaskClient, order_world: dict[str, Any], token: Callable[[str], dict[str, str]]
          ) -> Callable[..., dict[str, Any]]:
    def do(role: str = "csr", shop: str = "OWN", **extra: Any) -> dict[str, Any]:
        response = client.post("/api/v1/orders", json=order_body(order_world, shop, **extra), headers=token(role))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return do


@pytest.fixture
def as_user(ctx: Flask) -> Iterator[Callable[[str], Access]]:
    def bind(email: str) -> Access:
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        access = staff.access_for_user(user)
        set_access(access)
        return access

    yield bind
    set_access(None)
