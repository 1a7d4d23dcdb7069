"""Values too large for the database are bad input: 422 with the field named, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.orders.conftest import order_body


@pytest.mark.parametrize(("price", "field"), [
    ("123456789012", "price"),  # more digits than a money column holds
    ("1e3", "price"),           # exponents are not how people write prices
    ("1_000", "price"),
])
def test_product_price_out_of_range_or_malformed(client: Any, token: Any, price: str, field: str) -> None:
    response = client.post("/api/v1/shops/OWN/products", headers=token("manager"), json={
        "sku": "BIG-1", "name": "Big", "price": price, "tax_class": "standard", "availability": "digital"})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/shops/OWN/stock/BIG-1", headers=token("manager")).status_code == 404


def test_stock_quantity_beyond_the_column(client: Any, token: Any) -> None:
    response = client.put("/api/v1/shops/OWN/stock/STD-1", headers=token("manager"),
                          json={"warehouse": "MAIN", "quantity": 10**12})
    assert response.status_code == 422, response.get_json()
    assert "quantity" in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/shops/OWN/stock/STD-1", headers=token("manager")).get_json()["quantity"] == 5


def test_order_total_beyond_the_column(client: Any, order_world: Any, token: Any) -> None:
    """Each amount is allowed, but quantity x price would not fit: refused, nothing kept."""
    body = order_body(order_world, lines=[{"sku": "DIG-1", "quantity": 999_999, "unit_price": "999999"}])
    response = client.post("/api/v1/orders", json=body, headers=token("manager"))
    assert response.status_code == 422, response.get_json()
    assert "lines.0.quantity" in response.get_json()["error"]["fields"]
    listed = client.get("/api/v1/orders", headers=token("manager")).get_json()
    assert listed["items"] == []


def test_unit_price_override_too_large(client: Any, order_world: Any, token: Any) -> None:
    body = order_body(order_world, lines=[{"sku": "DIG-1", "quantity": 1, "unit_price": "10000000000"}])
    response = client.post("/api/v1/orders", json=body, headers=token("manager"))
    assert response.status_code == 422, response.get_json()
    assert "lines.0.unit_price" in response.get_json()["error"]["fields"]
