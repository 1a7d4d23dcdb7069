"""Admin sign-in: credentials, CSRF, rate limit, safe redirects, cookies, sign-out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.staff import services as staff
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, login, make_shop, make_user


@pytest.fixture
def manager(app: Flask) -> int:
    with app.app_context():
        make_shop(code="OWN")
        return make_user("manager@test.example", roles={"OWN": Role.MANAGER})


def test_sign_in_and_out(client: FlaskClient, manager: int) -> None:
    response = login(client, "MANAGER@test.example")  # emails match regardless of case
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    token = csrf_token_from(client.get("/admin/").get_data(as_text=True))
    assert client.get("/logout").status_code == 405  # signing out changes state: POST only
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client: FlaskClient, manager: int) -> None:
    response = login(client, "manager@test.example", "wrong-password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    unknown = login(client, "nobody@test.example", "wrong-password")
    assert unknown.status_code == 401
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_rejected(client: FlaskClient, manager: int) -> None:
    response = client.post("/login", data={"email": "manager@test.example", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_admin_forms_need_the_csrf_token(client: FlaskClient, app: Flask, manager: int) -> None:
    login(client, "manager@test.example")
    response = client.post("/admin/tax_rules/new/", data={"shop": "1", "country": "DE", "tax_class": "standard",
                                                          "rate": "0.19"})
    assert response.status_code == 400
    with app.app_context(), unit_of_work(system_access("tests")):
        from shopadmin.tenants import services as tenants

        assert tenants.list_tax_rules(system_access("tests"), tenants.get_shop(system_access("tests"), "OWN")) == []


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example", "javascript:alert(1)",
     " //evil.example", "/\r\nLocation: https://evil.example"],
)
def test_next_never_leaves_the_site(client: FlaskClient, manager: int, target: str) -> None:
    page = client.get("/login", query_string={"next": target})
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", query_string={"next": target},
                           data={"email": "manager@test.example", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/admin/", "http://localhost/admin/")


def test_next_to_a_local_page_is_followed(client: FlaskClient, manager: int) -> None:
    page = client.get("/login?next=/admin/shops/")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login?next=/admin/shops/",
                           data={"email": "manager@test.example", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/admin/shops/")


def test_cookies_are_http_only_and_remember_me_is_off_by_default(client: FlaskClient, manager: int) -> None:
    response = login(client, "manager@test.example")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    # Flask-Login may send an expired, empty remember_token to clear one; never a real one.
    assert not any(c.startswith("remember_token=") and not c.startswith("remember_token=;") for c in cookies)


def test_secure_cookies_when_configured(app_factory: Callable[..., Flask], manager: int) -> None:
    client = app_factory(SESSION_COOKIE_SECURE=True).test_client()
    response = login(client, "manager@test.example")
    assert "Secure" in next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_login_is_rate_limited(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(SHOPADMIN_LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    attempt = {"email": "x@test.example", "password": "nope-nope", "csrf_token": token}
    statuses = [
        client.post("/login", data=attempt).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    api = [client.post("/api/v1/tokens", json={"email": "x@test.example", "password": "n"}).status_code
           for _ in range(4)]
    assert api[-1] == 429


def test_deactivated_user_cannot_sign_in_and_is_signed_out(client: FlaskClient, app: Flask, manager: int) -> None:
    login(client, "manager@test.example")
    assert client.get("/admin/").status_code == 200
    with app.app_context(), unit_of_work(system_access("tests")):
        user = staff.find_user_by_email("manager@test.example")
        assert user is not None
        staff.update_user(system_access("tests"), user, active=False)
    assert client.get("/admin/").status_code == 302  # the running session ends too
    assert login(client, "manager@test.example").status_code == 401


def test_passwords_are_stored_as_argon2id(app: Flask, manager: int) -> None:
    with app.app_context():
        user = staff.find_user_by_email("manager@test.example")
        assert user is not None
        assert (user.password_hash or "").startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
