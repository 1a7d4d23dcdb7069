"""The password-reset link exists only in the mail that goes out: never in the outbox row,
its payload, the notifications API or the customer's timeline, which staff can read."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers.models import CustomerActivity
from shopadmin.extensions import db
from shopadmin.notifications.models import Notification, NotificationStatus
from shopadmin.storefront import services
from shopadmin.tenants import services as tenants
from tests.assistance.conftest import CUSTOMER_PASSWORD, post_form, staff_client, store_sign_in
from tests.conftest import csrf_token_from
from tests.factories import api_token
from tests.notifications.conftest import Sink, body_text, smtp

__all__ = ["smtp"]

PLATFORM = system_access("tests")
RESET_PATH = re.compile(r"/store/OWN/password/reset/([^\s\"'<>&]+)")


@pytest.fixture
def mail_app(app: Flask, smtp: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "SHOPADMIN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SHOPADMIN_SMTP_PORT", smtp[1])
    monkeypatch.setitem(app.config, "SHOPADMIN_MAIL_FROM", "shop@test.example")
    return app


def _ask_for_reset(app: Flask) -> None:
    client = app.test_client()
    post_form(client, "/store/OWN/password/forgot", "/store/OWN/password/forgot", {"email": "ann@example.com"})


def _usable(app: Flask, token: str) -> bool:
    with app.app_context(), unit_of_work(PLATFORM):
        shop = tenants.get_shop(PLATFORM, "OWN")
        return services.customer_for_reset_token(PLATFORM, shop, token) is not None


def test_the_stored_mail_holds_no_usable_token(mail_app: Flask, smtp: tuple[Sink, int],
                                               shop_world: dict[str, Any]) -> None:
    sink, _ = smtp
    _ask_for_reset(mail_app)
    # The mail that went out carries a working link, in the text and in the HTML part...
    (mail,) = sink.messages
    sent_tokens = set(RESET_PATH.findall(body_text(mail)))
    assert len(sent_tokens) == 1
    (sent,) = sent_tokens
    assert sent != services.RESET_TOKEN_PLACEHOLDER
    assert sent in mail.as_string().replace("=\n", "")
    assert _usable(mail_app, sent)
    # ...while everything kept of it has the placeholder only.
    with mail_app.app_context(), unit_of_work(PLATFORM):
        row = db.session.scalars(sa.select(Notification).where(Notification.event == "password_reset")).one()
        assert row.status == NotificationStatus.SENT
        stored = [row.body_text or "", row.body_html or "", json.dumps(row.payload)]
        timeline = [f"{a.subject} {a.body}" for a in db.session.scalars(
            sa.select(CustomerActivity).where(CustomerActivity.customer_id == shop_world["customer"]))]
    for text in stored:
        assert sent not in text
        assert set(RESET_PATH.findall(text)) == {services.RESET_TOKEN_PLACEHOLDER}
    assert not any(sent in text for text in timeline)
    assert not _usable(mail_app, services.RESET_TOKEN_PLACEHOLDER)


def test_staff_reading_the_outbox_find_no_token(mail_app: Flask, smtp: tuple[Sink, int],
                                                shop_world: dict[str, Any]) -> None:
    sink, _ = smtp
    _ask_for_reset(mail_app)
    (sent,) = set(RESET_PATH.findall(body_text(sink.messages[0])))
    client = mail_app.test_client()
    headers = api_token(client, "manager@test.example")
    listing = client.get(f"/api/v1/notifications?customer_id={shop_world['customer']}", headers=headers)
    assert listing.status_code == 200
    assert sent not in listing.get_data(as_text=True)
    row_id = listing.get_json()["items"][0]["id"]
    one = client.get(f"/api/v1/notifications/{row_id}", headers=headers).get_data(as_text=True)
    assert "password/reset/" in one  # the manager does read the mail...
    assert sent not in one  # ...but not the token
    assert all(not _usable(mail_app, token) for token in RESET_PATH.findall(one))
    # The admin screens read the same rows.
    admin = staff_client(mail_app, "manager@test.example")
    for path in ("/admin/notifications/", f"/admin/notifications/details/?id={row_id}"):
        screen = admin.get(path)
        assert screen.status_code == 200
        assert sent not in screen.get_data(as_text=True)
    details = admin.get(f"/admin/notifications/details/?id={row_id}").get_data(as_text=True)
    assert f"password/reset/{services.RESET_TOKEN_PLACEHOLDER}" in details  # the body is shown, without the token


def test_the_link_from_the_mail_works_once(mail_app: Flask, smtp: tuple[Sink, int],
                                           shop_world: dict[str, Any]) -> None:
    sink, _ = smtp
    _ask_for_reset(mail_app)
    (sent,) = set(RESET_PATH.findall(body_text(sink.messages[0])))
    client = mail_app.test_client()
    path = f"/store/OWN/password/reset/{sent}"
    page = client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token_from(page), "password": "brand-new-pass"})
    assert response.status_code == 302
    assert store_sign_in(mail_app.test_client(), "OWN", "ann@example.com", "brand-new-pass").status_code == 302
    assert store_sign_in(mail_app.test_client(), "OWN", "ann@example.com", CUSTOMER_PASSWORD).status_code == 401
    assert "forgot" in client.get(path).headers["Location"]


def test_no_token_for_another_recipient(mail_app: Flask, shop_world: dict[str, Any]) -> None:
    with mail_app.app_context(), unit_of_work(PLATFORM):
        shop = tenants.get_shop(PLATFORM, "OWN")
        row = Notification(event="password_reset", shop_id=shop.id, customer_id=shop_world["customer"],
                           audience="customer", recipient="ann@example.com")
        assert list(services.reset_link_secrets(row)) == [services.RESET_TOKEN_PLACEHOLDER]
        row.recipient = "someone-else@example.com"
        assert services.reset_link_secrets(row) == {}
        row.recipient, row.audience = "ann@example.com", "operator"
        assert services.reset_link_secrets(row) == {}
