"""What happens between issuing the link and using it is kept in the assistance log, and
the start form offers the reason codes of the shop that is chosen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.assistance import services
from shopadmin.assistance.models import AssistanceSession
from shopadmin.core.access import Role, system_access
from shopadmin.core.audit import AuditEntry
from shopadmin.core.db import unit_of_work
from shopadmin.customers import services as customers
from shopadmin.extensions import db
from shopadmin.tenants import services as tenants
from tests.assistance.conftest import redeem, staff_client, start_from_admin
from tests.conftest import csrf_token_from
from tests.customers.factories import make_customer
from tests.factories import make_shop, make_user

PLATFORM = system_access("tests")


def _withdraw_consent(customer_id: int) -> None:
    customer = customers.get_customer(PLATFORM, customer_id)
    customers.update_customer(PLATFORM, customer, {"allow_assistance": False})


def _switch_shop_off(customer_id: int) -> None:
    tenants.update_shop(PLATFORM, tenants.get_shop(PLATFORM, "OWN"), {"customer_assistance": False})


def _disable_in_shop(customer_id: int) -> None:
    customer = customers.get_customer(PLATFORM, customer_id)
    customers.set_link_disabled(PLATFORM, customer, tenants.get_shop(PLATFORM, "OWN"), disabled=True)


def _protect(customer_id: int) -> None:
    services.protect_customer(PLATFORM, tenants.get_shop(PLATFORM, "OWN"), customer_id)


def _rows(app: Flask) -> list[tuple[str, str | None, str | None]]:
    with app.app_context(), unit_of_work(PLATFORM):
        return [(s.status, s.refusal, s.end_reason) for s in
                db.session.scalars(sa.select(AssistanceSession).order_by(AssistanceSession.id))]


@pytest.mark.parametrize(("change", "rule"), [
    (_withdraw_consent, "customer_declined"),
    (_switch_shop_off, "shop_disabled"),
    (_disable_in_shop, "customer_disabled"),
    (_protect, "protected"),
])
def test_a_refusal_after_the_link_was_issued_is_recorded(
    app: Flask, shop_world: dict[str, Any], change: Callable[[int], None], rule: str,
) -> None:
    admin = staff_client(app, "csr@test.example")
    url = start_from_admin(admin, shop_world["customer"]).headers["Location"]
    with app.app_context(), unit_of_work(PLATFORM):
        change(shop_world["customer"])
    assert redeem(admin, url).status_code == 403
    assert _rows(app) == [("refused", rule, "refused")]
    with app.app_context(), unit_of_work(PLATFORM):
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "assistance.refused")).one()
        assert entry.details["rule"] == rule
    # The link died with the refusal: it does not come back when the rule does.
    assert redeem(admin, url).status_code in (404, 409)
    assert _rows(app)[0][0] == "refused"


def test_an_expired_link_is_marked_in_the_log(app: Flask, shop_world: dict[str, Any]) -> None:
    admin = staff_client(app, "csr@test.example")
    url = start_from_admin(admin, shop_world["customer"]).headers["Location"]
    with app.app_context(), unit_of_work(PLATFORM):
        session = db.session.scalars(sa.select(AssistanceSession)).one()
        session.link_expires_at = session.created_at.replace(year=2000)
    assert redeem(admin, url).status_code == 409
    assert _rows(app) == [("ended", None, "link_expired")]


def test_a_stolen_link_changes_nothing(app: Flask, shop_world: dict[str, Any]) -> None:
    admin = staff_client(app, "csr@test.example")
    url = start_from_admin(admin, shop_world["customer"]).headers["Location"]
    assert redeem(app.test_client(), url).status_code == 409
    assert _rows(app) == [("issued", None, None)]
    assert redeem(admin, url).status_code == 302


@pytest.fixture
def two_shops(app: Flask) -> dict[str, Any]:
    with app.app_context():
        make_shop(code="G1", sharing_group="g", customer_assistance=True)
        make_shop(code="G2", sharing_group="g", customer_assistance=True)
        make_user("twoshops@test.example", roles={"G1": Role.CSR, "G2": Role.CSR}, name="Tina Two")
        make_user("boss@test.example", roles={"G1": Role.MANAGER, "G2": Role.MANAGER}, name="Bo Boss")
        customer = make_customer("G1", "gina@example.com", allow_assistance=True)
        with unit_of_work(PLATFORM):
            services.update_settings(PLATFORM, tenants.get_shop(PLATFORM, "G1"),
                                     reason_codes_text="g1_only: Only in G1")
            services.update_settings(PLATFORM, tenants.get_shop(PLATFORM, "G2"),
                                     reason_codes_text="g2_only: Only in G2")
    return {"customer": customer}


def test_reason_codes_follow_the_chosen_shop(app: Flask, two_shops: dict[str, Any]) -> None:
    client = staff_client(app, "twoshops@test.example")
    base = f"/admin/assistance/start/?customer_id={two_shops['customer']}"
    first = client.get(base).get_data(as_text=True)
    assert 'value="g1_only"' in first
    assert 'value="g2_only"' not in first
    chosen = client.get(base + "&shop=G2").get_data(as_text=True)
    assert 'value="g2_only"' in chosen
    assert 'value="g1_only"' not in chosen
    assert '<option selected value="G2">' in chosen
    # An unknown shop in the address falls back to the first offered.
    assert 'value="g1_only"' in client.get(base + "&shop=NOPE").get_data(as_text=True)
    # Starting in G2 with G2's code works; with G1's code it is refused with the form again.
    token = csrf_token_from(chosen)
    started = client.post(f"/admin/assistance/begin/?customer_id={two_shops['customer']}",
                          data={"csrf_token": token, "shop": "G2", "reason": "Call", "reason_code": "g2_only"})
    assert started.status_code == 302
    assert "/store/G2/assist/" in started.headers["Location"]
    wrong = client.post(f"/admin/assistance/begin/?customer_id={two_shops['customer']}",
                        data={"csrf_token": token, "shop": "G2", "reason": "Call", "reason_code": "g1_only"})
    assert wrong.status_code == 200
    assert 'value="g2_only"' in wrong.get_data(as_text=True)
