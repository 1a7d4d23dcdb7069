"""Review: a supervisor approves (applied as them), edits or rejects; CSRs may not; KPIs; CLI import; sweep."""

from __future__ import annotations

import mailbox
from pathlib import Path
from typing import Any

from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.inbox import services
from shopadmin.inbox.jobs import sweep
from shopadmin.orders import services as orders
from tests.factories import api_token
from tests.inbox.conftest import mail, make_order

PLATFORM = system_access("tests")


def test_supervisor_approves_with_edits_csr_may_not(app: Flask, client: Any, inbox_world: dict[str, Any],
                                                     post_mail: Any) -> None:
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["ann"], [("STD-1", 2)])
    raw = mail(sender="ann@example.com", subject=f"Order {number}",
               body=f"Hi, can I change the quantity of STD-1 to 3 on {number}?\nAnn")
    body = post_mail(raw).get_json()
    assert body["status"] == "review", body
    message_id = body["id"]
    csr = api_token(client, "csr@test.example")
    assert client.post(f"/api/v1/inbox/messages/{message_id}/approve", json={}, headers=csr).status_code == 403
    outsider = api_token(client, "outsider@test.example")
    assert client.get(f"/api/v1/inbox/messages/{message_id}", headers=outsider).status_code == 404
    supervisor = api_token(client, "supervisor@test.example")
    edited = [{"type": "quantity", "sku": "STD-1", "to": 4}]
    response = client.post(f"/api/v1/inbox/messages/{message_id}/approve", json={"changes": edited},
                           headers=supervisor)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["review_state"] == "approved"
    with app.app_context(), unit_of_work(PLATFORM):
        order = orders.get_order(PLATFORM, order_id)
        assert [line.quantity for line in order.lines] == [4]
        latest = orders.list_versions(PLATFORM, order)[0]
        assert latest.actor.startswith("user:")
    again = client.post(f"/api/v1/inbox/messages/{message_id}/reject", json={}, headers=supervisor)
    assert again.status_code == 409
    kpis = client.get("/api/v1/inbox/kpis", headers=supervisor).get_json()
    assert kpis["by_status"]["review"] == 1
    assert kpis["review_queue"]["size"] == 0
    assert kpis["time_to_change_seconds"]["count"] == 1
    assert kpis["time_to_change_seconds"]["reviewed"]["count"] == 1
    assert kpis["time_to_change_seconds"]["automatic"]["count"] == 0
    # And one the worker applies alone.
    assert post_mail(mail(sender="ann@example.com", subject=number, body=f"Please cancel {number}."),
                     ).get_json()["status"] == "applied"
    kpis = client.get("/api/v1/inbox/kpis", headers=supervisor).get_json()
    spread = kpis["time_to_change_seconds"]
    assert (spread["count"], spread["automatic"]["count"], spread["reviewed"]["count"]) == (2, 1, 1)
    assert spread["automatic"]["median"] is not None


def test_reject_leaves_the_order_alone(app: Flask, client: Any, inbox_world: dict[str, Any],
                                       post_mail: Any) -> None:
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["ann"], [("BIG-1", 1)])
    body = post_mail(mail(sender="ann@example.com", subject=number, body=f"Please cancel {number}.")).get_json()
    assert (body["status"], body["order_id"]) == ("review", order_id)
    supervisor = api_token(client, "supervisor@test.example")
    listed = client.get("/api/v1/inbox/messages?status=review", headers=supervisor).get_json()
    assert [m["id"] for m in listed["items"]] == [body["id"]]
    response = client.post(f"/api/v1/inbox/messages/{body['id']}/reject", json={"note": "phoned her"},
                           headers=supervisor)
    assert response.get_json()["review_state"] == "rejected"
    with app.app_context(), unit_of_work(PLATFORM):
        assert orders.get_order(PLATFORM, order_id).state == "pending"


def test_cli_imports_mbox_and_maildir_once(app: Flask, inbox_world: dict[str, Any], tmp_path: Path) -> None:
    with app.app_context():
        _, number = make_order(inbox_world["customers"]["ann"], [("STD-1", 2)])
    box = mailbox.mbox(str(tmp_path / "in.mbox"))
    box.add(mail(sender="ann@example.com", subject=number, body=f"Where is my order {number}?",
                 message_id="<one@x.example>"))
    box.add(mail(sender="eve@evil.example", subject="hi", body="hello", message_id="<two@x.example>"))
    box.close()
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    maildir.add(mail(sender="ann@example.com", subject=number, body=f"Where is my order {number}?",
                     message_id="<one@x.example>"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["inbox", "import", str(tmp_path / "in.mbox")])
    assert result.exit_code == 0, result.output
    assert "Stored 2 message(s), 0 duplicate(s) ignored: applied 1, unmatched 1." in result.output
    result = runner.invoke(args=["inbox", "import", str(tmp_path / "Maildir")])
    assert "Stored 0 message(s), 1 duplicate(s) ignored" in result.output
    assert runner.invoke(args=["inbox", "import", str(tmp_path / "missing")]).exit_code != 0


def test_sweep_processes_what_was_left(app: Flask, inbox_world: dict[str, Any]) -> None:
    with app.app_context():
        _, number = make_order(inbox_world["customers"]["max"], [("STD-1", 2)])
        with unit_of_work(PLATFORM):
            message, _ = services.intake(PLATFORM, mail(sender="max.mueller@example.de", subject=number,
                                                        body=f"Bitte stornieren Sie {number}."),
                                         process_after_commit=False)  # as if Redis had been away
            message_id = message.id
        assert sweep(older_than_seconds=0) == 1
        with unit_of_work(PLATFORM):
            assert services.stored_message(message_id).status.value == "applied"
        assert sweep(older_than_seconds=0) == 0


def test_rejecting_a_purchase_order_discards_its_draft_cart(app: Flask, client: Any, inbox_world: dict[str, Any],
                                                            post_mail: Any) -> None:
    csv = b"sku;quantity\nSTD-1;4\nMUG-RED;2\n"
    raw = mail(sender="lucia@example.es", subject="Nuevo pedido", body="Hola,\n\nadjunto nuestro pedido.\n\nSaludos",
               attachments=[("pedido.csv", "text/csv", csv)])
    body = post_mail(raw).get_json()
    assert (body["status"], body["reason"]) == ("review", "purchase_order"), body
    cart_id = body["draft_order_id"]
    supervisor = api_token(client, "supervisor@test.example")
    response = client.post(f"/api/v1/inbox/messages/{body['id']}/reject", json={"note": "a test order"},
                           headers=supervisor)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"]["draft_discarded"] == cart_id
    with app.app_context(), unit_of_work(PLATFORM):
        cart = orders.get_order(PLATFORM, cart_id)
        assert cart.state == "voided"
        events = [(e.event, e.from_state, e.to_state, e.allowed, e.actor) for e in orders.history(PLATFORM, cart)]
        assert ("void", "cart", "voided", True) in [e[:4] for e in events]
        assert next(e for e in events if e[0] == "void")[4].startswith("user:")


def test_a_draft_staff_already_submitted_is_left_alone(app: Flask, client: Any, inbox_world: dict[str, Any],
                                                       post_mail: Any) -> None:
    raw = mail(sender="lucia@example.es", subject="Nuevo pedido", body="Hola,\n\nadjunto nuestro pedido.",
               attachments=[("pedido.csv", "text/csv", b"sku;quantity\nSTD-2;3\n")])
    body = post_mail(raw).get_json()
    with app.app_context(), unit_of_work(PLATFORM):
        orders.fire_event(PLATFORM, orders.get_order(PLATFORM, body["draft_order_id"]), "submit")
    supervisor = api_token(client, "supervisor@test.example")
    response = client.post(f"/api/v1/inbox/messages/{body['id']}/reject", json={}, headers=supervisor)
    assert response.status_code == 200
    assert "draft_discarded" not in response.get_json()["result"]
    with app.app_context(), unit_of_work(PLATFORM):
        assert orders.get_order(PLATFORM, body["draft_order_id"]).state == "pending"
