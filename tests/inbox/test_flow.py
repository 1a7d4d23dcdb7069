"""The worker end to end through the API: intake, understanding, acting, answering."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db
from shopadmin.inbox.models import InboxMessage
from shopadmin.notifications.models import Notification
from shopadmin.orders import services as orders
from tests.inbox.conftest import mail, make_order

PLATFORM = system_access("tests")


def _order(app: Flask, order_id: int) -> Any:
    with app.app_context(), unit_of_work(PLATFORM):
        order = orders.get_order(PLATFORM, order_id)
        return {"state": order.state, "lines": {line.sku: line.quantity for line in order.lines},
                "address": dict(order.shipping_address), "version": order.version,
                "versions": [(v.actor, v.user_id, v.reason) for v in orders.list_versions(PLATFORM, order)]}


def test_cancel_in_english_is_applied_and_answered(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["ann"], [("STD-1", 2)])
    raw = mail(sender="Ann Lee <ann@example.com>", subject=f"Order {number}",
               body=f"Hello,\n\nplease cancel my order {number}.\n\nThanks,\nAnn")
    response = post_mail(raw)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "applied", body
    assert body["order_id"] == order_id
    assert body["language"] == "en"
    assert [c["type"] for c in body["changes"]] == ["cancel"]
    after = _order(app, order_id)
    assert after["state"] == "cancelled"
    assert any(actor == "system:inbox" and user_id for actor, user_id, _ in after["versions"])
    with app.app_context():
        # One mail: the order's own cancellation, threaded under hers (tests/inbox/test_one_mail.py sends it).
        mails = db.session.scalars(sa.select(Notification).where(Notification.audience == "customer",
                                                              Notification.event != "order_placed")
                                   .execution_options(all_shops=True)).all()
        assert [(r.event, r.recipient) for r in mails] == [("order_cancelled", "ann@example.com")]
        assert mails[0].payload["in_reply_to"].startswith("<")
    again = post_mail(raw)
    assert again.status_code == 201
    assert again.get_json()["duplicate"] is True
    assert again.get_json()["id"] == body["id"]


def test_german_address_change(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["max"], [("STD-2", 3)])
    raw = mail(sender="max.mueller@example.de", subject=f"Lieferadresse {number}",
               body=("Guten Tag,\n\nbitte ändern Sie die Lieferadresse meiner Bestellung " + number + " auf:\n\n"
                     "Max Müller\nBahnhofstraße 12\n20095 Hamburg\n\nMit freundlichen Grüßen\nMax Müller"))
    body = post_mail(raw).get_json()
    assert body["status"] == "applied", body
    assert body["language"] == "de"
    after = _order(app, order_id)
    assert after["address"]["city"] == "Hamburg"
    assert after["address"]["line1"] == "Bahnhofstraße 12"


def test_stranger_never_changes_an_order(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["ann"], [("STD-1", 2)])
    raw = mail(sender="eve@evil.example", subject=f"Cancel {number}", body=f"Please cancel order {number}.")
    body = post_mail(raw).get_json()
    assert body["status"] == "unmatched"
    assert _order(app, order_id)["state"] == "pending"
    # Another customer of the shop is not the order's customer either.
    raw = mail(sender="bob@example.com", subject=f"Cancel {number}", body=f"Please cancel order {number}.")
    body = post_mail(raw).get_json()
    assert body["status"] == "review"
    assert _order(app, order_id)["state"] == "pending"


def test_quantity_change_and_purchase_order(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    with app.app_context():
        _order_id, number = make_order(inbox_world["customers"]["claire"], [("STD-1", 2), ("STD-2", 1)])
    raw = mail(sender="claire@example.fr", subject=f"Commande {number}",
               body="Bonjour,\n\npouvez-vous modifier la quantité de STD-1 à 5 ?\nMerci\n\nCordialement,\nClaire")
    body = post_mail(raw).get_json()
    assert body["language"] == "fr"
    assert body["status"] in ("applied", "review"), body
    csv = b"sku;quantity\nSTD-1;4\nMUG-RED;2\nNOPE-9;1\n"
    raw = mail(sender="lucia@example.es", subject="Nuevo pedido",
               body="Hola,\n\nadjunto nuestro pedido de compra.\n\nSaludos",
               attachments=[("pedido.csv", "text/csv", csv)])
    body = post_mail(raw).get_json()
    assert body["status"] == "review", body
    assert body["language"] == "es"
    po = next(c for c in body["changes"] if c["type"] == "purchase_order")
    assert po["lines"] == [{"sku": "STD-1", "quantity": 4}, {"sku": "MUG-RED", "quantity": 2}]
    assert po["unknown_skus"] == ["NOPE-9"]
    assert _order(app, body["order_id"])["state"] == "cart"


def test_junk_is_rejected_cleanly(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    for junk in (b"\x00\x01\x02binary", b"hello", b"From: x\n\n" + b"\xff" * 100):
        response = post_mail(junk)
        assert response.status_code == 201
        assert response.get_json()["status"] == "rejected"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxMessage)
                                 .execution_options(all_shops=True)) == 3
