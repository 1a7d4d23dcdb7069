"""Customer test data, made through the services (system access)."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers import activities, services
from shopadmin.tenants import services as tenants

PLATFORM = system_access("tests")
_counter = itertools.count()


def make_customer(shop: str, email: str | None = None, **extra: Any) -> int:
    """Register a customer with a shop (call inside an app context); returns its id."""
    data = {"first_name": "Test", "last_name": f"Customer {next(_counter)}", **extra}
    with unit_of_work(PLATFORM):
        customer = services.create_customer(
            PLATFORM, services.CustomerInput(shop=shop, email=email or f"c{next(_counter)}@example.com", **data)
        )
        return customer.id


def matrix_records(app: Flask, shop: str) -> dict[str, Any]:
    """For the access matrix: a customer of ``shop`` with an open alert, and a custom field."""
    with app.app_context():
        customer_id = make_customer(shop)
        with unit_of_work(PLATFORM):
            customer = services.get_customer(PLATFORM, customer_id)
            alert = activities.flag_alert(PLATFORM, customer, message="Check this")
            activities.define_attribute(PLATFORM, tenants.get_shop(PLATFORM, shop), name="vat_id")  # deleted
            definition = activities.define_attribute(PLATFORM, tenants.get_shop(PLATFORM, shop), name="segment")
            return {"customer_id": customer_id, "alert_id": alert.id, "attribute": "vat_id",
                    "attribute_id": definition.id}


def fresh_customer_body(app: Flask, shop: str) -> dict[str, Any]:
    return {"shop": shop, "email": f"new{next(_counter)}@example.com", "last_name": "New"}


def fresh_attribute_body(app: Flask, shop: str) -> dict[str, Any]:
    return {"name": f"field_{next(_counter)}", "type": "string"}
