"""Shipping, handling and misc charges: viewable and overridable on the edit and capture
screens and the API, lowering one within the override limit, versions, stale edits."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.factories import login


def _signed_in(app: Flask, email: str = "csr@test.example") -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def _patch(client: FlaskClient, headers: dict[str, str], order: dict[str, Any], charges: dict[str, str]) -> Any:
    current = client.get(f"/api/v1/orders/{order['id']}", headers=headers).get_json()
    return client.patch(f"/api/v1/orders/{order['id']}", json={"charges": charges, "reason": "charges"},
                        headers={**headers, "If-Match": str(current["version"])})


def test_api_charges_and_the_override_limit(client: FlaskClient, place: Any, token: Any) -> None:
    order = place()
    csr = token("csr")
    raised = _patch(client, csr, order, {"shipping": "5.00", "handling": "1.50"})
    assert raised.status_code == 200, raised.get_json()
    body = raised.get_json()
    assert body["charges"] == {"shipping": "5.00", "handling": "1.50", "misc": "0.00"}
    assert body["totals"]["charges"] == "6.50"
    assert body["totals"]["total"] == "30.30"  # 20.00 + 3.80 tax + 6.50
    changes = client.get(f"/api/v1/orders/{order['id']}/versions", headers=csr).get_json()["items"][0]["changes"]
    assert {"field": "charges.shipping", "from": "0.00", "to": "5.00"} in changes
    assert _patch(client, csr, order, {"shipping": "4.50"}).status_code == 200  # 10% off: the CSR's limit
    refused = _patch(client, csr, order, {"shipping": "0"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "override_limit"
    assert "charges.shipping" in refused.get_json()["error"]["fields"]
    assert _patch(client, token("supervisor"), order, {"shipping": "0"}).status_code == 403
    assert _patch(client, token("super"), order, {"shipping": "0"}).status_code == 200
    for bad in ("abc", "-1", "1.234", 12.5, True, "NaN"):
        response = _patch(client, csr, order, {"misc": bad})  # type: ignore[dict-item]
        assert response.status_code == 422, bad
        assert "charges.misc" in response.get_json()["error"]["fields"]


def test_edit_screen_shows_and_overrides_charges(app: Flask, client: FlaskClient, place: Any, token: Any) -> None:
    order = place()
    line_id = order["lines"][0]["id"]
    screen = _signed_in(app)
    form = screen.get(f"/admin/orders/edit/?id={order['id']}").get_data(as_text=True)
    assert 'data-testid="charge-shipping"' in form
    csrf = csrf_token_from(form)
    base = {"csrf_token": csrf, f"qty-{line_id}": "2", f"price-{line_id}": "10.00"}
    saved = screen.post(f"/admin/orders/edit/?id={order['id']}", follow_redirects=True, data={
        **base, "version": "1", "charge-shipping": "4.90", "charge-handling": "1", "charge-misc": "",
        "reason": "express"})
    text = saved.get_data(as_text=True)
    assert "Saved as version 2" in text
    assert "Charges · Shipping charge: 0.00 → 4.90" in text
    assert 'data-testid="order-charges">€5.90<' in text
    # bad money: a form error beside the box, the typed value kept, nothing saved
    bad = screen.post(f"/admin/orders/edit/?id={order['id']}", data={
        **base, "version": "2", "charge-shipping": "4,90x", "charge-handling": "1.00", "charge-misc": "0"})
    page = bad.get_data(as_text=True)
    assert 'data-testid="charge-shipping-error"' in page
    assert 'value="4,90x"' in page
    # beyond the CSR's override limit: refused on the field
    cut = screen.post(f"/admin/orders/edit/?id={order['id']}", data={
        **base, "version": "2", "charge-shipping": "1.00", "charge-handling": "1.00", "charge-misc": "0"})
    assert 'data-testid="charge-shipping-error"' in cut.get_data(as_text=True)
    assert "At most 10" in cut.get_data(as_text=True)
    body = client.get(f"/api/v1/orders/{order['id']}", headers=token("csr")).get_json()
    assert body["version"] == 2
    assert body["charges"]["shipping"] == "4.90"


def test_stale_charge_edit_shows_the_newer_version(app: Flask, place: Any) -> None:
    order = place()
    line_id = order["lines"][0]["id"]
    first, second = _signed_in(app), _signed_in(app, "supervisor@test.example")
    form = first.get(f"/admin/orders/edit/?id={order['id']}").get_data(as_text=True)
    second.get(f"/admin/orders/edit/?id={order['id']}")
    data = {"csrf_token": csrf_token_from(form), f"qty-{line_id}": "2", "version": "1", "charge-handling": "0",
            "charge-misc": "0"}
    assert "Saved as version 2" in first.post(f"/admin/orders/edit/?id={order['id']}", follow_redirects=True,
                                              data={**data, "charge-shipping": "7.00"}).get_data(as_text=True)
    form2 = second.get(f"/admin/orders/edit/?id={order['id']}").get_data(as_text=True)
    stale = second.post(f"/admin/orders/edit/?id={order['id']}", data={
        **data, "csrf_token": csrf_token_from(form2), "charge-shipping": "3.00"})
    page = stale.get_data(as_text=True)
    assert "Changed by csr meanwhile: this is version 2 now" in page
    assert 'data-testid="stale-warning"' in page
    assert 'value="7.00"' in page  # the newer version's charge, not the stale one


@pytest.mark.parametrize(("charge", "ok"), [("3.95", True), ("1.234", False), ("cheap", False)])
def test_capture_screen_takes_charges(app: Flask, order_world: Any, client: FlaskClient, token: Any,
                                      charge: str, ok: bool) -> None:
    screen = _signed_in(app)
    csrf = csrf_token_from(screen.get("/admin/orders/new/").get_data(as_text=True))
    response = screen.post("/admin/orders/new/", follow_redirects=True, data={
        "csrf_token": csrf, "shop": str(order_world["OWN"]["shop_id"]),
        "customer_id": order_world["OWN"]["customer_id"],
        "sku-0": "STD-2", "qty-0": "1", "channel": "phone", "payment_flow": "on_delivery", "save_as": "quote",
        "quote_valid_until": "2031-01-31", "shipping_charge": charge})
    text = response.get_data(as_text=True)
    orders = client.get("/api/v1/orders?shop=OWN", headers=token("csr")).get_json()["items"]
    if ok:
        assert "OWN-000001 saved" in text
        assert orders[0]["charges"]["shipping"] == "3.95"
        assert orders[0]["quote_valid_until"] == "2031-01-31"
        assert orders[0]["state"] == "quote"
    else:
        assert orders == []
        assert 'class="text-danger"' in text
