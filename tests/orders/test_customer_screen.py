"""The customer detail screen lists the customer's orders (in the caller's shops only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import login


def test_customer_detail_lists_orders(app: Flask, order_world: dict[str, Any],
                                      place: Callable[..., dict[str, Any]]) -> None:
    order = place()
    client = app.test_client()
    login(client, "csr@test.example")
    page = client.get(f"/admin/customers/details/?id={order_world['OWN']['customer_id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="customer-orders"' in html
    assert order["number"] in html


def test_other_shops_orders_are_not_listed(app: Flask, client: FlaskClient, order_world: dict[str, Any],
                                           place: Callable[..., dict[str, Any]]) -> None:
    place(role="outsider", shop="OTHER")
    outsider = app.test_client()
    login(outsider, "outsider@test.example")
    html = outsider.get(f"/admin/customers/details/?id={order_world['OTHER']['customer_id']}").get_data(as_text=True)
    assert "OTHER-" in html
    login(client, "csr@test.example")
    assert client.get(f"/admin/customers/details/?id={order_world['OTHER']['customer_id']}").status_code == 404
