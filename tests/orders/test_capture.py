"""Capture through the API: totals, stock reservation, overrides, bad input, idempotency."""

from __future__ import annotations

from typing import Any

import pytest

from tests.orders.conftest import order_body


def _stock(client: Any, token: Any, sku: str, shop: str = "OWN") -> dict[str, Any]:
    response = client.get(f"/api/v1/shops/{shop}/stock/{sku}", headers=token("csr"))
    assert response.status_code == 200
    return response.get_json()


def test_order_json_shape(place: Any) -> None:
    order = place(lines=[{"sku": "STD-1", "quantity": 2}, {"sku": "DIG-1", "quantity": 1}])
    for key in ("id", "number", "shop", "customer_id", "state", "channel", "currency", "lines", "deliveries",
                "totals", "blocks", "version", "created_by", "created_at", "actions"):
        assert key in order
    assert order["shop"] == "OWN"
    assert order["currency"] == "EUR"
    line = order["lines"][0]
    assert {k: line[k] for k in ("sku", "name", "quantity", "unit_price", "list_price", "tax_rate", "total")} == {
        "sku": "STD-1", "name": "Standard widget", "quantity": 2, "unit_price": "10.00", "list_price": "10.00",
        "tax_rate": "0.1900", "total": "20.00"}
    assert sorted(d["group"] for d in order["deliveries"]) == ["digital", "standard"]
    assert all(d["state"] == "reserved" for d in order["deliveries"])
    assert order["created_by"]["user_id"] is not None
    assert "operator_id" in order["created_by"]
    actions = {a["event"]: a for a in order["actions"]}
    assert actions["confirm"]["allowed"] is True
    assert actions["void"] == {"event": "void", "allowed": False, "reason": "role", "to": None}
    assert actions["resume"]["reason"] == "not_suspended"
    assert actions["submit"]["reason"] == "state"


def test_reservation_and_numbers(client: Any, place: Any, token: Any) -> None:
    first = place()
    second = place(lines=[{"sku": "STD-1", "quantity": 3}])
    assert (first["number"], second["number"]) == ("OWN-000001", "OWN-000002")
    assert _stock(client, token, "STD-1") == {"sku": "STD-1", "warehouse": "MAIN", "quantity": 5, "reserved": 5,
                                               "available": 0}
    sub = place(shop="SUB")
    assert sub["number"] == "SUB-000001"


def test_insufficient_stock_keeps_nothing(client: Any, order_world: Any, token: Any) -> None:
    body = order_body(order_world, lines=[{"sku": "STD-2", "quantity": 1}, {"sku": "STD-1", "quantity": 6}])
    response = client.post("/api/v1/orders", json=body, headers=token("csr"))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "insufficient_stock"
    assert _stock(client, token, "STD-2")["reserved"] == 0
    assert client.get("/api/v1/orders", headers=token("csr")).get_json()["items"] == []


def test_backorder_preorder_split_and_ship_together(place: Any) -> None:
    lines = [{"sku": "STD-1", "quantity": 1}, {"sku": "BO-1", "quantity": 1}, {"sku": "PRE-1", "quantity": 1}]
    split = place(lines=lines)
    states = {d["group"]: d["state"] for d in split["deliveries"]}
    assert states == {"standard": "reserved", "backorder": "wait_inventory", "preorder": "wait_date"}
    together = place(lines=lines, ship_together=True)
    assert [(d["group"], d["state"]) for d in together["deliveries"]] == [("preorder", "wait_date")]


def test_backorder_allocated_when_stock_arrives(client: Any, place: Any, token: Any) -> None:
    order = place(lines=[{"sku": "BO-1", "quantity": 2}])
    client.post(f"/api/v1/orders/{order['id']}/events", json={"event": "confirm"}, headers=token("csr"))
    put = client.put("/api/v1/shops/OWN/stock/BO-1", json={"warehouse": "MAIN", "quantity": 5},
                     headers=token("manager"))
    assert put.get_json()["reserved"] == 2
    after = client.get(f"/api/v1/orders/{order['id']}", headers=token("csr")).get_json()
    assert [d["state"] for d in after["deliveries"]] == ["allocated"]


@pytest.mark.parametrize(("role", "price", "status"), [
    ("csr", "9.00", 201),  # 10% under: the CSR's limit
    ("csr", "8.99", 403),
    ("supervisor", "8.99", 403),
    ("super", "1.00", 201),
    ("csr", "12.00", 201),  # over the list price is no override of the limit
])
def test_price_override_limit(client: Any, order_world: Any, token: Any, role: str, price: str,
                              status: int) -> None:
    body = order_body(order_world, lines=[{"sku": "STD-1", "quantity": 1, "unit_price": price}])
    response = client.post("/api/v1/orders", json=body, headers=token(role))
    assert response.status_code == status, response.get_json()
    if status == 403:
        assert response.get_json()["error"]["code"] == "override_limit"
    else:
        line = response.get_json()["lines"][0]
        assert line["unit_price"] == price
        assert line["list_price"] == "10.00"
        assert line["overridden_by"] is not None


@pytest.mark.parametrize(("change", "field"), [
    ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "lines.0.sku"),
    ({"lines": [{"sku": "STD-1", "quantity": 0}]}, "lines.0.quantity"),
    ({"lines": [{"sku": "STD-1", "quantity": -2}]}, "lines.0.quantity"),
    ({"lines": [{"sku": "STD-1", "quantity": "2"}]}, "lines.0.quantity"),
    ({"lines": [{"sku": "STD-1", "quantity": 1, "unit_price": 9.5}]}, "lines.0.unit_price"),
    ({"lines": [{"sku": "STD-1", "quantity": 1, "unit_price": "9.999"}]}, "lines.0.unit_price"),
    ({"lines": [{"sku": "STD-1", "quantity": 1, "unit_price": "ten"}]}, "lines.0.unit_price"),
    ({"lines": [{"sku": "STD-1", "quantity": 1, "unit_price": "-1"}]}, "lines.0.unit_price"),
    ({"currency": "USD"}, "currency"),
    ({"currency": "XYZ"}, "currency"),
    ({"channel": "fax"}, "channel"),
    ({"payment_flow": "barter"}, "payment_flow"),
    ({"lines": []}, "lines"),
    ({"shipping_address": {"name": "X", "country": "AA"}}, "shipping_address.country"),
])
def test_bad_input_is_422(client: Any, order_world: Any, token: Any, change: dict[str, Any], field: str) -> None:
    response = client.post("/api/v1/orders", json=order_body(order_world, **change), headers=token("csr"))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_every_bad_line_is_named_at_once(client: Any, order_world: Any, token: Any) -> None:
    """A CSR on the phone fixes all lines in one go: each bad line's field is in the answer."""
    lines = [{"sku": "NOPE", "quantity": 1}, {"sku": "STD-2", "quantity": 1},
             {"sku": "STD-1", "quantity": 0}, {"sku": "DIG-1", "quantity": 1, "unit_price": "ten"}]
    response = client.post("/api/v1/orders", json=order_body(order_world, lines=lines), headers=token("csr"))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"lines.0.sku", "lines.2.quantity", "lines.3.unit_price"}
    assert error["message"] == "3 lines need a correction."
    assert client.get("/api/v1/orders", headers=token("csr")).get_json()["items"] == []


def test_malformed_body_is_400(client: Any, token: Any, order_world: Any) -> None:
    response = client.post("/api/v1/orders", data="{nope", content_type="application/json", headers=token("csr"))
    assert response.status_code == 400
    response = client.post("/api/v1/orders", json=[1, 2], headers=token("csr"))
    assert response.status_code in (400, 422)


def test_customer_of_other_group_is_422(client: Any, order_world: Any, token: Any) -> None:
    body = order_body(order_world, customer_id=order_world["OTHER"]["customer_id"])
    response = client.post("/api/v1/orders", json=body, headers=token("csr"))
    assert response.status_code == 422
    assert "customer_id" in response.get_json()["error"]["fields"]


def test_other_shop_is_404(client: Any, order_world: Any, token: Any) -> None:
    response = client.post("/api/v1/orders", json=order_body(order_world, "OTHER"), headers=token("csr"))
    assert response.status_code == 404


def test_quote_and_cart_hold_nothing_until_submitted(client: Any, place: Any, token: Any) -> None:
    quote = place(quote=True, lines=[{"sku": "STD-1", "quantity": 5}])
    cart = place(cart=True, lines=[{"sku": "STD-1", "quantity": 5}])
    assert (quote["state"], cart["state"]) == ("quote", "cart")
    assert quote["deliveries"] == []
    assert _stock(client, token, "STD-1")["reserved"] == 0
    submitted = client.post(f"/api/v1/orders/{quote['id']}/events", json={"event": "submit"}, headers=token("csr"))
    assert submitted.status_code == 200
    assert submitted.get_json()["order"]["state"] == "pending"
    refused = client.post(f"/api/v1/orders/{cart['id']}/events", json={"event": "submit"}, headers=token("csr"))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["fields"]["reason"] == "no_stock"


class TestIdempotency:
    def test_same_key_same_body_same_order(self, client: Any, order_world: Any, token: Any) -> None:
        headers = {**token("csr"), "Idempotency-Key": "abc-1"}
        body = order_body(order_world)
        first = client.post("/api/v1/orders", json=body, headers=headers)
        again = client.post("/api/v1/orders", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.get_json() == again.get_json()
        orders = client.get("/api/v1/orders", headers=token("csr")).get_json()["items"]
        assert len(orders) == 1

    def test_same_key_other_body_is_422(self, client: Any, order_world: Any, token: Any) -> None:
        headers = {**token("csr"), "Idempotency-Key": "abc-2"}
        assert client.post("/api/v1/orders", json=order_body(order_world), headers=headers).status_code == 201
        other = order_body(order_world, lines=[{"sku": "STD-1", "quantity": 1}])
        response = client.post("/api/v1/orders", json=other, headers=headers)
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "idempotency_key_reused"

    def test_while_running_is_409(self, app: Any, client: Any, order_world: Any, token: Any) -> None:
        from shopadmin.core.locks import named_lock

        headers = {**token("csr"), "Idempotency-Key": "abc-3"}
        with app.app_context(), named_lock(f"idempotency:{order_world['OWN']['shop_id']}:abc-3"):
            response = client.post("/api/v1/orders", json=order_body(order_world), headers=headers)
        assert response.status_code == 409
        assert client.post("/api/v1/orders", json=order_body(order_world), headers=headers).status_code == 201

    def test_keys_are_per_shop(self, client: Any, order_world: Any, token: Any) -> None:
        headers = {**token("csr"), "Idempotency-Key": "k"}
        a = client.post("/api/v1/orders", json=order_body(order_world), headers=headers)
        b = client.post("/api/v1/orders", json=order_body(order_world, "SUB"), headers=headers)
        assert a.status_code == b.status_code == 201
        assert a.get_json()["id"] != b.get_json()["id"]
