"""Inline mode (no Redis): the outbox row is written with the change, mail goes out after commit."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Invalid
from shopadmin.extensions import db
from shopadmin.notifications import services
from shopadmin.notifications.models import Notification, NotificationStatus
from tests.factories import make_shop, make_user
from tests.notifications.conftest import Sink, body_text

PLATFORM = system_access("tests")


def order(number: str = "A-1001", *, currency: str = "EUR", **extra: Any) -> dict[str, Any]:
    return {"number": number, "currency": currency, "state": "placed",
            "totals": {"subtotal": "10.00", "tax": "1.90", "charges": "0", "total": "1234.50"},
            "lines": [{"sku": "S1", "name": "Tea", "quantity": 2, "unit_price": "5.00", "total": "10.00"}], **extra}


def customer(email: str = "kunde@example.com", locale: str = "de", **extra: Any) -> dict[str, Any]:
    return {"email": email, "locale": locale, "first_name": "Karla", "last_name": "Kunde", **extra}


@pytest.fixture
def mail_app(app: Flask, smtp: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "SHOPADMIN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SHOPADMIN_SMTP_PORT", smtp[1])
    monkeypatch.setitem(app.config, "SHOPADMIN_MAIL_FROM", "shop@test.example")
    return app


def request(event: str = "order_placed", shop_id: int = 0, **kwargs: Any) -> None:
    with unit_of_work(PLATFORM):
        services.request_notification(PLATFORM, event=event, shop_id=shop_id, **kwargs)


def test_mail_arrives_in_the_customers_language_and_currency(mail_app: Flask, smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN", locale="en", currency="EUR")
        request(shop_id=shop_id, payload={"order": order(), "customer": customer()})
        rows = db.session.scalars(sa.select(Notification).execution_options(all_shops=True)).all()
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert mail["To"] == "kunde@example.com"
    assert mail["From"] == "shop@test.example"
    assert mail["Subject"] == "Ihre Bestellung A-1001 bei Shop OWN"
    assert mail["Content-Language"] == "de"
    assert "1.234,50\xa0€" in body_text(mail)
    assert [(r.status, r.locale, r.attempts) for r in rows] == [(NotificationStatus.SENT, "de", 1)]


def test_falls_back_to_the_shop_locale_then_english(mail_app: Flask, smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        de_shop = make_shop(code="DE", locale="de")
        request(shop_id=de_shop, payload={"order": order(), "customer": customer(locale="it")})
        request(shop_id=make_shop(code="EN"), payload={"order": order("B-1"), "customer": customer(
            "x@example.com", locale="it")})
    assert [m["Subject"] for m in sink.messages] == ["Ihre Bestellung A-1001 bei Shop DE",
                                                     "Your order B-1 at Shop EN"]


def test_a_rolled_back_change_sends_nothing(mail_app: Flask, smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")

        def failing_change() -> None:
            with unit_of_work(PLATFORM):
                services.request_notification(PLATFORM, event="order_placed", shop_id=shop_id,
                                              payload={"order": order(), "customer": customer()})
                raise RuntimeError("the order change failed")

        with pytest.raises(RuntimeError):
            failing_change()
        count = db.session.scalar(sa.select(sa.func.count(Notification.id)).execution_options(all_shops=True))
    assert count == 0
    assert sink.messages == []


@pytest.mark.parametrize(("preference", "override", "sent"), [
    (True, None, True), (False, None, False), (False, True, True), (True, False, False), (None, None, True),
])
def test_preference_and_one_time_override(mail_app: Flask, smtp: tuple[Sink, int], preference: bool | None,
                                          override: bool | None, sent: bool) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        prefs = {} if preference is None else {"wants_order_emails": preference}
        # The orders domain passes the order's override with every event, as it does here.
        for event in ("order_placed", "order_confirmed", "delivery_shipped", "order_cancelled",
                      "payment_confirmed", "payment_failed", "comment_sent"):
            request(event, shop_id=shop_id, payload={"order": order(), "customer": customer(**prefs),
                                                     "notify_customer": override, "ref": event})
        rows = db.session.scalars(sa.select(Notification).where(Notification.audience == "customer")
                                  .execution_options(all_shops=True)).all()
    confirmation = {"order_placed", "order_confirmed"}
    assert {r.event for r in rows} & confirmation == (confirmation if sent else set())
    # Shipped, cancelled, payment and comment mails follow their own rules, never the override.
    assert {r.event for r in rows} - confirmation == {"delivery_shipped", "order_cancelled", "payment_confirmed",
                                                      "payment_failed", "comment_sent"}
    assert len(sink.messages) == len(rows)
    assert ("Ihre Bestellung A-1001 bei Shop OWN" in [m["Subject"] for m in sink.messages]) is sent


def test_the_orders_override_on_the_order_itself_governs_confirmations_only(mail_app: Flask,
                                                                           smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        for event in ("order_placed", "delivery_shipped"):
            request(event, shop_id=shop_id, payload={"order": order(notify_customer=False),
                                                     "customer": customer(wants_order_emails=True)})
    assert [m["Subject"] for m in sink.messages] == ["Bestellung A-1001 wurde versandt"]


def test_recipients_come_from_the_event_table(mail_app: Flask, smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        make_user("csr@test.example", roles={"OWN": Role.CSR})
        make_user("super@test.example", roles={"OWN": Role.SUPERVISOR}, locale="de")
        operator = make_user("op@test.example", roles={"OWN": Role.CSR})
        with unit_of_work(PLATFORM):
            services.update_settings(PLATFORM, shop_id, fulfilment_addresses={"MAIN": "fc@test.example"})
        request(shop_id=shop_id, payload={"order": order(operator_id=operator), "customer": customer()})
        request("order_confirmed", shop_id=shop_id, payload={"order": order(), "customer": customer()})
        request("payment_failed", shop_id=shop_id, payload={"order": order(), "customer": customer(), "ref": "p1"})
    got = sorted((m["To"], m["Subject"]) for m in sink.messages)
    assert ("op@test.example", "Ihre Bestellung A-1001 bei Shop OWN") in got  # the operator's copy
    assert ("csr@test.example", "Your order A-1001 at Shop OWN") in got  # staff: order placed
    assert ("fc@test.example", "Order A-1001 confirmed") in got  # fulfilment centre
    payment_failed = [to for to, subject in got if "Payment failed" in subject or "fehlgeschlagen" in subject]
    assert sorted(payment_failed) == ["kunde@example.com", "super@test.example"]


def test_the_same_request_twice_is_written_once(mail_app: Flask, smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        for _ in range(2):
            request(shop_id=shop_id, order_id=7, payload={"order": order(id=7), "customer": customer()})
    assert len(sink.messages) == 1


def test_unknown_event_is_refused(mail_app: Flask) -> None:
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        with pytest.raises(Invalid):
            request("no_such_event", shop_id=shop_id)
