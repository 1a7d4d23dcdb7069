"""Login-as: every refusal rule, the single-use link, the banner, the session's ties to the
operator, stamping, the log. Regression tests for the "lessons from others' failures"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.assistance import services
from shopadmin.assistance.models import AssistanceSession
from shopadmin.core.access import customer_access, system_access
from shopadmin.core.audit import AuditEntry
from shopadmin.core.db import unit_of_work, utcnow
from shopadmin.core.errors import Forbidden
from shopadmin.customers import services as customers
from shopadmin.customers.models import CustomerActivity
from shopadmin.extensions import db
from shopadmin.orders.models import Order, OrderVersion
from shopadmin.storefront import services as storefront
from shopadmin.tenants import services as tenants
from tests.assistance.conftest import (
    assist,
    post_form,
    redeem,
    staff_client,
    start_from_admin,
    store_sign_in,
)
from tests.conftest import csrf_token_from
from tests.factories import api_token

PLATFORM = system_access("tests")


def _api_start(client: Any, email: str, customer_id: int, **body: Any) -> Any:
    headers = api_token(client, email)
    return client.post(f"/api/v1/customers/{customer_id}/assist", json={"shop": "OWN", "reason": "Call", **body},
                       headers=headers)


@dataclass(frozen=True)
class Row:
    status: str
    refusal: str | None
    end_reason: str | None


def _sessions(app: Flask) -> list[Row]:
    with app.app_context(), unit_of_work(PLATFORM):
        return [Row(s.status, s.refusal, s.end_reason)
                for s in db.session.scalars(sa.select(AssistanceSession).order_by(AssistanceSession.id))]


# -- the API and its refusals ------------------------------------------------------------------


def test_api_answers_a_single_use_link(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    response = _api_start(client, "csr@test.example", shop_world["customer"], reason_code="phone_order")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"url", "expires_at"}
    assert "/store/OWN/assist/" in body["url"]
    browser = app.test_client()
    assert redeem(browser, body["url"]).status_code == 302
    page = browser.get("/store/OWN/").get_data(as_text=True)
    assert 'data-testid="assistance-banner"' in page
    # Replaying the link fails, in this browser and any other.
    again = redeem(app.test_client(), body["url"])
    assert again.status_code == 409
    assert "not valid" in again.get_data(as_text=True)


def test_start_is_a_post(client: Any, shop_world: dict[str, Any], app: Flask) -> None:
    headers = api_token(client, "csr@test.example")
    assert client.get(f"/api/v1/customers/{shop_world['customer']}/assist", headers=headers).status_code == 405
    admin = staff_client(app, "csr@test.example")
    assert admin.get(f"/admin/assistance/begin/?customer_id={shop_world['customer']}").status_code == 405
    # Without the CSRF token the screen refuses to start anything.
    no_csrf = admin.post(f"/admin/assistance/begin/?customer_id={shop_world['customer']}",
                         data={"shop": "OWN", "reason": "x"})
    assert no_csrf.status_code == 400
    assert _sessions(app) == []


def test_no_reason_is_422(client: Any, shop_world: dict[str, Any]) -> None:
    response = _api_start(client, "csr@test.example", shop_world["customer"], reason=None)
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["fields"]
    response = _api_start(client, "csr@test.example", shop_world["customer"], reason_code="nonsense")
    assert response.status_code == 422


def _refused(app: Flask, client: Any, email: str, customer_id: int, shop: str = "OWN") -> tuple[int, Any]:
    response = _api_start(client, email, customer_id, shop=shop)
    return response.status_code, response.get_json()


def test_refused_when_the_shop_switch_is_off(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    status, body = _refused(app, client, "csr@test.example", shop_world["off_customer"], shop="OFF")
    assert status == 403
    assert body["error"]["fields"]["rule"] == "shop_disabled"
    assert [(s.status, s.refusal) for s in _sessions(app)] == [("refused", "shop_disabled")]


def test_refused_when_the_customer_says_no(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    status, body = _refused(app, client, "csr@test.example", shop_world["shy"])
    assert status == 403
    assert body["error"]["fields"]["rule"] == "customer_declined"
    assert [s.refusal for s in _sessions(app)] == ["customer_declined"]


def test_refused_outside_the_shops_group(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    # The CSR sees the OFF customer through OFF, and names OWN, which does not share it.
    status, body = _refused(app, client, "csr@test.example", shop_world["off_customer"], shop="OWN")
    assert status == 403
    assert body["error"]["fields"]["rule"] == "outside_group"


def test_refused_when_disabled_in_the_shop(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    with app.app_context(), unit_of_work(PLATFORM):
        customer = customers.get_customer(PLATFORM, shop_world["customer"])
        customers.set_link_disabled(PLATFORM, customer, tenants.get_shop(PLATFORM, "OWN"), disabled=True)
    status, body = _refused(app, client, "csr@test.example", shop_world["customer"])
    assert status == 403
    assert body["error"]["fields"]["rule"] == "customer_disabled"


def test_refused_for_a_protected_customer(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    with app.app_context(), unit_of_work(PLATFORM):
        services.protect_customer(PLATFORM, tenants.get_shop(PLATFORM, "OWN"), shop_world["customer"], note="VIP")
    status, body = _refused(app, client, "csr@test.example", shop_world["customer"])
    assert status == 403
    assert body["error"]["fields"]["rule"] == "protected"
    # Nor is the customer offered for assistance on the customer page.
    admin = staff_client(app, "csr@test.example")
    page = admin.get(f"/admin/customers/details/?id={shop_world['customer']}").get_data(as_text=True)
    assert 'data-testid="assist-customer"' not in page


def test_refused_below_the_shops_role(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    with app.app_context(), unit_of_work(PLATFORM):
        services.update_settings(PLATFORM, tenants.get_shop(PLATFORM, "OWN"), min_role="supervisor")
    status, body = _refused(app, client, "csr@test.example", shop_world["customer"])
    assert status == 403
    assert body["error"]["fields"]["rule"] == "role"
    status, _body = _refused(app, client, "sup@test.example", shop_world["customer"])
    assert status == 201


def test_another_shops_staff_get_404_and_it_is_recorded(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    status, _body = _refused(app, client, "outsider@test.example", shop_world["customer"])
    assert status == 404
    # Their own shop's storefront with another shop's customer: 404 as well.
    status, _ = _refused(app, client, "outsider@test.example", shop_world["customer"], shop="OTHER")
    assert status == 404
    with app.app_context(), unit_of_work(PLATFORM):
        refusals = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "assistance.refused")).all()
        assert len(refusals) == 2
        assert {entry.details["rule"] for entry in refusals} == {"not_found"}


# -- the link -----------------------------------------------------------------------------------


def test_link_expires_after_about_a_minute(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    body = _api_start(client, "csr@test.example", shop_world["customer"]).get_json()
    with app.app_context(), unit_of_work(PLATFORM):
        session = db.session.scalars(sa.select(AssistanceSession)).one()
        assert session.link_expires_at is not None
        assert timedelta(seconds=50) < services.aware(session.link_expires_at) - services.aware(
            session.created_at) <= timedelta(seconds=70)
        session.link_expires_at = utcnow() - timedelta(seconds=1)
    assert redeem(app.test_client(), body["url"]).status_code == 409
    # Never active, and the log says why: the mark is kept although the request was refused.
    assert _sessions(app) == [Row("ended", None, "link_expired")]


def test_link_fails_on_another_shops_storefront(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    url = _api_start(client, "csr@test.example", shop_world["customer"]).get_json()["url"]
    foreign = url.replace("/store/OWN/", "/store/OTHER/")
    assert redeem(app.test_client(), foreign).status_code == 409
    # ...and it still works once on its own shop.
    assert redeem(app.test_client(), url).status_code == 302


def test_admin_link_works_only_in_the_operators_browser(app: Flask, shop_world: dict[str, Any]) -> None:
    admin = staff_client(app, "csr@test.example")
    url = start_from_admin(admin, shop_world["customer"]).headers["Location"]
    assert redeem(app.test_client(), url).status_code == 409  # somebody else's browser
    assert redeem(staff_client(app, "csr2@test.example"), url).status_code == 409  # a colleague
    assert redeem(admin, url).status_code == 302


# -- the session --------------------------------------------------------------------------------


STORE_PAGES = ("/store/OWN/", "/store/OWN/cart", "/store/OWN/account", "/store/OWN/checkout")


def test_banner_on_every_page(app: Flask, shop_world: dict[str, Any]) -> None:
    browser = assist(app, "csr@test.example", shop_world["customer"])
    browser.post("/store/OWN/cart/add", data={"csrf_token": csrf_token_from(
        browser.get("/store/OWN/").get_data(as_text=True)), "sku": "SKU-1", "quantity": "1"})
    for path in STORE_PAGES:
        response = browser.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'data-testid="assistance-banner"' in html, path
        assert "Carla CSR" in html, path
        assert "Ann Assisted" in html, path
        assert 'data-testid="end-assistance"' in html, path


def test_end_assistance_button(app: Flask, shop_world: dict[str, Any]) -> None:
    browser = assist(app, "csr@test.example", shop_world["customer"])
    ended = post_form(browser, "/store/OWN/", "/store/OWN/assist/end")
    assert ended.status_code == 302
    assert f"/admin/customers/details/?id={shop_world['customer']}" in ended.headers["Location"]
    assert browser.get("/store/OWN/account").status_code == 302  # signed out of the storefront
    assert browser.get("/admin/").status_code == 200  # still signed in to the admin
    session = _sessions(app)[0]
    assert (session.status, session.end_reason) == ("ended", "ended_by_operator")


def test_signing_out_of_the_admin_ends_the_assistance(app: Flask, shop_world: dict[str, Any]) -> None:
    browser = assist(app, "csr@test.example", shop_world["customer"])
    assert browser.get("/store/OWN/account").status_code == 200
    page = browser.get("/admin/").get_data(as_text=True)
    browser.post("/logout", data={"csrf_token": csrf_token_from(page)})
    after = browser.get("/store/OWN/account")
    assert after.status_code == 302
    assert "/sign-in" in after.headers["Location"]
    session = _sessions(app)[0]
    assert session.status == "ended"
    assert session.end_reason == "operator_signed_out"


def test_assistance_expires(app: Flask, shop_world: dict[str, Any]) -> None:
    browser = assist(app, "csr@test.example", shop_world["customer"])
    with app.app_context(), unit_of_work(PLATFORM):
        session = db.session.scalars(sa.select(AssistanceSession)).one()
        assert services.aware(session.expires_at) - services.aware(session.started_at) == timedelta(minutes=30)
        session.expires_at = utcnow() - timedelta(seconds=1)
    assert browser.get("/store/OWN/account").status_code == 302
    assert _sessions(app)[0].end_reason == "expired"


def test_the_real_customer_pressing_end_stays_themselves(app: Flask, shop_world: dict[str, Any]) -> None:
    operator = assist(app, "csr@test.example", shop_world["customer"])
    customer = app.test_client()
    assert store_sign_in(customer, "OWN", "ann@example.com").status_code == 302
    ended = post_form(customer, "/store/OWN/", "/store/OWN/assist/end")
    assert ended.status_code == 302
    assert "/admin" not in ended.headers["Location"]
    account = customer.get("/store/OWN/account")
    assert account.status_code == 200
    html = account.get_data(as_text=True)
    assert "assistance-banner" not in html
    assert "Carla" not in html
    assert customer.get("/admin/").status_code == 302  # never the operator
    # The operator's assistance goes on.
    assert 'data-testid="assistance-banner"' in operator.get("/store/OWN/").get_data(as_text=True)


def test_no_nesting(app: Flask, shop_world: dict[str, Any]) -> None:
    access = customer_access(shop_world["customer"], 1, operator_id=shop_world["csr"])
    with app.test_request_context(), unit_of_work(access), \
            pytest.raises(services.AssistanceRefused, match="storefront") as refusal:
        services.start_assistance(access, services.StartRequest(customer_id=shop_world["customer"],
                                                               shop="OWN", reason="again"))
    assert refusal.value.rule == "nested"
    browser = assist(app, "csr@test.example", shop_world["customer"])
    # The storefront has no way to start one: whatever is posted there is no valid link.
    assert redeem(browser, "http://localhost/store/OWN/assist/start").status_code == 409
    assert "Ann Assisted" in browser.get("/store/OWN/").get_data(as_text=True)


def test_out_of_reach_while_assisting(app: Flask, shop_world: dict[str, Any]) -> None:
    with app.app_context(), unit_of_work(PLATFORM):
        before = storefront.last_login(shop_world["customer"])
    browser = assist(app, "csr@test.example", shop_world["customer"])
    html = browser.get("/store/OWN/account").get_data(as_text=True)
    assert 'data-testid="assisted-note"' in html
    assert "current_password" not in html
    assert browser.post("/store/OWN/account/password", data={
        "csrf_token": csrf_token_from(html), "current_password": "x", "password": "newpassword1"}).status_code == 403
    access = customer_access(shop_world["customer"], 1, operator_id=shop_world["csr"])
    for changes in ({"email": "evil@example.com"}, {"password": "stolen-pass-1"}, {"allow_assistance": False},
                    {"wants_order_emails": False}):
        with app.app_context(), unit_of_work(access):
            try:
                storefront.update_profile(access, changes)
            except Forbidden:
                pass
            else:
                raise AssertionError(f"{changes} went through while assisting")
    with app.app_context(), unit_of_work(access), pytest.raises(Forbidden, match="assisting"):
        storefront.delete_account(access)
    with app.app_context(), unit_of_work(PLATFORM):
        customer = customers.get_customer(PLATFORM, shop_world["customer"])
        assert customer.email == "ann@example.com"
        assert storefront.last_login(shop_world["customer"]) == before


def _place_order(browser: Any) -> Any:
    page = browser.get("/store/OWN/").get_data(as_text=True)
    browser.post("/store/OWN/cart/add", data={"csrf_token": csrf_token_from(page), "sku": "SKU-1", "quantity": "2"})
    checkout = browser.get("/store/OWN/checkout").get_data(as_text=True)
    import re

    address = re.search(r'<option[^>]*value="(\d+)"', checkout)
    assert address, checkout
    return browser.post("/store/OWN/checkout", data={
        "csrf_token": csrf_token_from(checkout), "shipping_address": address.group(1),
        "billing_address": address.group(1), "payment_flow": "on_delivery"})


def test_everything_is_stamped_with_the_operator(app: Flask, shop_world: dict[str, Any]) -> None:
    browser = assist(app, "csr@test.example", shop_world["customer"])
    placed = _place_order(browser)
    assert placed.status_code == 302, placed.get_data(as_text=True)[:3000]
    post_form(browser, "/store/OWN/account", "/store/OWN/account/addresses", {
        "kind": "billing", "name": "Ann", "line1": "Side St 2", "city": "Bonn", "country": "DE"})
    post_form(browser, "/store/OWN/", "/store/OWN/assist/end")
    with app.app_context(), unit_of_work(PLATFORM):
        order = db.session.scalars(sa.select(Order)).unique().one()
        assert order.created_by_customer_id == shop_world["customer"]
        assert order.created_by_user_id is None
        assert order.operator_id == shop_world["csr"]
        versions = db.session.scalars(sa.select(OrderVersion).where(OrderVersion.order_id == order.id)).all()
        assert versions
        assert all(v.operator_id == shop_world["csr"] for v in versions)
        timeline = db.session.scalars(sa.select(CustomerActivity).where(
            CustomerActivity.customer_id == shop_world["customer"]).order_by(CustomerActivity.id)).all()
        assert timeline
        assert all(entry.operator_id == shop_world["csr"] for entry in timeline)
        transcript = timeline[-1]
        assert "ended" in transcript.subject
        assert order.number in transcript.body
        assert "address added" in transcript.body
        session = db.session.scalars(sa.select(AssistanceSession)).one()
        assert [a.action for a in session.actions][-2:] == ["order.place", "address.add"]
        audit_rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "order.place")).all()
        assert audit_rows[0].operator_id == shop_world["csr"]


def test_log_for_supervisors_and_csv_export(app: Flask, client: Any, shop_world: dict[str, Any]) -> None:
    _api_start(client, "csr@test.example", shop_world["customer"], reason="=HYPERLINK(\"http://evil\")")
    _refused(app, client, "csr@test.example", shop_world["shy"])
    supervisor = staff_client(app, "sup@test.example")
    listing = supervisor.get("/admin/assistance_log/")
    assert listing.status_code == 200
    assert "Carla CSR" in listing.get_data(as_text=True)
    assert staff_client(app, "csr@test.example").get("/admin/assistance_log/").status_code == 403
    assert supervisor.get("/admin/assistance_log/export.csv").status_code == 403
    export = staff_client(app, "manager@test.example").get("/admin/assistance_log/export.csv")
    assert export.status_code == 200
    text = export.get_data(as_text=True)
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    assert "customer_declined" in text


def test_start_screens_of_another_shop_answer_404(app: Flask, shop_world: dict[str, Any]) -> None:
    outsider = staff_client(app, "outsider@test.example")
    assert outsider.get(f"/admin/assistance/start/?customer_id={shop_world['customer']}").status_code == 404
    token = csrf_token_from(outsider.get("/admin/").get_data(as_text=True))
    begun = outsider.post(f"/admin/assistance/begin/?customer_id={shop_world['customer']}",
                          data={"csrf_token": token, "shop": "OWN", "reason": "x"})
    assert begun.status_code == 404
    assert _sessions(app) == []
