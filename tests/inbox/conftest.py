"""An inbox world: ``world(app)`` plus, in OWN, a catalogue with stock and customers who
write in English, German, French and Spanish. Orders are made per test."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from flask import Flask

from shopadmin.catalogue import services as catalogue
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers import services as customers
from shopadmin.extensions import db
from shopadmin.orders import services as orders
from shopadmin.tenants import services as tenants
from tests.factories import world
from tests.inbox.imap_server import imap_server  # noqa: F401 - a fixture for test_imap
from tests.notifications.conftest import smtp  # noqa: F401 - the real SMTP server fixture

PLATFORM = system_access("tests")

PRODUCTS = [
    ("STD-1", "Standard widget", "10.00", 500),
    ("STD-2", "Second widget", "4.50", 500),
    ("MUG-RED", "Red coffee mug", "8.00", 200),
    ("LAMP-7", "Desk lamp", "35.00", 100),
    ("BIG-1", "Espresso machine", "900.00", 20),
]
CUSTOMERS = {
    "ann": ("ann@example.com", "Ann", "Lee", "en", "Ann Lee", "Main St 1", "10115", "Berlin", "DE"),
    "max": ("max.mueller@example.de", "Max", "Müller", "de", "Max Müller", "Hauptstraße 5", "80331", "München", "DE"),
    "claire": ("claire@example.fr", "Claire", "Dubois", "fr", "Claire Dubois", "12 rue de la Paix", "75002", "Paris",
               "FR"),
    "lucia": ("lucia@example.es", "Lucía", "García", "es", "Lucía García", "Calle Mayor 3", "28013", "Madrid", "ES"),
    "bob": ("bob@example.com", "Bob", "Stone", "en", "Bob Stone", "Elm Road 9", "10117", "Berlin", "DE"),
}
SHOP_EMAIL = "service@own.example"


def stored_messages(app: Flask) -> list[tuple[str, str, str]]:
    """(Message-ID, source, status) of every stored inbox message, oldest first."""
    import sqlalchemy as sa

    from shopadmin.inbox.models import InboxMessage

    with app.app_context():
        rows = db.session.execute(sa.select(InboxMessage.message_id, InboxMessage.source, InboxMessage.status)
                                  .order_by(InboxMessage.id).execution_options(all_shops=True)).all()
        db.session.remove()
        return [(m, s, st.value) for m, s, st in rows]


def order_state_and_versions(app: Flask, order_id: int) -> tuple[str, int]:
    with app.app_context(), unit_of_work(PLATFORM):
        order = orders.get_order(PLATFORM, order_id)
        return order.state, len(orders.list_versions(PLATFORM, order))


def seed(shop_code: str = "OWN", with_customers: bool = True) -> dict[str, int]:
    ids: dict[str, int] = {}
    with unit_of_work(PLATFORM):
        shop = tenants.get_shop(PLATFORM, shop_code)
        for sku, name, price, stock in PRODUCTS:
            catalogue.create_product(PLATFORM, shop, catalogue.ProductInput(sku=sku, name=name, price=price))
            catalogue.set_stock(PLATFORM, shop, sku, warehouse="MAIN", quantity=stock)
        if with_customers:
            for key, (email, first, last, locale, name, line1, postcode, city, country) in CUSTOMERS.items():
                customer = customers.create_customer(PLATFORM, customers.CustomerInput(
                    shop=shop_code, email=email, first_name=first, last_name=last, locale=locale,
                    addresses=[{"kind": "shipping", "name": name, "line1": line1, "postcode": postcode, "city": city,
                                "country": country}],
                ))
                ids[key] = customer.id
    return ids


def make_order(customer_id: int, lines: list[tuple[str, int]], *, shop: str = "OWN", state: str = "pending"
               ) -> tuple[int, str]:
    with unit_of_work(PLATFORM):
        order = orders.place_order(PLATFORM, orders.OrderInput(
            shop=shop, customer_id=customer_id, channel="web", payment_flow="on_delivery",
            lines=[orders.LineInput(sku=sku, quantity=qty) for sku, qty in lines], quote=state == "quote"))
        if state == "in_progress":
            orders.fire_event(PLATFORM, order, "confirm")
        elif state == "blocked":
            orders.add_block(PLATFORM, order, "fraud check")
        elif state == "cancelled":
            orders.fire_event(PLATFORM, order, "cancel")
        return order.id, order.number


@pytest.fixture
def inbox_world(app: Flask) -> dict[str, Any]:
    ids = world(app)
    with app.app_context():
        result: dict[str, Any] = {"shops": ids, "customers": seed("OWN")}
        seed("OTHER", with_customers=False)
        db.session.remove()
    return result


def mail(*, sender: str, subject: str, body: str, to: str = SHOP_EMAIL, html: str | None = None,
         message_id: str | None = None, headers: dict[str, str] | None = None,
         attachments: list[tuple[str, str, bytes]] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments or []:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


@pytest.fixture
def post_mail(client: Any, inbox_world: dict[str, Any]) -> Callable[..., Any]:
    from tests.factories import api_token

    headers = api_token(client, "csr@test.example")

    def post(raw: bytes, *, token: dict[str, str] | None = None, query: str = "") -> Any:
        return client.post(f"/api/v1/inbox/messages{query}", data=raw, content_type="message/rfc822",
                           headers=token or headers)

    return post
