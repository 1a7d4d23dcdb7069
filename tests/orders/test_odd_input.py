"""Odd input on the contract's endpoints: a 4xx in the contract's error shape, never a 500.

Each field of a valid body is replaced in turn by a value of the wrong type, size or
content ("Never a 500 for bad input"); the search and cursor parameters likewise.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.factories import api_token
from tests.orders.conftest import order_body

ODD: list[Any] = ["x" * 5000, {"a": 1}, [1], -1, 10**20, None, True, "", "\x00", 1.5,
                  [{"a": 1}], ["\x00"], [None], [[1]]]
ADDRESS = {"kind": "shipping", "name": "n", "line1": "l", "line2": "", "city": "c", "postcode": "1",
           "region": "", "country": "DE"}
LIST_PATHS = ["/api/v1/orders?q=", "/api/v1/customers?q=", "/api/v1/orders?state=", "/api/v1/orders?cursor=",
              "/api/v1/customers?cursor=", "/api/v1/orders?customer_id=", "/api/v1/notifications?order_id="]


def _bodies(world: dict[str, Any], order: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    customer, order_id, delivery_id = world["OWN"]["customer_id"], order["id"], order["deliveries"][0]["id"]
    return {
        ("POST", "/api/v1/shops"): {
            "code": "NEW1", "name": "N", "kind": "b2c", "master": None, "currency": "EUR", "locale": "en",
            "sharing_group": None, "customer_assistance": True, "email": "a@b.example"},
        ("POST", "/api/v1/shops/OWN/tax-rules"): {
            "country": "DE", "region": None, "tax_class": "standard", "rate": "0.19"},
        ("POST", "/api/v1/users"): {
            "email": "n@x.example", "password": "longpassword1", "name": "n", "superadmin": False},
        ("POST", "/api/v1/shops/OWN/members"): {
            "email": "csr@test.example", "role": "csr", "override_limit_pct": "10"},
        ("POST", "/api/v1/shops/OWN/products"): {
            "sku": "Q1", "name": "q", "price": "1.00", "tax_class": "standard", "availability": "standard",
            "release_date": None},
        ("PUT", "/api/v1/shops/OWN/stock/STD-1"): {"warehouse": "MAIN", "quantity": 10},
        ("POST", "/api/v1/customers"): {
            "shop": "OWN", "email": "z@x.example", "first_name": "a", "last_name": "b", "type": "b2c",
            "company": "", "phone": "", "locale": "en", "tags": [], "attributes": {}, "addresses": [ADDRESS],
            "allow_assistance": True},
        ("POST", f"/api/v1/customers/{customer}/shops"): {"shop": "OWN"},
        ("PATCH", f"/api/v1/customers/{customer}"): {"first_name": "x"},
        ("POST", f"/api/v1/customers/{customer}/activities"): {
            "kind": "note", "subject": "s", "body": "b", "activity_code": None, "result_code": None, "order_id": None},
        ("POST", f"/api/v1/customers/{customer}/assist"): {"shop": "OWN", "reason": "r", "reason_code": None},
        ("POST", "/api/v1/orders"): order_body(world),
        ("POST", f"/api/v1/orders/{order_id}/events"): {"event": "confirm", "dry_run": True},
        ("POST", f"/api/v1/orders/{order_id}/blocks"): {"reason": "r"},
        ("POST", f"/api/v1/orders/{order_id}/deliveries/{delivery_id}/events"): {"event": "pack", "dry_run": True},
        ("POST", f"/api/v1/orders/{order_id}/payments"): {
            "method": "card", "amount": "1.00", "status": "authorized", "reference": "r"},
        ("POST", f"/api/v1/orders/{order_id}/comments"): {"text": "t", "notify_customer": False},
        ("POST", f"/api/v1/orders/{order_id}/hand-over"): {"user_id": 1, "reason": "r"},
        ("PATCH", f"/api/v1/orders/{order_id}"): {
            "lines": [{"sku": "STD-1", "quantity": 1}], "shipping_address": ADDRESS, "billing_address": ADDRESS,
            "ship_together": True, "attributes": {}, "reason": "r", "charges": {"shipping": "1.00"}},
    }


def _is_clean_refusal(response: Any) -> bool:
    body = response.get_json(silent=True)
    if response.status_code >= 500:
        return False
    return response.status_code < 400 or (isinstance(body, dict) and "code" in body.get("error", {}))


def _if_match(client: FlaskClient, path: str, headers: dict[str, str]) -> dict[str, str]:
    etag = client.get(path, headers=headers).headers.get("ETag", '"1"')
    return {"If-Match": etag.strip('"')}


def test_no_server_error_for_odd_input(client: FlaskClient, order_world: Any, token: Any) -> None:
    owner, root = token("owner"), api_token(client, "super@test.example")
    order = client.post("/api/v1/orders", json=order_body(order_world), headers=owner).get_json()
    failures: list[tuple[Any, ...]] = []
    for (method, path), body in _bodies(order_world, order).items():
        headers = root if path in ("/api/v1/shops", "/api/v1/users") else owner
        for key in body:
            for odd in ODD:
                extra = _if_match(client, path, headers) if method == "PATCH" else {}
                response = client.open(path, method=method, json={**body, key: odd}, headers={**headers, **extra})
                if not _is_clean_refusal(response):
                    failures.append((method, path, key, repr(odd)[:30], response.status_code))
    for path in LIST_PATHS:
        for value in ["x" * 5000, "%", "%00", "#", "@", "&", "!", "-1", "99999999999999999999"]:
            response = client.get(path + value, headers=owner)
            if not _is_clean_refusal(response):
                failures.append(("GET", path, value[:20], response.status_code))
    assert failures == []


def test_nul_and_huge_integers_name_their_field(client: FlaskClient, order_world: Any, token: Any) -> None:
    body = order_body(order_world, lines=[{"sku": "STD-1\x00", "quantity": 1}])
    response = client.post("/api/v1/orders", json=body, headers=token("csr"))
    assert response.status_code == 422
    assert "lines.0.sku" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/orders", json=order_body(order_world, customer_id=10**20), headers=token("csr"))
    assert response.status_code == 422
    assert "customer_id" in response.get_json()["error"]["fields"]
    response = client.get("/api/v1/orders?q=a%00b", headers=token("csr"))
    assert response.status_code == 422
    assert "q" in response.get_json()["error"]["fields"]


def test_customer_addresses_must_be_a_list(client: FlaskClient, order_world: Any, token: Any) -> None:
    response = client.post("/api/v1/customers", headers=token("csr"), json={
        "shop": "OWN", "email": "odd@example.com", "first_name": "O", "last_name": "D", "addresses": 7})
    assert response.status_code == 422
    assert "addresses" in response.get_json()["error"]["fields"]
