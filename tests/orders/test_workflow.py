"""Events through the API: confirm, pay, pack, ship, cancel, void, suspend, blocks, dry runs, history."""

from __future__ import annotations

from typing import Any

import pytest


def event(client: Any, token: Any, order: dict[str, Any], name: str, role: str = "csr", **extra: Any) -> Any:
    return client.post(f"/api/v1/orders/{order['id']}/events", json={"event": name, **extra}, headers=token(role))


def move(client: Any, token: Any, order: dict[str, Any], delivery_id: int, name: str, role: str = "csr") -> Any:
    return client.post(f"/api/v1/orders/{order['id']}/deliveries/{delivery_id}/events", json={"event": name},
                       headers=token(role))


def read(client: Any, token: Any, order: dict[str, Any]) -> dict[str, Any]:
    return client.get(f"/api/v1/orders/{order['id']}", headers=token("csr")).get_json()


def stock(client: Any, token: Any, sku: str) -> dict[str, Any]:
    return client.get(f"/api/v1/shops/OWN/stock/{sku}", headers=token("csr")).get_json()


def test_on_delivery_confirm_pack_ship_complete(client: Any, place: Any, token: Any) -> None:
    order = place(lines=[{"sku": "STD-1", "quantity": 2}, {"sku": "DIG-1", "quantity": 1}])
    confirmed = event(client, token, order, "confirm")
    assert confirmed.status_code == 200
    body = confirmed.get_json()
    assert (body["from"], body["to"], body["order"]["state"]) == ("pending", "in_progress", "in_progress")
    deliveries = body["order"]["deliveries"]
    assert {d["state"] for d in deliveries} == {"allocated"}
    standard = next(d for d in deliveries if d["group"] == "standard")
    digital = next(d for d in deliveries if d["group"] == "digital")
    assert move(client, token, order, standard["id"], "pack").status_code == 200
    shipped = move(client, token, order, standard["id"], "ship")
    assert shipped.status_code == 200
    assert shipped.get_json()["order"]["state"] == "partially_shipped"
    assert stock(client, token, "STD-1") == {"sku": "STD-1", "warehouse": "MAIN", "quantity": 3, "reserved": 0,
                                              "available": 3}
    move(client, token, order, digital["id"], "pack")
    final = move(client, token, order, digital["id"], "ship").get_json()["order"]
    assert final["state"] == "completed"
    # cancel after shipping: refused by the state
    refused = event(client, token, order, "cancel")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "invalid_transition"


def test_prepay_waits_for_payment(client: Any, place: Any, token: Any) -> None:
    order = place(payment_flow="prepay")
    body = event(client, token, order, "confirm").get_json()
    assert body["order"]["state"] == "waiting_payment"
    assert {d["state"] for d in body["order"]["deliveries"]} == {"reserved"}
    part = client.post(f"/api/v1/orders/{order['id']}/payments",
                       json={"method": "card", "amount": "10.00", "status": "captured", "reference": "p1"},
                       headers=token("csr"))
    assert part.status_code == 201
    assert part.get_json()["order"]["state"] == "waiting_payment"
    rest = client.post(f"/api/v1/orders/{order['id']}/payments",
                       json={"method": "card", "amount": "13.80", "status": "captured", "reference": "p2"},
                       headers=token("csr"))
    after = rest.get_json()["order"]
    assert after["state"] == "in_progress"
    assert after["totals"]["paid"] == "23.80"
    assert {d["state"] for d in after["deliveries"]} == {"allocated"}


def test_external_authorization_then_capture_counts_once(client: Any, place: Any, token: Any) -> None:
    order = place(payment_flow="external")
    event(client, token, order, "confirm")
    url = f"/api/v1/orders/{order['id']}/payments"
    client.post(url, json={"method": "psp", "amount": "23.80", "status": "authorized", "reference": "tx"},
                headers=token("csr"))
    late = client.post(url, json={"method": "psp", "amount": "23.80", "status": "captured", "reference": "tx"},
                       headers=token("csr")).get_json()["order"]
    assert late["state"] == "in_progress"
    assert late["totals"]["paid"] == "23.80"
    assert [p["status"] for p in late["payments"]] == ["captured"]


def test_failed_payment_cancels_and_releases_stock(client: Any, place: Any, token: Any) -> None:
    order = place(payment_flow="prepay")
    event(client, token, order, "confirm")
    failed = client.post(f"/api/v1/orders/{order['id']}/payments",
                         json={"method": "card", "amount": "23.80", "status": "failed", "reference": "x"},
                         headers=token("csr")).get_json()["order"]
    assert failed["state"] == "cancelled"
    assert stock(client, token, "STD-1")["reserved"] == 0


def test_late_payment_after_cancel_waits_for_refund(client: Any, place: Any, token: Any) -> None:
    order = place(payment_flow="prepay")
    assert event(client, token, order, "cancel").get_json()["order"]["state"] == "cancelled"
    late = client.post(f"/api/v1/orders/{order['id']}/payments",
                       json={"method": "card", "amount": "23.80", "status": "captured"},
                       headers=token("csr")).get_json()["order"]
    assert late["state"] == "cancelled_waiting_refund"
    assert event(client, token, order, "refund").status_code == 403
    refunded = event(client, token, order, "refund", role="supervisor").get_json()["order"]
    assert refunded["state"] == "cancelled"
    assert refunded["totals"]["refunded"] == "23.80"


def test_per_shipment_needs_payment_for_each_shipment(client: Any, place: Any, token: Any) -> None:
    order = place(payment_flow="per_shipment")
    delivery = event(client, token, order, "confirm").get_json()["order"]["deliveries"][0]
    move(client, token, order, delivery["id"], "pack")
    refused = move(client, token, order, delivery["id"], "ship")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["fields"]["reason"] == "unpaid"
    client.post(f"/api/v1/orders/{order['id']}/payments",
                json={"method": "card", "amount": "23.80", "status": "captured"}, headers=token("csr"))
    assert move(client, token, order, delivery["id"], "ship").status_code == 200


def test_cancel_releases_stock_and_voids_deliveries(client: Any, place: Any, token: Any) -> None:
    order = place()
    assert stock(client, token, "STD-1")["reserved"] == 2
    dry = event(client, token, order, "cancel", dry_run=True)
    assert dry.status_code == 200
    assert dry.get_json()["dry_run"] is True
    assert "release 2 × STD-1" in dry.get_json()["effects"]
    assert "order_cancelled" in dry.get_json()["notifications"]
    assert stock(client, token, "STD-1")["reserved"] == 2
    assert read(client, token, order)["state"] == "pending"
    done = event(client, token, order, "cancel").get_json()["order"]
    assert done["state"] == "cancelled"
    assert {d["state"] for d in done["deliveries"]} == {"voided"}
    assert stock(client, token, "STD-1")["reserved"] == 0


def test_void_needs_a_supervisor(client: Any, place: Any, token: Any) -> None:
    order = place()
    refused = event(client, token, order, "void")
    assert refused.status_code == 403
    assert event(client, token, order, "void", role="supervisor").get_json()["order"]["state"] == "voided"


def test_blocks_stop_shipping(client: Any, place: Any, token: Any) -> None:
    order = place()
    delivery = event(client, token, order, "confirm").get_json()["order"]["deliveries"][0]
    block = client.post(f"/api/v1/orders/{order['id']}/blocks", json={"reason": "fraud check"}, headers=token("csr"))
    assert block.status_code == 201
    assert {k: block.get_json()[k] for k in ("reason", "active")} == {"reason": "fraud check", "active": True}
    refused = move(client, token, order, delivery["id"], "pack")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["fields"]["reason"] == "blocked"
    detail = read(client, token, order)
    actions = {a["event"]: a for a in detail["deliveries"][0]["actions"]}
    assert actions["pack"] == {"event": "pack", "allowed": False, "reason": "blocked"}
    # a blocked order can still be edited
    patch = client.patch(f"/api/v1/orders/{order['id']}", json={"attributes": {"po": "1"}, "reason": "po"},
                         headers={**token("csr"), "If-Match": str(detail["version"])})
    assert patch.status_code == 200
    url = f"/api/v1/orders/{order['id']}/blocks/{block.get_json()['id']}"
    assert client.delete(url, headers=token("csr")).status_code == 403
    released = client.delete(url, headers=token("supervisor"))
    assert released.status_code == 200
    assert released.get_json()["active"] is False
    assert move(client, token, order, delivery["id"], "pack").status_code == 200
    assert move(client, token, order, delivery["id"], "ship").status_code == 200


def test_suspend_and_resume(client: Any, place: Any, token: Any) -> None:
    order = place()
    assert event(client, token, order, "suspend").status_code == 200
    refused = event(client, token, order, "confirm")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["fields"]["reason"] == "suspended"
    assert event(client, token, order, "suspend").status_code == 409
    assert event(client, token, order, "resume").status_code == 200
    assert event(client, token, order, "confirm").status_code == 200


def test_history_records_refusals(client: Any, place: Any, token: Any) -> None:
    order = place()
    event(client, token, order, "refund")
    event(client, token, order, "void")
    event(client, token, order, "confirm")
    items = client.get(f"/api/v1/orders/{order['id']}/events", headers=token("csr")).get_json()["items"]
    assert [(i["event"], i["allowed"], i["reason"]) for i in items] == [
        ("confirm", True, None), ("void", False, "role"), ("refund", False, "state"), ("place", True, None)]


def test_unknown_event_and_delivery(client: Any, place: Any, token: Any) -> None:
    order = place()
    assert event(client, token, order, "explode").status_code == 422
    assert event(client, token, order, "payment_confirmed").status_code == 409
    assert move(client, token, order, 999_999, "pack").status_code == 404
    assert move(client, token, order, order["deliveries"][0]["id"], "explode").status_code == 422
    response = client.post(f"/api/v1/orders/{order['id']}/events", json={}, headers=token("csr"))
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["csr", "supervisor"])
def test_return_needs_supervisor(client: Any, place: Any, token: Any, role: str) -> None:
    order = place()
    delivery = event(client, token, order, "confirm").get_json()["order"]["deliveries"][0]
    move(client, token, order, delivery["id"], "pack")
    move(client, token, order, delivery["id"], "ship")
    response = event(client, token, order, "return", role=role)
    assert response.status_code == (403 if role == "csr" else 200)
