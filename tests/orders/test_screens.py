"""The call-center screens through the test client: search, detail, actions, edit, stale edits."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.factories import login


def _signed_in(app: Any, email: str = "csr@test.example") -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def test_search_detail_and_refused_actions(app: Any, place: Any) -> None:
    order = place()
    client = _signed_in(app)
    listing = client.get("/admin/orders/?search=leeown").get_data(as_text=True)
    assert order["number"] in listing
    assert "Waiting for payment" in listing
    detail = client.get(f"/admin/orders/details/?id={order['id']}").get_data(as_text=True)
    assert 'data-testid="action-confirm"' in detail
    assert 'data-testid="refused-void"' in detail  # a CSR may not void: shown with the reason
    assert "your role does not allow it" in detail
    assert "€" in detail


def test_confirm_and_dry_run_from_the_screen(app: Any, place: Any, client: FlaskClient, token: Any) -> None:
    order = place()
    screen = _signed_in(app)
    page = screen.get(f"/admin/orders/details/?id={order['id']}").get_data(as_text=True)
    csrf = csrf_token_from(page)
    dry = screen.post(f"/admin/orders/event/?id={order['id']}",
                      data={"csrf_token": csrf, "event": "cancel", "dry_run": "1"}, follow_redirects=True)
    assert "release 2 × STD-1" in dry.get_data(as_text=True)
    done = screen.post(f"/admin/orders/event/?id={order['id']}", data={"csrf_token": csrf, "event": "confirm"},
                       follow_redirects=True)
    assert done.status_code == 200
    assert client.get(f"/api/v1/orders/{order['id']}", headers=token("csr")).get_json()["state"] == "in_progress"


def test_edit_quantity_and_stale_edit(app: Any, place: Any, client: FlaskClient, token: Any) -> None:
    order = place()
    line_id = order["lines"][0]["id"]
    screen = _signed_in(app)
    form = screen.get(f"/admin/orders/edit/?id={order['id']}").get_data(as_text=True)
    csrf = csrf_token_from(form)
    saved = screen.post(f"/admin/orders/edit/?id={order['id']}", data={
        "csrf_token": csrf, "version": str(order["version"]), f"qty-{line_id}": "3", f"price-{line_id}": "10.00",
        "reason": "customer called"}, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "Saved as version 2" in text
    assert "Line STD-1 · Quantity: 2 → 3" in text
    # a second CSR still holding version 1: refused, shown the newer version
    stale = screen.post(f"/admin/orders/edit/?id={order['id']}", data={
        "csrf_token": csrf, "version": "1", f"qty-{line_id}": "1", "reason": "late"})
    body = stale.get_data(as_text=True)
    assert "meanwhile" in body
    assert 'data-testid="stale-warning"' in body
    assert client.get(f"/api/v1/orders/{order['id']}", headers=token("csr")).get_json()["lines"][0]["quantity"] == 3


def test_capture_from_the_screen(app: Any, order_world: Any) -> None:
    screen = _signed_in(app)
    page = screen.get("/admin/orders/new/").get_data(as_text=True)
    csrf = csrf_token_from(page)
    response = screen.post("/admin/orders/new/", data={
        "csrf_token": csrf, "shop": str(order_world["OWN"]["shop_id"]),
        "customer_id": order_world["OWN"]["customer_id"],
        "sku-0": "STD-1", "qty-0": "1", "sku-1": "STD-2", "qty-1": "2", "price-1": "4.10",
        "channel": "phone", "payment_flow": "on_delivery", "save_as": "order"},
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "OWN-000001" in text
    refused = screen.post("/admin/orders/new/", data={
        "csrf_token": csrf, "shop": str(order_world["OWN"]["shop_id"]),
        "customer_id": order_world["OWN"]["customer_id"],
        "sku-0": "STD-2", "qty-0": "1", "price-0": "1.00",
        "channel": "phone", "payment_flow": "on_delivery", "save_as": "order"})
    assert "your limit is" in refused.get_data(as_text=True)
