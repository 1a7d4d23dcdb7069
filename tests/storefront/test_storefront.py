"""The storefront as a customer uses it: sign-in, its own session, isolation, password reset."""

from __future__ import annotations

from typing import Any

from flask import Flask

from shopadmin.core.access import system_access
from tests.assistance.conftest import post_form, staff_client, store_sign_in
from tests.orders.factories import make_order, make_order_customer

PLATFORM = system_access("tests")


def test_sign_in_and_out(app: Flask, shop_world: dict[str, Any]) -> None:
    client = app.test_client()
    assert client.get("/store/OWN/account").status_code == 302
    assert store_sign_in(client, "OWN", "ann@example.com", "wrong-password").status_code == 401
    assert store_sign_in(client, "OWN", "ann@example.com").status_code == 302
    page = client.get("/store/OWN/account")
    assert page.status_code == 200
    assert 'name="viewport"' in page.get_data(as_text=True)
    post_form(client, "/store/OWN/account", "/store/OWN/sign-out")
    assert client.get("/store/OWN/account").status_code == 302


def test_sessions_are_apart(app: Flask, shop_world: dict[str, Any]) -> None:
    client = staff_client(app, "csr@test.example")
    # A staff session is no storefront session...
    assert client.get("/store/OWN/account").status_code == 302
    assert store_sign_in(client, "OWN", "ann@example.com").status_code == 302
    # ...a storefront session is no admin session, and the admin session survives it.
    assert client.get("/admin/").status_code == 200
    customer_only = app.test_client()
    store_sign_in(customer_only, "OWN", "ann@example.com")
    assert customer_only.get("/admin/").status_code == 302
    # One shop's storefront cookie is worthless on another shop's storefront.
    cookie = next(c for c in customer_only._cookies.values() if c.key == "shopadmin_store")
    assert cookie.path == "/store/OWN/"
    foreign = app.test_client()
    foreign.set_cookie("shopadmin_store", cookie.value, path="/store/OTHER/")
    assert foreign.get("/store/OTHER/account").status_code == 302


def test_a_customer_sees_only_their_own_orders(app: Flask, shop_world: dict[str, Any]) -> None:
    with app.app_context():
        other_order = make_order("OWN", make_order_customer("OWN"), sku="SKU-1")
        own_order = make_order("OWN", shop_world["customer"], sku="SKU-1")
    client = app.test_client()
    store_sign_in(client, "OWN", "ann@example.com")
    assert client.get(f"/store/OWN/orders/{own_order}").status_code == 200
    assert client.get(f"/store/OWN/orders/{other_order}").status_code == 404
    assert client.get("/store/OWN/orders/999999").status_code == 404
    # Another shop's customer cannot sign in here.
    assert store_sign_in(app.test_client(), "OWN", "olga@example.com").status_code == 401


def test_forms_need_csrf(app: Flask, shop_world: dict[str, Any]) -> None:
    client = app.test_client()
    store_sign_in(client, "OWN", "ann@example.com")
    response = client.post("/store/OWN/account/addresses", data={
        "kind": "billing", "name": "X", "line1": "Y", "city": "Z", "country": "DE"})
    assert response.status_code == 400


def test_sign_in_is_rate_limited(app_factory: Any, shop_world: dict[str, Any]) -> None:
    limited = app_factory(SHOPADMIN_LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [store_sign_in(client, "OWN", "ann@example.com", "wrong-password").status_code for _ in range(5)]
    assert codes[-1] == 429
