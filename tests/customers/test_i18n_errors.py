"""Domain errors on a screen speak the reader's language (ADR 0006): the message is a lazy
string translated when it is flashed, in the signed-in user's locale."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers import services
from shopadmin.tenants import services as tenants
from tests.conftest import csrf_token_from
from tests.customers.factories import make_customer
from tests.factories import login, make_user

PLATFORM = system_access("tests")


def _disabled_in_eu2(app: Flask) -> int:
    """A customer of EU1 whose link to EU2 (same sharing group) the shop disabled."""
    with app.app_context():
        customer_id = make_customer("EU1", "ines@example.com")
        with unit_of_work(PLATFORM):
            customer = services.get_customer(PLATFORM, customer_id)
            eu2 = tenants.get_shop(PLATFORM, "EU2")
            services.ensure_registered(PLATFORM, customer, eu2)
            services.set_link_disabled(PLATFORM, customer, eu2, disabled=True)
        return customer_id


def _register_again(client: FlaskClient, customer_id: int) -> str:
    url = f"/admin/customers/register/?id={customer_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    page = client.post(url, data={"shop": "EU2", "csrf_token": token}, follow_redirects=True)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_domain_error_flashed_on_a_screen_is_in_the_users_language(
    app: Flask, client: FlaskClient, shops: dict[str, int]
) -> None:
    customer_id = _disabled_in_eu2(app)
    with app.app_context():
        make_user("chefin@test.example", superadmin=True, locale="de")
        make_user("boss@test.example", superadmin=True, locale="en")

    login(client, "chefin@test.example")
    german = _register_again(client, customer_id)
    assert "Dieser Shop hat den Kunden gesperrt." in german
    assert "This shop has disabled the customer." not in german

    login(english := app.test_client(), "boss@test.example")
    assert "This shop has disabled the customer." in _register_again(english, customer_id)


def test_the_api_answers_errors_in_english_with_a_stable_code_whatever_the_language(
    app: Flask, client: FlaskClient, shops: dict[str, int]
) -> None:
    with app.app_context():
        make_user("chefin@test.example", superadmin=True, locale="de")
    wrong = client.post("/api/v1/tokens", json={"email": "chefin@test.example", "password": "not it"},
                        headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert wrong.status_code == 401
    assert wrong.get_json() == {"error": {"code": "invalid_credentials", "message": "Wrong email or password.",
                                          "fields": {}}}
