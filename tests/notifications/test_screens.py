"""The notification screens through HTTP, as a browser posts them (CSRF included)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db
from shopadmin.notifications.models import Notification, NotificationStatus, NotificationTemplate
from tests.conftest import csrf_token_from
from tests.factories import login, make_shop, make_user
from tests.notifications.conftest import Sink
from tests.notifications.factories import make_notification
from tests.notifications.test_inline import mail_app  # noqa: F401 - fixture

PLATFORM = system_access("tests")


def _token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    return csrf_token_from(page.get_data(as_text=True))


def test_the_template_editor_previews_saves_and_refuses_broken_templates(
    mail_app: Flask, smtp: tuple[Sink, int]  # noqa: F811
) -> None:
    sink, _ = smtp
    client = mail_app.test_client()
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        make_user("m@test.example", roles={"OWN": Role.MANAGER})
    login(client, "m@test.example")
    url = f"/admin/notification_templates/new/?shop={shop_id}&event=order_placed&locale=de"
    token = _token(client, url)
    page = client.get(url).get_data(as_text=True)
    assert "Ihre Bestellung" in page  # starts from the shipped default
    form = {"csrf_token": token, "shop": shop_id, "event": "order_placed", "locale": "de",
            "subject": "Danke {{ order.number }}", "body_text": "{% for x in order.lines %}oops"}
    broken = client.post(url, data={**form, "save": "1"}).get_data(as_text=True)
    assert 'data-testid="field-error"' in broken
    assert "Line" in broken
    unsafe = client.post(url, data={**form, "body_text": "{{ order.__class__.__mro__ }}", "save": "1"})
    assert "template tries to reach something" in unsafe.get_data(as_text=True)
    previewed = client.post(url, data={**form, "body_text": "Summe {{ money(order.totals.total, currency) }}",
                                       "preview": "1"}).get_data(as_text=True)
    assert "Danke SAMPLE-1001" in previewed
    sent = client.post(url, data={**form, "body_text": "Hallo", "test_send": "1"})
    assert sent.status_code == 200
    assert [(m["To"], m["Subject"]) for m in sink.messages] == [("m@test.example", "Danke SAMPLE-1001")]
    saved = client.post(url, data={**form, "body_text": "Hallo", "save": "1"})
    assert saved.status_code == 302
    with mail_app.app_context():
        [template] = db.session.scalars(sa.select(NotificationTemplate).execution_options(all_shops=True)).all()
        assert (template.locale, template.subject) == ("de", "Danke {{ order.number }}")
    assert "Danke" in client.get("/admin/notification_templates/").get_data(as_text=True)


def test_outbox_filters_message_and_retry(app: Flask) -> None:
    with app.app_context():
        shop_id = make_shop(code="OWN")
        make_user("csr@test.example", roles={"OWN": Role.CSR})
        make_user("sup@test.example", roles={"OWN": Role.SUPERVISOR})
        failed = make_notification(shop_id)
        sent = make_notification(shop_id, status=NotificationStatus.SENT, subject="Shipped A-1",
                                 body_text="Your parcel is on its way")
    csr = app.test_client()
    login(csr, "csr@test.example")
    listing = csr.get("/admin/notifications/?flt0_0=failed").get_data(as_text=True)
    assert "550 no such user" in listing
    assert "Shipped A-1" not in listing
    message = csr.get(f"/admin/notifications/details/?id={sent}").get_data(as_text=True)
    assert "Your parcel is on its way" in message  # a CSR opens a sent email
    csr_token = _token(csr, f"/admin/notifications/details/?id={failed}")
    assert csr.post(f"/admin/notifications/retry/?id={failed}", data={"csrf_token": csr_token}).status_code == 403
    supervisor = app.test_client()
    login(supervisor, "sup@test.example")
    token = _token(supervisor, f"/admin/notifications/details/?id={failed}")
    retried = supervisor.post(f"/admin/notifications/retry/?id={failed}", data={"csrf_token": token})
    assert retried.status_code == 302
    with app.app_context(), unit_of_work(PLATFORM):
        row = db.session.scalars(sa.select(Notification).where(Notification.id == failed)).one()
        assert row.attempts <= 1  # queued again from zero (inline mode then tried the default SMTP server)
        assert row.status is not NotificationStatus.SENT


def test_settings_screen_saves_through_the_service(app: Flask) -> None:
    with app.app_context():
        shop_id = make_shop(code="OWN")
        make_user("m@test.example", roles={"OWN": Role.MANAGER})
    client = app.test_client()
    login(client, "m@test.example")
    token = _token(client, "/admin/notification_settings/new/")
    created = client.post("/admin/notification_settings/new/", data={
        "csrf_token": token, "shop": shop_id, "reminder_days": "5, 2", "escalate_after_days": "9",
        "retention_days": "30", "fulfilment_addresses": "main = fc@test.example"})
    assert created.status_code == 302, created.get_data(as_text=True)[:3000]
    listing = client.get("/admin/notification_settings/").get_data(as_text=True)
    assert "2, 5" in listing
    assert "MAIN: fc@test.example" in listing
    edit_id = re.search(r"/admin/notification_settings/edit/\?id=(\d+)", listing)
    assert edit_id is not None
    assert "fc@test.example" in client.get(f"/admin/notification_settings/edit/?id={edit_id.group(1)}").get_data(
        as_text=True)


def test_write_from_an_order_screen_copy_preview_send_and_resend(
    mail_app: Flask, smtp: tuple[Sink, int]  # noqa: F811
) -> None:
    from tests.notifications.test_orders import make_customer, place
    from tests.orders.factories import make_product

    sink, _ = smtp
    with mail_app.app_context():
        make_shop(code="OWN")
        make_product("OWN")
        make_user("csr@test.example", roles={"OWN": Role.CSR}, locale="de")
        customer_id = make_customer("OWN", "chloe@example.com", "en")
        order_id, number = place("OWN", customer_id)
    sink.messages.clear()
    client = mail_app.test_client()
    login(client, "csr@test.example")
    url = f"/admin/notifications/compose/?order_id={order_id}"
    page = client.get(url).get_data(as_text=True)
    assert "E-Mail schreiben" in page  # the screen in the user's language
    token = csrf_token_from(page)
    form = {"csrf_token": token, "order_id": order_id, "customer_id": customer_id, "template": "order_placed"}
    copied = client.post(url, data={**form, "load": "1", "subject": "x", "body_text": "x"}).get_data(as_text=True)
    assert "Your order {{ order.number }}" in copied  # a copy of the template to edit
    previewed = client.post(url, data={**form, "preview": "1", "subject": "About {{ order.number }}",
                                       "body_text": "Dear {{ customer.first_name }}"}).get_data(as_text=True)
    assert f"About {number}" in previewed
    assert "Dear Chloé" in previewed
    sent = client.post(url, data={**form, "send": "1", "subject": "About {{ order.number }}",
                                  "body_text": "Dear {{ customer.first_name }}"})
    assert sent.status_code == 302
    resend = client.post(f"/admin/notifications/resend/?order_id={order_id}", data={"csrf_token": token})
    assert resend.status_code == 302
    assert [m["Subject"] for m in sink.to("chloe@example.com")] == [f"About {number}",
                                                                    f"Order {number} confirmed"]
    assert "Postausgang" in client.get("/admin/notifications/").get_data(as_text=True)
