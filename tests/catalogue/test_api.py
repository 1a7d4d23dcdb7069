from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import api_token, world


@pytest.fixture
def tokens(app: Flask, client: FlaskClient) -> dict[str, dict[str, str]]:
    world(app)
    return {role: api_token(client, f"{role}@test.example") for role in ("csr", "manager", "outsider")}


PRODUCT = {"sku": "W-1", "name": "Widget", "price": "12.50", "tax_class": "standard", "availability": "standard",
           "release_date": None}


def test_product_and_stock(client: FlaskClient, tokens: dict[str, Any]) -> None:
    created = client.post("/api/v1/shops/OWN/products", json=PRODUCT, headers=tokens["manager"])
    assert created.status_code == 201
    assert {k: created.get_json()[k] for k in ("sku", "price", "currency", "availability")} == {
        "sku": "W-1", "price": "12.50", "currency": "EUR", "availability": "standard"}
    dup = client.post("/api/v1/shops/OWN/products", json=PRODUCT, headers=tokens["manager"])
    assert dup.status_code == 409
    put = client.put("/api/v1/shops/OWN/stock/W-1", json={"warehouse": "MAIN", "quantity": 10},
                     headers=tokens["manager"])
    assert put.status_code == 200
    assert put.get_json() == {"sku": "W-1", "warehouse": "MAIN", "quantity": 10, "reserved": 0, "available": 10}
    got = client.get("/api/v1/shops/OWN/stock/W-1", headers=tokens["csr"])
    assert got.get_json() == put.get_json()
    other = client.get("/api/v1/shops/OWN/stock/W-1?warehouse=EAST", headers=tokens["csr"])
    assert other.get_json()["quantity"] == 0
    listed = client.get("/api/v1/shops/OWN/products?q=widg", headers=tokens["csr"]).get_json()
    assert [p["sku"] for p in listed["items"]] == ["W-1"]


@pytest.mark.parametrize(("body", "field"), [
    ({**PRODUCT, "price": 12.5}, "price"),
    ({**PRODUCT, "price": "12.505"}, "price"),
    ({**PRODUCT, "price": "-1"}, "price"),
    ({**PRODUCT, "price": "abc"}, "price"),
    ({**PRODUCT, "sku": "has space"}, "sku"),
    ({**PRODUCT, "availability": "preorder"}, "release_date"),
    ({**PRODUCT, "availability": "sometimes"}, "availability"),
])
def test_bad_products(client: FlaskClient, tokens: dict[str, Any], body: dict[str, Any], field: str) -> None:
    response = client.post("/api/v1/shops/OWN/products", json=body, headers=tokens["manager"])
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_bad_stock(client: FlaskClient, tokens: dict[str, Any]) -> None:
    client.post("/api/v1/shops/OWN/products", json=PRODUCT, headers=tokens["manager"])
    for body in ({"quantity": -1}, {"quantity": "5"}, {"quantity": 1.5}, {}):
        response = client.put("/api/v1/shops/OWN/stock/W-1", json=body, headers=tokens["manager"])
        assert response.status_code == 422, body
    missing = client.put("/api/v1/shops/OWN/stock/NOPE", json={"quantity": 1}, headers=tokens["manager"])
    assert missing.status_code == 404


def test_roles_and_scope(client: FlaskClient, tokens: dict[str, Any]) -> None:
    assert client.post("/api/v1/shops/OWN/products", json=PRODUCT, headers=tokens["csr"]).status_code == 403
    assert client.post("/api/v1/shops/OWN/products", json=PRODUCT, headers=tokens["outsider"]).status_code == 404
    client.post("/api/v1/shops/OWN/products", json=PRODUCT, headers=tokens["manager"])
    assert client.put("/api/v1/shops/OWN/stock/W-1", json={"quantity": 3}, headers=tokens["csr"]).status_code == 403
    assert client.get("/api/v1/shops/OWN/stock/W-1", headers=tokens["outsider"]).status_code == 404
