"""PATCH with If-Match, versions and their differences, clone, comments, search."""

from __future__ import annotations

from typing import Any

from tests.orders.test_workflow import event, stock


def patch(client: Any, token: Any, order: dict[str, Any], body: dict[str, Any], version: Any,
          role: str = "csr") -> Any:
    headers = {**token(role)}
    if version is not None:
        headers["If-Match"] = str(version)
    return client.patch(f"/api/v1/orders/{order['id']}", json=body, headers=headers)


def test_patch_needs_if_match(client: Any, place: Any, token: Any) -> None:
    order = place()
    missing = patch(client, token, order, {"attributes": {"a": 1}}, None)
    assert missing.status_code == 428
    stale = patch(client, token, order, {"attributes": {"a": 1}}, order["version"] + 5)
    assert stale.status_code == 412
    ok = patch(client, token, order, {"attributes": {"a": 1}, "reason": "tag"}, order["version"])
    assert ok.status_code == 200
    assert ok.get_json()["version"] == order["version"] + 1
    assert ok.headers["ETag"] == f'"{order["version"] + 1}"'
    again = patch(client, token, order, {"attributes": {"a": 2}}, order["version"])
    assert again.status_code == 412


def test_quantity_change_makes_a_version_and_moves_stock(client: Any, place: Any, token: Any) -> None:
    order = place()
    changed = patch(client, token, order, {"lines": [{"sku": "STD-1", "quantity": 4}, {"sku": "STD-2", "quantity": 1}],
                                           "reason": "customer called"}, order["version"])
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [("STD-1", 4), ("STD-2", 1)]
    assert body["totals"]["subtotal"] == "44.50"
    assert stock(client, token, "STD-1")["reserved"] == 4
    too_many = patch(client, token, order, {"lines": [{"sku": "STD-1", "quantity": 6}]}, body["version"])
    assert too_many.status_code == 409
    assert stock(client, token, "STD-1")["reserved"] == 4
    versions = client.get(f"/api/v1/orders/{order['id']}/versions", headers=token("csr")).get_json()["items"]
    assert [v["number"] for v in versions] == [body["version"], 1]
    latest = versions[0]
    assert latest["reason"] == "customer called"
    assert latest["user_id"] is not None
    fields = {c["field"]: c for c in latest["changes"]}
    assert fields["lines.STD-1.quantity"] == {"field": "lines.STD-1.quantity", "from": 2, "to": 4}
    assert "lines.STD-2" in fields
    one = client.get(f"/api/v1/orders/{order['id']}/versions/1", headers=token("csr")).get_json()
    assert one["order"]["lines"][0]["quantity"] == 2
    assert client.get(f"/api/v1/orders/{order['id']}/versions/99", headers=token("csr")).status_code == 404


def test_price_kept_on_edit_and_override_checked(client: Any, place: Any, token: Any) -> None:
    order = place(lines=[{"sku": "STD-1", "quantity": 1, "unit_price": "9.50"}])
    kept = patch(client, token, order, {"lines": [{"sku": "STD-1", "quantity": 2}]}, order["version"]).get_json()
    assert kept["lines"][0]["unit_price"] == "9.50"
    refused = patch(client, token, order, {"lines": [{"sku": "STD-1", "quantity": 2, "unit_price": "5.00"}]},
                    kept["version"])
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "override_limit"


def test_edit_refused_after_shipping(client: Any, place: Any, token: Any) -> None:
    order = place()
    event(client, token, order, "cancel")
    current = client.get(f"/api/v1/orders/{order['id']}", headers=token("csr")).get_json()
    response = patch(client, token, order, {"attributes": {"x": "y"}}, current["version"])
    assert response.status_code == 409


def test_unknown_fields_and_bad_values(client: Any, place: Any, token: Any) -> None:
    order = place()
    assert patch(client, token, order, {"lines": [{"sku": "STD-1", "quantity": 0}]},
                 order["version"]).status_code == 422
    assert patch(client, token, order, {"shipping_address": {"name": ""}}, order["version"]).status_code == 422


def test_clone(client: Any, place: Any, token: Any) -> None:
    order = place()
    clone = client.post(f"/api/v1/orders/{order['id']}/clone", headers=token("csr"))
    assert clone.status_code == 201
    body = clone.get_json()
    assert body["shop"] == "OWN"
    assert body["id"] != order["id"]
    assert body["number"] != order["number"]
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [("STD-1", 2)]
    assert body["source_order_id"] == order["id"]


def test_comments(client: Any, place: Any, token: Any) -> None:
    order = place()
    url = f"/api/v1/orders/{order['id']}/comments"
    posted = client.post(url, json={"text": "Called the customer", "notify_customer": True}, headers=token("csr"))
    assert posted.status_code == 201
    assert posted.get_json()["notify_customer"] is True
    assert client.post(url, json={"text": ""}, headers=token("csr")).status_code == 422
    items = client.get(url, headers=token("csr")).get_json()["items"]
    assert [c["text"] for c in items] == ["Called the customer"]


def test_search(client: Any, place: Any, token: Any, order_world: Any) -> None:
    first = place()
    second = place(lines=[{"sku": "STD-2", "quantity": 1}],
                   shipping_address={"name": "Bob Builder", "line1": "x", "city": "Köln", "country": "DE"})
    sub = place(shop="SUB")
    place(shop="OTHER", role="super")

    def ids(**params: Any) -> list[int]:
        response = client.get("/api/v1/orders", query_string=params, headers=token("csr"))
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert ids() == [sub["id"], second["id"], first["id"]]  # never OTHER's order
    assert ids(q=first["number"]) == [first["id"]]
    assert ids(q="#OWN-00000") == [second["id"], first["id"]]
    assert ids(q="leeown") == [second["id"], first["id"]]
    assert ids(q="bob build") == [second["id"]]
    assert ids(q="@ann.own@example.com") == [second["id"], first["id"]]
    assert ids(q="&STD-2") == [second["id"]]
    assert ids(q="!STD-1") == [sub["id"], first["id"]]
    assert ids(q="!STD-1", shop="OWN") == [first["id"]]
    assert ids(shop="SUB") == [sub["id"]]
    assert ids(state="pending", customer_id=order_world["OWN"]["customer_id"]) == [second["id"], first["id"]]
    assert ids(state="cancelled") == []
    assert client.get("/api/v1/orders?state=bogus", headers=token("csr")).status_code == 422
    assert client.get("/api/v1/orders?shop=OTHER", headers=token("csr")).status_code == 404
    page1 = client.get("/api/v1/orders?limit=2", headers=token("csr")).get_json()
    assert [i["id"] for i in page1["items"]] == [sub["id"], second["id"]]
    page2 = client.get(f"/api/v1/orders?limit=2&cursor={page1['next']}", headers=token("csr")).get_json()
    assert [i["id"] for i in page2["items"]] == [first["id"]]
    assert page2["next"] is None
