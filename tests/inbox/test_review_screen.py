"""The review screen's POST path: approve, save edits, reject; CSRF, roles, bad input, other shops."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.inbox import services
from shopadmin.orders import services as orders
from tests.conftest import csrf_token_from
from tests.factories import login
from tests.inbox.conftest import mail, make_order

PLATFORM = system_access("tests")


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def _to_review(app: Flask, post_mail: Any, customer_id: int, lines: list[tuple[str, int]], text: str
               ) -> tuple[int, int, str]:
    with app.app_context():
        order_id, number = make_order(customer_id, lines)
    body = post_mail(mail(sender="ann@example.com", subject=f"Order {number}", body=text.format(number=number)))
    body = body.get_json()
    assert body["status"] == "review", body
    return body["id"], order_id, number


def _message(app: Flask, message_id: int) -> Any:
    with app.app_context(), unit_of_work(PLATFORM):
        m = services.stored_message(message_id)
        return {"review_state": m.review_state.value if m.review_state else None, "changes": m.changes,
                "note": m.review_note, "reviewed_by": m.reviewed_by_id}


def _order(app: Flask, order_id: int) -> dict[str, Any]:
    with app.app_context(), unit_of_work(PLATFORM):
        order = orders.get_order(PLATFORM, order_id)
        return {"state": order.state, "lines": {line.sku: line.quantity for line in order.lines},
                "versions": [(v.actor, v.reason) for v in orders.list_versions(PLATFORM, order)]}


ASK = "Hi, can I change the quantity of STD-1 to 3 on {number}?\nAnn"


def test_supervisor_sees_it_side_by_side_saves_edits_and_approves(app: Flask, inbox_world: dict[str, Any],
                                                                   post_mail: Any) -> None:
    message_id, order_id, number = _to_review(app, post_mail, inbox_world["customers"]["ann"], [("STD-1", 2)], ASK)
    screen = _signed_in(app, "supervisor@test.example")
    page = screen.get(f"/admin/inbox/details/?id={message_id}").get_data(as_text=True)
    assert 'data-testid="inbox-body"' in page
    assert "change the quantity of STD-1 to 3" in page
    assert 'data-testid="inbox-changes"' in page
    assert "STD-1: 2 -&gt; 3" in page
    assert 'data-testid="inbox-order"' in page
    assert number in page
    assert 'data-testid="review-form"' in page
    csrf = csrf_token_from(page)
    url = f"/admin/inbox/review/?id={message_id}"

    edited = [{"type": "quantity", "sku": "STD-1", "from": 2, "to": 5}]
    saved = screen.post(url, data={"csrf_token": csrf, "decision": "save", "changes": json.dumps(edited),
                                   "note": "she phoned: five"}, follow_redirects=True)
    assert saved.status_code == 200
    assert "The changes were saved." in saved.get_data(as_text=True)
    assert _message(app, message_id)["changes"] == edited
    assert _message(app, message_id)["review_state"] == "pending"
    assert _order(app, order_id)["lines"] == {"STD-1": 2}

    approved = screen.post(url, data={"csrf_token": csrf, "decision": "approve", "changes": json.dumps(edited)},
                           follow_redirects=True)
    assert "Approved: the changes were applied." in approved.get_data(as_text=True)
    after = _order(app, order_id)
    assert after["lines"] == {"STD-1": 5}
    assert after["versions"][0][0].startswith("user:")
    assert f"inbox message {message_id}, approved" in after["versions"][0][1]
    state = _message(app, message_id)
    assert state["review_state"] == "approved"
    assert state["reviewed_by"] is not None

    again = screen.post(url, data={"csrf_token": csrf, "decision": "reject"})
    assert again.status_code == 409
    assert "not waiting for review" in again.get_data(as_text=True)


def test_reject_from_the_screen_applies_nothing(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    message_id, order_id, _ = _to_review(app, post_mail, inbox_world["customers"]["ann"], [("STD-1", 2)], ASK)
    before = _order(app, order_id)
    screen = _signed_in(app, "manager@test.example")  # supervisors and up
    csrf = csrf_token_from(screen.get(f"/admin/inbox/details/?id={message_id}").get_data(as_text=True))
    done = screen.post(f"/admin/inbox/review/?id={message_id}",
                       data={"csrf_token": csrf, "decision": "reject", "note": "not what she meant"},
                       follow_redirects=True)
    assert "Rejected: nothing was applied." in done.get_data(as_text=True)
    assert _message(app, message_id)["review_state"] == "rejected"
    assert _message(app, message_id)["note"] == "not what she meant"
    assert _order(app, order_id) == before


def test_bad_input_is_refused_with_a_message(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    message_id, order_id, _ = _to_review(app, post_mail, inbox_world["customers"]["ann"], [("STD-1", 2)], ASK)
    before = _order(app, order_id)
    screen = _signed_in(app, "supervisor@test.example")
    csrf = csrf_token_from(screen.get(f"/admin/inbox/details/?id={message_id}").get_data(as_text=True))
    url = f"/admin/inbox/review/?id={message_id}"

    assert screen.post(url, data={"decision": "approve"}).status_code == 400  # no CSRF token
    cases = [
        ({"decision": "approve", "changes": "{not json"}, "The changes are not valid JSON."),
        ({"decision": "approve", "changes": '[{"type": "teleport"}]'}, "Each change has a known type."),
        ({"decision": "approve", "changes": '{"type": "cancel"}'}, "Send a list of changes."),
        ({"decision": "approve", "changes": '[{"type": "quantity", "sku": "STD-1", "to": -2}]'},
         "A quantity is a whole number of at least 1."),
        ({"decision": "approve", "changes": '[{"type": "quantity", "sku": "NOPE", "to": 2}]'}, "NOPE is not on"),
        ({"decision": "explode"}, "Not a valid choice"),
        ({"decision": "approve", "order_id": "abc"}, "Not a valid integer value"),
        ({"decision": "approve", "order_id": "999999"}, "No such order"),
    ]
    for data, expected in cases:
        response = screen.post(url, data={"csrf_token": csrf, **data})
        text = response.get_data(as_text=True)
        assert response.status_code in (404, 409, 422), (data, response.status_code)
        assert expected in text, (data, text[-3000:])
        assert 'data-testid="review-form"' in text or response.status_code == 404
    assert _message(app, message_id)["review_state"] == "pending"
    assert _order(app, order_id) == before


def test_roles_and_other_shops(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    message_id, _order_id, _ = _to_review(app, post_mail, inbox_world["customers"]["ann"], [("STD-1", 2)], ASK)
    url = f"/admin/inbox/review/?id={message_id}"

    csr = _signed_in(app, "csr@test.example")
    page = csr.get(f"/admin/inbox/details/?id={message_id}")
    assert page.status_code == 200
    assert 'data-testid="review-form"' not in page.get_data(as_text=True)  # may read, not decide
    csrf = _any_csrf(csr)
    assert csr.post(url, data={"csrf_token": csrf, "decision": "approve"}).status_code == 403

    outsider = _signed_in(app, "outsider@test.example")  # staff of another shop
    assert outsider.get(f"/admin/inbox/details/?id={message_id}").status_code == 404
    assert outsider.post(url, data={"csrf_token": _any_csrf(outsider), "decision": "approve"}).status_code == 404
    assert outsider.post(url, data={"csrf_token": _any_csrf(outsider), "decision": "reject"}).status_code == 404
    assert _message(app, message_id)["review_state"] == "pending"


def _any_csrf(client: FlaskClient) -> str:
    """A valid token of this session (the sign-out form on every admin page)."""
    return csrf_token_from(client.get("/admin/inbox/").get_data(as_text=True))


def test_the_inbox_list_has_labelled_columns_and_readable_states(app: Flask, inbox_world: dict[str, Any],
                                                                 post_mail: Any) -> None:
    message_id, _, _ = _to_review(app, post_mail, inbox_world["customers"]["ann"], [("STD-1", 2)], ASK)
    screen = _signed_in(app, "supervisor@test.example")
    page = screen.get("/admin/inbox/").get_data(as_text=True)
    for header in ("Received", "Shop", "From", "Subject", "Status", "Reason", "Language", "Review"):
        assert f">{header}<" in page or f"{header}\n" in page, header
    assert 'data-status="review">to review<' in page
    assert "pending" in page
    detail = screen.get(f"/admin/inbox/details/?id={message_id}").get_data(as_text=True)
    assert 'data-testid="inbox-status">to review<' in detail


def test_a_review_error_is_flashed_in_the_supervisors_language(app: Flask, inbox_world: dict[str, Any],
                                                               post_mail: Any) -> None:
    """Approving a message already decided: the Conflict is flashed through core's flash_error,
    translated for the signed-in supervisor (ADR 0006), around a German screen."""
    from flask_babel import force_locale
    from flask_babel import gettext as gettext_now
    from markupsafe import escape

    from shopadmin.core.access import Role
    from tests.factories import make_user

    with app.app_context():
        make_user("aufsicht@test.example", roles={"OWN": Role.SUPERVISOR}, locale="de")
    message_id, _, _ = _to_review(app, post_mail, inbox_world["customers"]["ann"], [("STD-1", 2)], ASK)
    screen = _signed_in(app, "aufsicht@test.example")
    csrf = csrf_token_from(screen.get(f"/admin/inbox/details/?id={message_id}").get_data(as_text=True))
    url = f"/admin/inbox/review/?id={message_id}"
    done = screen.post(url, data={"csrf_token": csrf, "decision": "approve"}, follow_redirects=True)
    assert "Genehmigt: Die Änderungen wurden übernommen." in done.get_data(as_text=True)

    again = screen.post(url, data={"csrf_token": csrf, "decision": "approve"})
    page = again.get_data(as_text=True)
    assert again.status_code == 409
    with app.test_request_context("/admin/"), force_locale("de"):
        german = gettext_now("This message is not waiting for review.")
    assert german != "This message is not waiting for review."  # the catalogue has it
    assert str(escape(german)) in page
    assert "Entscheidung" in page or "Prüfung" in page  # the rest of the screen speaks German
    assert _message(app, message_id)["review_state"] == "approved"

    colleague = _signed_in(app, "supervisor@test.example")  # no locale: the browser's, English here
    english = colleague.post(url, data={"csrf_token": _any_csrf(colleague), "decision": "approve"})
    assert english.status_code == 409
    assert "This message is not waiting for review." in english.get_data(as_text=True)


def test_reasons_and_changes_are_shown_as_words(app: Flask, inbox_world: dict[str, Any], post_mail: Any) -> None:
    message_id, _, _ = _to_review(app, post_mail, inbox_world["customers"]["ann"], [("STD-1", 2)], ASK)
    screen = _signed_in(app, "supervisor@test.example")
    detail = screen.get(f"/admin/inbox/details/?id={message_id}").get_data(as_text=True)
    assert 'data-testid="inbox-reason"' in detail
    listing = screen.get("/admin/inbox/").get_data(as_text=True)
    assert "data-reason=" in listing


def test_every_reason_the_worker_gives_has_a_label(app: Flask) -> None:
    import re
    from pathlib import Path

    from shopadmin.core.i18n import labels_of
    from shopadmin.inbox import labels, parsing, understanding
    from shopadmin.inbox import services as inbox_services

    sources = Path(inbox_services.__file__).read_text() + Path(parsing.__file__).read_text()
    reasons = set(re.findall(r'InboxStatus\.[A-Z]+, "([a-z_]+)"', sources))
    reasons |= set(re.findall(r'return "([a-z_]+)", f?"', sources))
    reasons |= set(re.findall(r'Unreadable\("([a-z_]+)"', sources))
    assert len(reasons) > 20
    assert reasons == set(labels_of("inbox_reason"))
    assert reasons >= labels.DETAILED_REASONS
    assert set(labels_of("inbox_change")) == set(understanding.INTENTS)
