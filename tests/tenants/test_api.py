from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import api_token, make_shop, make_user, world


def _super(app: Flask, client: FlaskClient) -> dict[str, str]:
    with app.app_context():
        make_user("root@test.example", superadmin=True)
    return api_token(client, "root@test.example")


SHOP = {
    "code": "DE1",
    "name": "Germany",
    "kind": "b2c",
    "currency": "EUR",
    "locale": "de",
    "sharing_group": "eu",
    "customer_assistance": True,
    "email": "service@de1.example",
}


def test_superadmin_creates_a_shop_and_reads_it_back(app: Flask, client: FlaskClient) -> None:
    headers = _super(app, client)
    created = client.post("/api/v1/shops", json=SHOP, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["code"] == "DE1"
    assert body["sharing_group"] == "eu"
    assert body["master"] is None
    assert body["version"] == 1
    assert created.headers["ETag"] == '"1"'
    read = client.get("/api/v1/shops/DE1", headers=headers)
    assert read.status_code == 200
    assert read.get_json()["email"] == "service@de1.example"


def test_sub_shop_must_name_a_b2b_master(app: Flask, client: FlaskClient) -> None:
    headers = _super(app, client)
    client.post("/api/v1/shops", json={**SHOP, "code": "RETAIL"}, headers=headers)
    client.post("/api/v1/shops", json={**SHOP, "code": "HQ", "kind": "b2b"}, headers=headers)
    refused = client.post(
        "/api/v1/shops", json={**SHOP, "code": "SUB1", "kind": "b2b", "master": "RETAIL"}, headers=headers
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["master"]
    accepted = client.post(
        "/api/v1/shops", json={**SHOP, "code": "SUB1", "kind": "b2b", "master": "HQ"}, headers=headers
    )
    assert accepted.status_code == 201
    assert accepted.get_json()["master"] == "HQ"
    assert client.get("/api/v1/shops/HQ", headers=headers).get_json()["sub_shops"] == ["SUB1"]


def test_duplicate_code_is_a_conflict_regardless_of_case(app: Flask, client: FlaskClient) -> None:
    headers = _super(app, client)
    assert client.post("/api/v1/shops", json=SHOP, headers=headers).status_code == 201
    again = client.post("/api/v1/shops", json={**SHOP, "code": "de1"}, headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate"


def _shop_count(app: Flask) -> int:
    import sqlalchemy as sa

    from shopadmin.extensions import db
    from shopadmin.tenants.models import Shop

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Shop.id)).execution_options(all_shops=True)) or 0


BAD_SHOPS: list[tuple[Any, int, str]] = [
    ({**SHOP, "currency": "EURO"}, 422, "currency"),
    ({**SHOP, "currency": "XYZ"}, 422, "currency"),
    ({**SHOP, "locale": "xx-nope"}, 422, "locale"),
    ({**SHOP, "timezone": "Mars/Olympus"}, 422, "timezone"),
    ({**SHOP, "kind": "b2x"}, 422, "kind"),
    ({**SHOP, "code": ""}, 422, "code"),
    ({**SHOP, "code": "has space"}, 422, "code"),
    ({**SHOP, "name": None}, 422, "name"),
    ({**SHOP, "master": "NOPE"}, 422, "master"),
    ({**SHOP, "email": "not-an-email"}, 422, "email"),
    ({**SHOP, "customer_assistance": "perhaps"}, 422, "customer_assistance"),
    ({**SHOP, "attributes": {"nested": {"a": 1}}}, 422, "attributes"),
    ({"name": "no code"}, 422, "code"),
    ([1, 2, 3], 400, ""),
]


def test_bad_shop_input_gets_the_contract_error_and_writes_nothing(app: Flask, client: FlaskClient) -> None:
    headers = _super(app, client)
    for body, status, field in BAD_SHOPS:
        response = client.post("/api/v1/shops", json=body, headers=headers)
        assert response.status_code == status, (body, response.get_json())
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "fields"}
        if field:
            assert field in error["fields"], (body, error)
    assert _shop_count(app) == 0


def test_malformed_json_and_oversized_body(app: Flask, client: FlaskClient) -> None:
    headers = {**_super(app, client), "Content-Type": "application/json"}
    broken = client.post("/api/v1/shops", data="{not json", headers=headers)
    assert broken.status_code == 400
    assert broken.get_json()["error"]["code"] == "malformed"
    huge = client.post("/api/v1/shops", data='{"code": "' + "x" * (2 * 1024 * 1024) + '"}', headers=headers)
    assert huge.status_code == 413
    assert huge.get_json()["error"]["code"] == "payload_too_large"
    assert _shop_count(app) == 0


def test_only_superadmin_creates_top_level_shops(app: Flask, client: FlaskClient) -> None:
    world(app)
    owner = api_token(client, "owner@test.example")
    response = client.post("/api/v1/shops", json=SHOP, headers=owner)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_owner_of_a_master_adds_a_sub_shop_but_not_to_a_foreign_master(app: Flask, client: FlaskClient) -> None:
    world(app)
    with app.app_context():
        make_shop(code="FOREIGN", kind="b2b")
    owner = api_token(client, "owner@test.example")
    mine = client.post("/api/v1/shops", json={**SHOP, "code": "SUB2", "kind": "b2b", "master": "MASTER"}, headers=owner)
    assert mine.status_code == 201, mine.get_json()
    foreign = client.post(
        "/api/v1/shops", json={**SHOP, "code": "SUB3", "kind": "b2b", "master": "FOREIGN"}, headers=owner
    )
    assert foreign.status_code == 422  # the foreign master does not exist for this caller
    manager = api_token(client, "manager@test.example")
    too_low = client.post(
        "/api/v1/shops", json={**SHOP, "code": "SUB4", "kind": "b2b", "master": "MASTER"}, headers=manager
    )
    assert too_low.status_code == 403


def test_shop_list_shows_only_visible_shops_with_cursor_paging(app: Flask, client: FlaskClient) -> None:
    world(app)
    csr = api_token(client, "csr@test.example")
    first = client.get("/api/v1/shops?limit=2", headers=csr).get_json()
    assert [s["code"] for s in first["items"]] == ["OWN", "MASTER"]
    assert first["next"]
    second = client.get(f"/api/v1/shops?limit=2&cursor={first['next']}", headers=csr).get_json()
    assert [s["code"] for s in second["items"]] == ["SUB"]
    assert second["next"] is None
    assert client.get("/api/v1/shops?cursor=garbage!", headers=csr).status_code == 400
    assert client.get("/api/v1/shops?limit=0", headers=csr).status_code == 422
    outsider = api_token(client, "outsider@test.example")
    assert [s["code"] for s in client.get("/api/v1/shops", headers=outsider).get_json()["items"]] == ["OTHER"]


def test_patch_needs_if_match_and_refuses_stale_versions(app: Flask, client: FlaskClient) -> None:
    world(app)
    manager = api_token(client, "manager@test.example")
    missing = client.patch("/api/v1/shops/OWN", json={"name": "Renamed"}, headers=manager)
    assert missing.status_code == 428
    ok = client.patch("/api/v1/shops/OWN", json={"name": "Renamed"}, headers={**manager, "If-Match": "1"})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["version"] == 2
    assert ok.headers["ETag"] == '"2"'
    stale = client.patch("/api/v1/shops/OWN", json={"name": "Again"}, headers={**manager, "If-Match": "1"})
    assert stale.status_code == 412
    assert client.get("/api/v1/shops/OWN", headers=manager).get_json()["name"] == "Renamed"
    quoted = client.patch("/api/v1/shops/OWN", json={"locale": "fr"}, headers={**manager, "If-Match": '"2"'})
    assert quoted.status_code == 200


def test_tax_rules(app: Flask, client: FlaskClient) -> None:
    world(app)
    manager = api_token(client, "manager@test.example")
    rule = {"country": "DE", "region": None, "tax_class": "standard", "rate": "0.19"}
    created = client.post("/api/v1/shops/OWN/tax-rules", json=rule, headers=manager)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["rate"] == "0.1900"
    assert client.post("/api/v1/shops/OWN/tax-rules", json=rule, headers=manager).status_code == 409
    for bad, field in [
        ({**rule, "country": "XX"}, "country"),
        ({**rule, "rate": "1.5"}, "rate"),
        ({**rule, "rate": 0.19}, "rate"),
        ({**rule, "rate": "abc"}, "rate"),
        ({**rule, "rate": "-0.1"}, "rate"),
    ]:
        response = client.post("/api/v1/shops/OWN/tax-rules", json=bad, headers=manager)
        assert response.status_code == 422, bad
        assert field in response.get_json()["error"]["fields"]
    listed = client.get("/api/v1/shops/OWN/tax-rules", headers=api_token(client, "csr@test.example"))
    assert [r["country"] for r in listed.get_json()["items"]] == ["DE"]
