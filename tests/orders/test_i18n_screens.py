"""The order screens speak the reader's language; the API keeps English and codes (ADR 0006).

The .po files are filled in by the translation pass, so the German expectations are read
from the German catalogue (``gettext`` under ``force_locale("de")``) rather than written
out; where the catalogue already has a word (order states), the word itself is checked.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext as gettext_now
from markupsafe import escape

from shopadmin.core.access import Role
from shopadmin.core.i18n import label, labels_of
from shopadmin.orders import statemachine as sm
from tests.conftest import csrf_token_from
from tests.factories import api_token, login, make_user

GERMAN_CSR = "sachbearbeiterin@test.example"


def _german(app: Flask, text: str, **params: Any) -> str:
    """``text`` as a German reader gets it: the catalogue's translation, which must exist."""
    with app.test_request_context("/admin/"), force_locale("de"):
        german = gettext_now(text, **params)
    assert german != gettext_now(text, **params) or not any(c.isalpha() for c in text), f"untranslated: {text}"
    return str(escape(german))


def _german_label(app: Flask, value: str, kind: str) -> str:
    with app.test_request_context("/admin/"), force_locale("de"):
        german = label(value, kind)
    with app.test_request_context("/admin/"), force_locale("en"):
        assert german != label(value, kind), f"untranslated: {kind} {value}"
    return str(escape(german))


def _signed_in(app: Flask, email: str) -> FlaskClient:
    screen = app.test_client()
    login(screen, email)
    return screen


def test_a_german_csr_sees_a_refusal_and_the_state_in_german(app: Flask, place: Any, client: FlaskClient,
                                                             token: Any) -> None:
    with app.app_context():
        make_user(GERMAN_CSR, roles={"OWN": Role.CSR}, locale="de")
    order = place(payment_flow="prepay")
    confirmed = client.post(f"/api/v1/orders/{order['id']}/events", json={"event": "confirm"}, headers=token("csr"))
    assert confirmed.get_json()["order"]["state"] == sm.WAITING_PAYMENT

    screen = _signed_in(app, GERMAN_CSR)
    url = f"/admin/orders/details/?id={order['id']}"
    csrf = csrf_token_from(screen.get(url).get_data(as_text=True))
    # Resume an order that is not suspended: refused, written to the history, flashed.
    refused = screen.post(f"/admin/orders/event/?id={order['id']}", data={"csrf_token": csrf, "event": "resume"},
                          follow_redirects=True)
    page = refused.get_data(as_text=True)
    reason = _german_label(app, "not_suspended", "refusal_reason")
    flashed = _german(app, "%(event)s is not possible now: %(reason)s.",
                      event=_german_label(app, "resume", "order_event"), reason=reason)
    assert flashed in page
    # the history's refused entry, and the order's state, in German
    assert f'data-reason="not_suspended">{_german(app, "refused")}: {reason}</span>' in page
    assert 'data-state="waiting_payment">Wartet auf Zahlung</span>' in page
    assert _german_label(app, sm.WAITING_PAYMENT, "order_state") == "Wartet auf Zahlung"
    # the disabled button says why, in German too
    assert 'data-testid="refused-resume" data-reason="not_suspended">' in page
    assert f"<small>({reason})</small>" in page

    # A dry run's effects: in German on the screen, English in the API.
    dry = screen.post(f"/admin/orders/event/?id={order['id']}",
                      data={"csrf_token": csrf, "event": "cancel", "dry_run": "1"}, follow_redirects=True)
    release = _german(app, "release %(quantity)s × %(sku)s", quantity=2, sku="STD-1")
    assert release in dry.get_data(as_text=True)

    # The same user through the API: English messages, reasons as codes.
    german_token = api_token(client, GERMAN_CSR)
    api = client.post(f"/api/v1/orders/{order['id']}/events", json={"event": "resume"}, headers=german_token)
    assert api.status_code == 409
    error = api.get_json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["message"] == "'resume' is not possible now (not_suspended)."
    assert error["fields"]["reason"] == "not_suspended"
    dry_api = client.post(f"/api/v1/orders/{order['id']}/events", json={"event": "cancel", "dry_run": True},
                          headers={**german_token, "Accept-Language": "de"})
    assert "release 2 × STD-1" in dry_api.get_json()["effects"]
    detail = client.get(f"/api/v1/orders/{order['id']}", headers=german_token).get_json()
    assert {"event": "resume", "allowed": False, "reason": "not_suspended"}.items() <= next(
        a for a in detail["actions"] if a["event"] == "resume").items()
    events = client.get(f"/api/v1/orders/{order['id']}/events", headers=german_token).get_json()["items"]
    assert any(e["event"] == "resume" and e["reason"] == "not_suspended" for e in events)

    # An English colleague (no preference, English browser) reads the same screen in English.
    english = _signed_in(app, "csr@test.example").get(url).get_data(as_text=True)
    assert 'data-reason="not_suspended">refused: not suspended</span>' in english
    assert 'data-state="waiting_payment">Waiting for payment</span>' in english


def test_a_domain_error_on_a_screen_is_flashed_in_the_readers_language(app: Flask, place: Any) -> None:
    """A service error (lazy message with a parameter) shown through core's flash_error."""
    with app.app_context():
        make_user(GERMAN_CSR, roles={"OWN": Role.CSR}, locale="de")
    order = place()
    screen = _signed_in(app, GERMAN_CSR)
    form = screen.get(f"/admin/orders/edit/?id={order['id']}").get_data(as_text=True)
    saved = screen.post(f"/admin/orders/edit/?id={order['id']}", data={
        "csrf_token": csrf_token_from(form), "version": str(order["version"]),
        f"qty-{order['lines'][0]['id']}": "2", "add_sku": "NOPE-9", "add_quantity": "1"})
    page = saved.get_data(as_text=True)
    assert _german(app, "No product %(sku)s in this shop.", sku="'NOPE-9'") in page


def test_version_reasons_and_changes_are_shown_as_words(app: Flask) -> None:
    from shopadmin.orders.admin import shown_change, shown_field, shown_version_reason

    with app.test_request_context("/admin/"):
        assert shown_version_reason("created") == "created"
        assert shown_version_reason("event: confirm") == "event: Confirm"
        assert shown_version_reason("payment captured") == "payment captured"
        assert shown_version_reason("customer called") == "customer called"
        assert shown_change("state", "waiting_payment") == "Waiting for payment"
        assert shown_change("deliveries.3.state", "reserved") == "Reserved"
        assert shown_change("lines.STD-1.quantity", 3) == 3
        assert shown_change("state", None) == "—"  # the first version: no state before
        assert shown_change("deliveries.4", {"id": 4, "group": "standard", "state": "reserved"}) == (
            "standard (Reserved)")
        assert shown_field("state") == "State"
        assert shown_field("lines.STD-1.quantity") == "Line STD-1 · Quantity"
        assert shown_field("charges.shipping") == "Charges · Shipping charge"
        assert shown_field("shipping_address.city") == "Shipping address · city"  # unknown parts as they are
        with force_locale("de"):
            assert shown_change("state", "waiting_payment") == "Wartet auf Zahlung"
            assert shown_field("lines.STD-1.quantity") == "Position STD-1 · Menge"


def test_every_event_and_refusal_reason_has_a_label() -> None:
    delivery_events = {row.event for row in sm.DELIVERY_TABLE}
    history_entries = {"place", "hand_over", "block", "release_block"}  # written by orders.services
    assert set(labels_of("order_event")) == set(sm.ORDER_EVENTS) | delivery_events | history_entries
    reasons = {"state", "role", "system_only", "unknown_event"} | set(sm.REASONS.values())
    assert set(labels_of("refusal_reason")) == reasons
