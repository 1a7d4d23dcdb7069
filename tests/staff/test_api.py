"""Tokens, users and members over the API: happy paths, bad input, access rules."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.db import utcnow
from shopadmin.extensions import db
from shopadmin.staff.models import ApiToken, Membership, User
from tests.factories import PASSWORD, api_token, make_user, world


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).execution_options(all_shops=True)) or 0


def test_token_lifecycle(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user("a@test.example")
    created = client.post("/api/v1/tokens", json={"email": "A@test.example", "password": PASSWORD})
    assert created.status_code == 201
    token = created.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/users/me", headers=headers).get_json()["email"] == "a@test.example"
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken)).one()
        assert token not in stored.token_hash  # only a digest is kept
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/users/me", headers=headers).status_code == 401


def test_expired_token_is_refused(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user("a@test.example")
    headers = api_token(client, "a@test.example")
    with app.app_context():
        db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/api/v1/users/me", headers=headers).status_code == 401


def test_token_refusals(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user("a@test.example")
    wrong = client.post("/api/v1/tokens", json={"email": "a@test.example", "password": "wrong-password"})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"
    assert client.post("/api/v1/tokens", json={"email": "a@test.example"}).status_code == 422
    assert client.post("/api/v1/tokens", data="nope", content_type="application/json").status_code == 400
    assert client.get("/api/v1/users/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert _count(app, ApiToken) == 0


def test_superadmin_creates_users(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user("root@test.example", superadmin=True)
    headers = api_token(client, "root@test.example")
    body = {"email": "New.Person@Test.example", "password": "long-enough-pw", "name": "New Person"}
    created = client.post("/api/v1/users", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["email"] == "new.person@test.example"
    assert "password" not in created.get_json()
    assert "password_hash" not in created.get_json()
    duplicate = client.post("/api/v1/users", json={**body, "email": "NEW.PERSON@test.example"}, headers=headers)
    assert duplicate.status_code == 409
    for bad, field in [({**body, "email": "nope"}, "email"), ({**body, "password": "short"}, "password"),
                       ({**body, "superadmin": "sure"}, "superadmin"), ({**body, "locale": "zz-zz"}, "locale"),
                       ({"password": "long-enough-pw"}, "email")]:
        response = client.post("/api/v1/users", json={**bad, "email": bad.get("email", "")} if field != "email"
                               else bad, headers=headers)
        assert response.status_code == 422, (bad, response.get_json())
        assert field in response.get_json()["error"]["fields"], response.get_json()
    assert _count(app, User) == 2


def test_members(app: Flask, client: FlaskClient) -> None:
    world(app)
    with app.app_context():
        make_user("fresh@test.example")
    owner = api_token(client, "owner@test.example")
    added = client.post("/api/v1/shops/OWN/members",
                        json={"email": "fresh@test.example", "role": "supervisor", "override_limit_pct": "12.5"},
                        headers=owner)
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["role"] == "supervisor"
    assert added.get_json()["override_limit_pct"] == "12.50"
    again = client.post("/api/v1/shops/OWN/members", json={"email": "fresh@test.example", "role": "csr"},
                        headers=owner)
    assert again.status_code == 409
    before = _count(app, Membership)
    for bad, field in [({"email": "ghost@test.example", "role": "csr"}, "email"),
                       ({"email": "fresh@test.example", "role": "king"}, "role"),
                       ({"email": "fresh@test.example", "role": "csr", "override_limit_pct": "101"},
                        "override_limit_pct"),
                       ({"email": "fresh@test.example", "role": "csr", "override_limit_pct": "abc"},
                        "override_limit_pct")]:
        response = client.post("/api/v1/shops/SUB/members", json=bad, headers=owner)
        assert response.status_code == 422, (bad, response.get_json())
        assert field in response.get_json()["error"]["fields"]
    assert _count(app, Membership) == before
    listed = client.get("/api/v1/shops/OWN/members", headers=owner).get_json()["items"]
    assert {m["email"] for m in listed} >= {"fresh@test.example", "owner@test.example"}
    assert client.get("/api/v1/shops/NOPE/members", headers=owner).status_code == 404


def test_master_membership_reaches_sub_shops_with_the_same_role(app: Flask, client: FlaskClient) -> None:
    world(app)
    manager = api_token(client, "manager@test.example")
    sub = client.get("/api/v1/shops/SUB", headers=manager)
    assert sub.status_code == 200
    assert client.patch("/api/v1/shops/SUB", json={"name": "Sub renamed"},
                        headers={**manager, "If-Match": "1"}).status_code == 200
    csr = api_token(client, "csr@test.example")
    assert client.patch("/api/v1/shops/SUB", json={"name": "x"}, headers={**csr, "If-Match": "2"}).status_code == 403
