"""What the customer receives, through a real SMTP server (aiosmtpd): one mail per answer,
in their thread. A cancel by mail used to send both the order's cancellation and the
worker's "done" reply; now the order's own mail is the answer, threaded under theirs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.factories import api_token
from tests.inbox.conftest import mail, make_order
from tests.notifications.conftest import Sink


def _smtp_app(app_factory: Callable[..., Flask], port: int) -> Flask:
    return app_factory(SHOPADMIN_SMTP_HOST="127.0.0.1", SHOPADMIN_SMTP_PORT=port,
                       SHOPADMIN_MAIL_FROM="service@own.example")


def _post(app: Flask, raw: bytes, email: str = "csr@test.example") -> dict[str, Any]:
    client = app.test_client()
    response = client.post("/api/v1/inbox/messages", data=raw, content_type="message/rfc822",
                           headers=api_token(client, email))
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def test_a_cancel_by_mail_gets_one_threaded_mail(app: Flask, app_factory: Callable[..., Flask],
                                                 inbox_world: dict[str, Any], smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    with app.app_context():
        _, number = make_order(inbox_world["customers"]["ann"], [("STD-1", 2)])
    mailing = _smtp_app(app_factory, port)
    body = _post(mailing, mail(sender="ann@example.com", subject=f"Order {number}",
                               body=f"Please cancel my order {number}.", message_id="<cancel-me@ann.example>"))
    assert body["status"] == "applied", body
    received = sink.wait_for(1)
    assert len(sink.to("ann@example.com")) == 1, [m["Subject"] for m in received]
    only = sink.to("ann@example.com")[0]
    assert number in only["Subject"]
    assert "cancel" in only["Subject"].lower()
    assert only["In-Reply-To"] == "<cancel-me@ann.example>"
    assert only["References"] == "<cancel-me@ann.example>"


def test_other_changes_get_the_workers_threaded_reply_once(app: Flask, app_factory: Callable[..., Flask],
                                                           inbox_world: dict[str, Any],
                                                           smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    with app.app_context():
        _, number = make_order(inbox_world["customers"]["max"], [("STD-2", 3)])
    mailing = _smtp_app(app_factory, port)
    body = _post(mailing, mail(
        sender="max.mueller@example.de", subject=f"Lieferadresse {number}", message_id="<adresse@max.example>",
        body=(f"Guten Tag,\n\nbitte ändern Sie die Lieferadresse meiner Bestellung {number} auf:\n\n"
              "Max Müller\nBahnhofstraße 12\n20095 Hamburg\n\nMit freundlichen Grüßen\nMax Müller")))
    assert body["status"] == "applied", body
    sink.wait_for(1)
    mails = sink.to("max.mueller@example.de")
    assert len(mails) == 1, [m["Subject"] for m in mails]
    assert mails[0]["In-Reply-To"] == "<adresse@max.example>"


def test_a_cancel_approved_in_review_is_answered_in_the_thread(
    app: Flask, app_factory: Callable[..., Flask], inbox_world: dict[str, Any], smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    with app.app_context():
        _, number = make_order(inbox_world["customers"]["ann"], [("BIG-1", 1)])  # over the automatic limit
    mailing = _smtp_app(app_factory, port)
    body = _post(mailing, mail(sender="ann@example.com", subject=number, body=f"Please cancel {number}.",
                               message_id="<big@ann.example>"))
    assert body["status"] == "review", body
    sink.wait_for(1)
    assert [m["In-Reply-To"] for m in sink.to("ann@example.com")] == ["<big@ann.example>"]  # "under review"
    client = mailing.test_client()
    approved = client.post(f"/api/v1/inbox/messages/{body['id']}/approve", json={},
                           headers=api_token(client, "supervisor@test.example"))
    assert approved.status_code == 200, approved.get_json()
    sink.wait_for(2)
    mails = sink.to("ann@example.com")
    assert len(mails) == 2, [m["Subject"] for m in mails]
    assert "cancel" in mails[1]["Subject"].lower()
    assert mails[1]["In-Reply-To"] == "<big@ann.example>"

