"""Builders for test data. They go through the services (system access), so test data
obeys the same rules as real data."""

from __future__ import annotations

from typing import Any

import factory
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.staff import services as staff
from shopadmin.tenants import services as tenants

PASSWORD = "correct-horse-battery"
PLATFORM = system_access("tests")


class ShopFactory(factory.Factory):
    class Meta:
        model = tenants.ShopInput

    code = factory.Sequence(lambda n: f"SHOP{n}")
    name = factory.LazyAttribute(lambda o: f"Shop {o.code}")
    kind = "b2c"
    currency = "EUR"
    locale = "en"
    timezone = "Europe/Berlin"
    customer_assistance = True
    email = factory.LazyAttribute(lambda o: f"service@{o.code.lower()}.example")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> int:
        with unit_of_work(PLATFORM):
            shop = tenants.create_shop(PLATFORM, model_class(*args, **kwargs))
            return shop.id


def make_shop(**kwargs: Any) -> int:
    """Create a shop and return its id (call inside an app context)."""
    return ShopFactory.create(**kwargs)


def make_user(email: str, *, roles: dict[str, Role] | None = None, superadmin: bool = False,
              password: str = PASSWORD, locale: str | None = None, name: str = "") -> int:
    """Create a user with roles on shops given by code; returns the user id."""
    with unit_of_work(PLATFORM):
        user = staff.create_user(PLATFORM, email=email, password=password, name=name or email.split("@")[0],
                                 superadmin=superadmin, locale=locale)
        for code, role in (roles or {}).items():
            staff.add_member(PLATFORM, tenants.get_shop(PLATFORM, code), email=email, role=role,
                             override_limit_pct="10")
        return user.id


def api_token(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    from tests.conftest import csrf_token_from

    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def world(app: Flask) -> dict[str, Any]:
    """The access-matrix world: OWN, OTHER, MASTER (B2B) with sub-shop SUB.

    One user per role holding that role on OWN and on MASTER (so SUB through the master
    rule), an outsider with a role only on OTHER, and a superadmin.
    """
    with app.app_context():
        ids = {
            "OWN": make_shop(code="OWN"),
            "OTHER": make_shop(code="OTHER"),
            "MASTER": make_shop(code="MASTER", kind="b2b"),
        }
        ids["SUB"] = make_shop(code="SUB", kind="b2b", master="MASTER")
        for role in Role:
            make_user(f"{role.label}@test.example", roles={"OWN": role, "MASTER": role})
        make_user("outsider@test.example", roles={"OTHER": Role.OWNER})
        make_user("super@test.example", superadmin=True)
    return ids
