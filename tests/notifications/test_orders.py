"""With real orders (the orders and customers services): the mails they cause, and staff
writing to customers through the API."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers import services as customers
from shopadmin.extensions import db
from shopadmin.notifications.models import Notification
from shopadmin.orders import services as orders
from tests.factories import api_token, make_shop, make_user
from tests.notifications.conftest import Sink, body_text
from tests.notifications.test_inline import mail_app  # noqa: F401 - fixture
from tests.orders.factories import make_product

PLATFORM = system_access("tests")


def make_customer(shop: str, email: str, locale: str, **extra: Any) -> int:
    with unit_of_work(PLATFORM):
        return customers.create_customer(PLATFORM, customers.CustomerInput(
            shop=shop, email=email, first_name="Chloé", last_name="Client", locale=locale,
            addresses=[{"kind": "shipping", "name": "Chloé Client", "line1": "Rue 1", "city": "Paris",
                        "country": "FR"}], **extra,
        )).id


def place(shop: str, customer_id: int, **extra: Any) -> tuple[int, str]:
    with unit_of_work(PLATFORM):
        order = orders.place_order(PLATFORM, orders.OrderInput(
            shop=shop, customer_id=customer_id, lines=[orders.LineInput(sku="M-1", quantity=2)],
            payment_flow="on_delivery", **extra))
        return order.id, order.number


@pytest.fixture
def shop(mail_app: Flask) -> str:  # noqa: F811
    with mail_app.app_context():
        make_shop(code="OWN", locale="en", currency="EUR")
        make_product("OWN", price="12.50")
        make_user("csr@test.example", roles={"OWN": Role.CSR})
    return "OWN"


@pytest.mark.parametrize(("locale", "subject"), [
    ("fr", "Votre commande {number} chez Shop OWN"),
    ("de", "Ihre Bestellung {number} bei Shop OWN"),
    ("en", "Your order {number} at Shop OWN"),
])
def test_placing_an_order_mails_the_customer_in_its_language(mail_app: Flask, smtp: tuple[Sink, int],  # noqa: F811
                                                             shop: str, locale: str, subject: str) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        customer_id = make_customer(shop, f"{locale}@example.com", locale)
        _, number = place(shop, customer_id)
    [mail] = sink.to(f"{locale}@example.com")
    assert mail["Subject"] == subject.format(number=number)
    assert mail["Content-Language"] == locale
    assert "25" in body_text(mail)  # 2 × 12.50


def test_the_orders_override_silences_the_confirmation_only(mail_app: Flask, smtp: tuple[Sink, int],  # noqa: F811
                                                            shop: str) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        customer_id = make_customer(shop, "quiet@example.com", "en")
        order_id, _ = place(shop, customer_id, notify_customer=False)
        with unit_of_work(PLATFORM):
            orders.add_comment(PLATFORM, orders.get_order(PLATFORM, order_id), "Your parcel leaves today",
                               notify_customer=True)
    assert [m["Subject"] for m in sink.to("quiet@example.com")] != []
    assert all("Your order" not in m["Subject"] for m in sink.to("quiet@example.com"))


def test_staff_write_from_an_order_and_a_customer_and_resend_the_confirmation(
    mail_app: Flask, smtp: tuple[Sink, int], shop: str  # noqa: F811
) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        customer_id = make_customer(shop, "chloe@example.com", "fr")
        order_id, number = place(shop, customer_id)
    client = mail_app.test_client()
    token = api_token(client, "csr@test.example")
    sink.messages.clear()
    written = client.post(f"/api/v1/orders/{order_id}/emails", headers=token, json={
        "subject": "Au sujet de {{ order.number }}", "body_text": "Bonjour {{ customer.first_name }}"})
    assert written.status_code == 201, written.get_json()
    assert written.get_json()["order_id"] == order_id
    from_template = client.post(f"/api/v1/customers/{customer_id}/emails", headers=token,
                                json={"template": "order_placed", "order_id": order_id})
    assert from_template.status_code == 201, from_template.get_json()
    resent = client.post(f"/api/v1/orders/{order_id}/resend-confirmation", headers=token)
    assert resent.status_code == 201, resent.get_json()
    assert [i["recipient"] for i in resent.get_json()["items"]] == ["chloe@example.com"]
    subjects = [m["Subject"] for m in sink.to("chloe@example.com")]
    assert f"Au sujet de {number}" in subjects
    assert f"Votre commande {number} chez Shop OWN" in subjects
    assert f"Commande {number} confirmée" in subjects  # the confirmation, resent
    assert len(subjects) == 3
    assert "Bonjour Chloé" in body_text(sink.to("chloe@example.com")[0])
    broken = client.post(f"/api/v1/orders/{order_id}/emails", headers=token,
                         json={"subject": "x", "body_text": "{{ order.__class__.__mro__ }}"})
    assert broken.status_code == 422
    assert client.post(f"/api/v1/orders/{order_id}/emails", headers=token, json={}).status_code == 422
    with mail_app.app_context(), unit_of_work(PLATFORM):
        rows = db.session.scalars(sa.select(Notification).where(Notification.order_id == order_id,
                                                                 Notification.event == "custom")).all()
        assert len(rows) == 2
