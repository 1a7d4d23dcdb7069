"""A shop with a customer who allows assistance, a product in stock, and its staff."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import Role
from tests.conftest import csrf_token_from
from tests.customers.factories import make_customer
from tests.factories import PASSWORD, login, make_shop, make_user
from tests.orders.factories import make_product

CUSTOMER_PASSWORD = "customer-secret-1"
ADDRESS = {"kind": "shipping", "name": "Ann Assisted", "line1": "Main St 1", "city": "Berlin", "postcode": "10115",
           "country": "DE"}


@pytest.fixture
def shop_world(app: Flask) -> dict[str, Any]:
    with app.app_context():
        make_shop(code="OWN", customer_assistance=True)
        make_shop(code="OTHER", customer_assistance=True)
        make_shop(code="OFF", customer_assistance=False)
        ids = {
            "csr": make_user("csr@test.example", roles={"OWN": Role.CSR, "OFF": Role.CSR}, name="Carla CSR"),
            "csr2": make_user("csr2@test.example", roles={"OWN": Role.CSR}, name="Chris Colleague"),
            "supervisor": make_user("sup@test.example", roles={"OWN": Role.SUPERVISOR}, name="Sue Supervisor"),
            "manager": make_user("manager@test.example", roles={"OWN": Role.MANAGER}, name="Max Manager"),
            "outsider": make_user("outsider@test.example", roles={"OTHER": Role.OWNER}, name="Otto Outsider"),
        }
        make_product("OWN", "SKU-1", price="10.00", quantity=50)
        make_product("OTHER", "SKU-1", price="10.00", quantity=50)
        ids["customer"] = make_customer("OWN", "ann@example.com", first_name="Ann", last_name="Assisted",
                                        allow_assistance=True, password=CUSTOMER_PASSWORD, addresses=[ADDRESS])
        ids["shy"] = make_customer("OWN", "shy@example.com", allow_assistance=False, password=CUSTOMER_PASSWORD)
        ids["off_customer"] = make_customer("OFF", "off@example.com", allow_assistance=True)
        ids["other_customer"] = make_customer("OTHER", "olga@example.com", allow_assistance=True,
                                              password=CUSTOMER_PASSWORD, addresses=[ADDRESS])
    return ids


def staff_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = login(client, email, PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def start_from_admin(client: FlaskClient, customer_id: int, shop: str = "OWN", reason: str = "Phone order",
                     reason_code: str = "phone_order") -> Any:
    page = client.get(f"/admin/assistance/start/?customer_id={customer_id}")
    assert page.status_code == 200, page.status_code
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(f"/admin/assistance/begin/?customer_id={customer_id}",
                       data={"csrf_token": token, "shop": shop, "reason": reason, "reason_code": reason_code,
                             "ticket": "T-1"})


def redeem(client: FlaskClient, url: str) -> Any:
    """Open the hand-off link and press the button, as the operator's browser does."""
    path = url.split("localhost", 1)[-1]
    page = client.get(path)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def assist(app: Flask, operator_email: str, customer_id: int) -> FlaskClient:
    """A staff browser signed in to the admin and assisting the customer in OWN's storefront."""
    client = staff_client(app, operator_email)
    started = start_from_admin(client, customer_id)
    assert started.status_code == 302, started.get_data(as_text=True)[:2000]
    redeemed = redeem(client, started.headers["Location"])
    assert redeemed.status_code == 302, redeemed.get_data(as_text=True)[:2000]
    return client


def store_sign_in(client: FlaskClient, shop: str, email: str, password: str = CUSTOMER_PASSWORD) -> Any:
    page = client.get(f"/store/{shop}/sign-in")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(f"/store/{shop}/sign-in", data={"csrf_token": token, "email": email, "password": password})


def post_form(client: FlaskClient, page_path: str, action: str, data: dict[str, Any] | None = None) -> Any:
    page = client.get(page_path)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **(data or {})})
