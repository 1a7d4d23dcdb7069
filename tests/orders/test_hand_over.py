"""Handing a saved cart or quote to another staff user: API, rules, history, screens."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import Role
from shopadmin.extensions import db
from shopadmin.staff.models import User
from tests.conftest import csrf_token_from
from tests.factories import login, make_user


def _user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email)
                                 .execution_options(all_shops=True))  # type: ignore[return-value]


def _hand(client: FlaskClient, headers: dict[str, str], order_id: int, body: Any, **extra: str) -> Any:
    return client.post(f"/api/v1/orders/{order_id}/hand-over", json=body, headers={**headers, **extra})


def test_holder_hands_over_and_it_is_recorded(app: Flask, client: FlaskClient, place: Any, token: Any) -> None:
    cart = place("csr", cart=True)
    csr, supervisor = _user_id(app, "csr@test.example"), _user_id(app, "supervisor@test.example")
    assert cart["state"] == "cart"
    assert cart["held_by"] == csr
    response = _hand(client, token("csr"), cart["id"], {"user_id": supervisor, "reason": "off shift"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["held_by"] == supervisor
    assert body["version"] == cart["version"] + 1
    assert response.headers["ETag"] == f'"{body["version"]}"'
    versions = client.get(f"/api/v1/orders/{cart['id']}/versions", headers=token("csr")).get_json()["items"]
    assert versions[0]["changes"] == [{"field": "held_by", "from": "csr", "to": "supervisor"}]
    assert versions[0]["reason"] == "handed over to supervisor: off shift"
    history = client.get(f"/api/v1/orders/{cart['id']}/events", headers=token("csr")).get_json()["items"]
    assert history[0]["event"] == "hand_over"
    # the former holder may no longer hand it on
    again = _hand(client, token("csr"), cart["id"], {"user_id": csr})
    assert again.status_code == 403
    assert again.get_json()["error"]["code"] == "not_holder"


def test_supervisor_hands_over_anyones_csr_only_their_own(app: Flask, client: FlaskClient, place: Any,
                                                          token: Any) -> None:
    with app.app_context():
        other_csr = make_user("csr2@test.example", roles={"OWN": Role.CSR})
    quote = place("manager", quote=True, quote_valid_until="2099-01-01")
    refused = _hand(client, token("csr"), quote["id"], {"user_id": other_csr})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "not_holder"
    done = _hand(client, token("supervisor"), quote["id"], {"user_id": other_csr})
    assert done.status_code == 200
    assert done.get_json()["held_by"] == other_csr


def test_bad_targets_and_states(app: Flask, client: FlaskClient, place: Any, token: Any) -> None:
    cart = place("csr", cart=True)
    headers = token("csr")
    unknown = _hand(client, headers, cart["id"], {"user_id": 987654})
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["fields"]["user_id"] == ["No such user."]
    outsider = _hand(client, headers, cart["id"], {"user_id": _user_id(app, "outsider@test.example")})
    assert outsider.status_code == 422
    assert "not staff of shop OWN" in outsider.get_json()["error"]["fields"]["user_id"][0]
    superadmin = _hand(client, headers, cart["id"], {"user_id": _user_id(app, "super@test.example")})
    assert superadmin.status_code == 422  # sees everything, but is not the shop's staff
    for bad in ({}, {"user_id": "7"}, {"user_id": None}):
        response = _hand(client, headers, cart["id"], bad)
        assert response.status_code == 422, bad
        assert "user_id" in response.get_json()["error"]["fields"]
    stale = _hand(client, headers, cart["id"], {"user_id": _user_id(app, "owner@test.example")}, **{"If-Match": "99"})
    assert stale.status_code == 412
    placed = place("csr")
    not_pending = _hand(client, headers, placed["id"], {"user_id": _user_id(app, "supervisor@test.example")})
    assert not_pending.status_code == 409
    assert not_pending.get_json()["error"]["code"] == "invalid_transition"
    # handing to the holder changes nothing
    same = _hand(client, headers, cart["id"], {"user_id": _user_id(app, "csr@test.example")})
    assert same.status_code == 200
    assert same.get_json()["version"] == cart["version"]


def test_other_shops_order_is_not_found_and_sub_shop_takes_master_staff(app: Flask, client: FlaskClient,
                                                                        place: Any, token: Any) -> None:
    other = place("super", shop="OTHER", cart=True)
    response = _hand(client, token("csr"), other["id"], {"user_id": _user_id(app, "csr@test.example")})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    sub = place("super", shop="SUB", cart=True)
    # staff of the master shop work on its sub-shops
    done = _hand(client, token("super"), sub["id"], {"user_id": _user_id(app, "csr@test.example")})
    assert done.status_code == 200, done.get_json()


def test_hand_over_from_the_detail_screen(app: Flask, place: Any, token: Any, client: FlaskClient) -> None:
    cart = place("csr", cart=True)
    supervisor = _user_id(app, "supervisor@test.example")
    screen = app.test_client()
    login(screen, "csr@test.example")
    page = screen.get(f"/admin/orders/details/?id={cart['id']}").get_data(as_text=True)
    assert 'data-testid="hand-over-form"' in page
    assert 'data-testid="held-by">csr<' in page
    csrf = csrf_token_from(page)
    missing_csrf = screen.post(f"/admin/orders/hand_over/?id={cart['id']}", data={"user_id": str(supervisor)})
    assert missing_csrf.status_code == 400
    no_choice = screen.post(f"/admin/orders/hand_over/?id={cart['id']}", data={"csrf_token": csrf, "user_id": ""},
                            follow_redirects=True)
    assert "Choose whom" in no_choice.get_data(as_text=True)
    outsider = screen.post(f"/admin/orders/hand_over/?id={cart['id']}", follow_redirects=True, data={
        "csrf_token": csrf, "user_id": str(_user_id(app, "outsider@test.example")), "next": "details"})
    assert "not staff of shop OWN" in outsider.get_data(as_text=True)
    done = screen.post(f"/admin/orders/hand_over/?id={cart['id']}", follow_redirects=True, data={
        "csrf_token": csrf, "user_id": str(supervisor), "next": "list", "reason": "lunch"})
    text = done.get_data(as_text=True)
    assert "is now held by supervisor" in text
    assert client.get(f"/api/v1/orders/{cart['id']}", headers=token("csr")).get_json()["held_by"] == supervisor
    # no longer the holder: the screen says so instead of offering the form
    page = screen.get(f"/admin/orders/hand_over/?id={cart['id']}").get_data(as_text=True)
    assert "Only the holder or a supervisor" in page
    other = place("super", shop="OTHER", cart=True)
    assert screen.get(f"/admin/orders/hand_over/?id={other['id']}").status_code == 404
    assert screen.post(f"/admin/orders/hand_over/?id={other['id']}",
                       data={"csrf_token": csrf, "user_id": str(supervisor)}).status_code == 404
