"""``/api/v1/customers`` end to end: the contract's shapes and errors."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers.models import Customer, CustomerActivity, CustomerAddress
from shopadmin.extensions import db
from tests.factories import api_token

ANNA: dict[str, Any] = {
    "shop": "EU1", "email": "Anna.Schmidt@example.com", "first_name": "Anna", "last_name": "Schmidt",
    "type": "b2c", "company": "Gartenbau Schmidt", "phone": "+49 30 1234567", "locale": "de",
    "tags": ["vip", "newsletter"], "attributes": {},
    "addresses": [
        {"kind": "shipping", "name": "Anna Schmidt", "line1": "Hauptstr. 1", "line2": None, "city": "Berlin",
         "postcode": "10115", "region": None, "country": "de"},
        {"kind": "billing", "name": "Anna Schmidt", "line1": "Postfach 9", "city": "Berlin", "postcode": "10117",
         "country": "DE"},
    ],
    "password": "storefront-secret", "allow_assistance": True,
}


def _create(client: FlaskClient, headers: dict[str, str], **changes: Any) -> Any:
    return client.post("/api/v1/customers", json={**ANNA, **changes}, headers=headers)


def _count(app: Flask, model: Any) -> int:
    with app.app_context(), unit_of_work(system_access("tests")):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_create_read_search_and_register(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    eu1 = api_token(client, "csr-eu1@test.example")
    created = _create(client, eu1)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["email"] == "anna.schmidt@example.com"
    assert body["shops"] == ["EU1"]
    assert body["tags"] == ["newsletter", "vip"]
    assert body["has_password"] is True
    assert "password" not in body
    assert "password_hash" not in body
    assert [a["country"] for a in body["addresses"]] == ["DE", "DE"]
    assert all(a["is_default"] for a in body["addresses"])
    assert created.headers["ETag"] == '"1"'
    customer_id = body["id"]

    eu2 = api_token(client, "csr-eu2@test.example")
    for q in ("schmi", "ANNA.s", "gartenbau", "1234567", "vip", str(customer_id)):
        found = client.get(f"/api/v1/customers?q={q}", headers=eu2).get_json()
        assert [c["id"] for c in found["items"]] == [customer_id], q
        assert found["next"] is None
    assert client.get("/api/v1/customers?q=nobody", headers=eu2).get_json()["items"] == []

    outsider = api_token(client, "csr-us1@test.example")
    assert client.get(f"/api/v1/customers/{customer_id}", headers=outsider).status_code == 404
    assert client.get("/api/v1/customers?q=schmidt", headers=outsider).get_json()["items"] == []
    assert client.post(f"/api/v1/customers/{customer_id}/shops", json={"shop": "US1"},
                       headers=outsider).status_code == 404

    registered = client.post(f"/api/v1/customers/{customer_id}/shops", json={"shop": "EU2"}, headers=eu2)
    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json()["shops"] == ["EU1", "EU2"]
    root = api_token(client, "root@test.example")
    refused = client.post(f"/api/v1/customers/{customer_id}/shops", json={"shop": "US1"}, headers=root)
    assert refused.status_code == 422
    assert "shop" in refused.get_json()["error"]["fields"]


def test_duplicate_email_in_the_group_is_409_with_the_id(app: Flask, client: FlaskClient,
                                                         shops: dict[str, int]) -> None:
    first = _create(client, api_token(client, "csr-eu1@test.example")).get_json()
    again = _create(client, api_token(client, "csr-eu2@test.example"), shop="EU2", email="ANNA.SCHMIDT@example.com")
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["code"] == "customer_exists"
    assert error["fields"]["id"] == first["id"]
    elsewhere = _create(client, api_token(client, "csr-us1@test.example"), shop="US1")
    assert elsewhere.status_code == 201
    assert elsewhere.get_json()["id"] != first["id"]


def test_patch_needs_if_match(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    headers = api_token(client, "csr-eu2@test.example")
    customer_id = _create(client, api_token(client, "csr-eu1@test.example")).get_json()["id"]
    url = f"/api/v1/customers/{customer_id}"
    assert client.patch(url, json={"phone": "+49 40 1"}, headers=headers).status_code == 428
    assert client.patch(url, json={"phone": "+49 40 1"}, headers={**headers, "If-Match": '"7"'}).status_code == 412
    changed = client.patch(url, json={"phone": "+49 40 1", "tags": ["gold"]}, headers={**headers, "If-Match": '"1"'})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["version"] == 2
    assert changed.headers["ETag"] == '"2"'
    assert changed.get_json()["tags"] == ["gold"]
    assert client.get("/api/v1/customers?q=gold", headers=headers).get_json()["items"][0]["id"] == customer_id
    assert client.get("/api/v1/customers?q=vip", headers=headers).get_json()["items"] == []


def test_activities_newest_first_with_codes(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    headers = api_token(client, "csr-eu1@test.example")
    customer_id = _create(client, headers).get_json()["id"]
    url = f"/api/v1/customers/{customer_id}/activities"
    first = client.post(url, json={"kind": "note", "subject": "Prefers mornings", "body": "Call before 10."},
                        headers=headers)
    assert first.status_code == 201, first.get_json()
    call = client.post(url, json={"kind": "call", "subject": "Delivery question", "body": "Parcel late",
                                  "activity_code": "delivery", "result_code": "satisfied", "order_id": 42},
                       headers=headers)
    assert call.status_code == 201, call.get_json()
    assert call.get_json()["author"]["name"] == "csr-eu1"
    listed = client.get(url, headers=api_token(client, "csr-eu2@test.example")).get_json()
    assert [item["kind"] for item in listed["items"]] == ["call", "note"]
    assert listed["items"][0]["result_code"] == "satisfied"
    assert listed["items"][0]["order_id"] == 42
    paged = client.get(url + "?limit=1", headers=headers).get_json()
    assert paged["next"]
    rest = client.get(url + f"?limit=1&cursor={paged['next']}", headers=headers).get_json()
    assert [item["kind"] for item in rest["items"]] == ["note"]
    bad = client.post(url, json={"kind": "call", "body": "x", "result_code": "maybe"}, headers=headers)
    assert bad.status_code == 422
    assert "result_code" in bad.get_json()["error"]["fields"]


def test_alerts_flag_by_csr_clear_by_supervisor(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    csr = api_token(client, "csr-eu1@test.example")
    customer_id = _create(client, csr).get_json()["id"]
    flagged = client.post(f"/api/v1/customers/{customer_id}/alerts", json={"message": "Chargeback risk"},
                          headers=csr)
    assert flagged.status_code == 201, flagged.get_json()
    alert_id = flagged.get_json()["id"]
    customer = client.get(f"/api/v1/customers/{customer_id}", headers=csr).get_json()
    assert [a["message"] for a in customer["alerts"]] == ["Chargeback risk"]
    clear = f"/api/v1/customers/{customer_id}/alerts/{alert_id}/clear"
    assert client.post(clear, json={}, headers=csr).status_code == 403
    cleared = client.post(clear, json={"note": "Paid"}, headers=api_token(client, "sup-eu1@test.example"))
    assert cleared.status_code == 200
    assert cleared.get_json()["active"] is False
    assert client.get(f"/api/v1/customers/{customer_id}", headers=csr).get_json()["alerts"] == []


def test_private_notes_stay_with_their_shop(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    eu1 = api_token(client, "csr-eu1@test.example")
    customer_id = _create(client, eu1).get_json()["id"]
    put = client.put(f"/api/v1/customers/{customer_id}/notes/EU1", json={"notes": "Haggles", "tags": ["tough"]},
                     headers=eu1)
    assert put.status_code == 200, put.get_json()
    mine = client.get(f"/api/v1/customers/{customer_id}/notes", headers=eu1).get_json()
    assert mine["items"][0]["notes"] == "Haggles"
    eu2 = api_token(client, "csr-eu2@test.example")
    assert client.get(f"/api/v1/customers/{customer_id}/notes", headers=eu2).get_json()["items"] == []
    assert client.put(f"/api/v1/customers/{customer_id}/notes/EU1", json={"notes": "x"}, headers=eu2).status_code == 404


def test_custom_attributes_are_validated(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    manager = api_token(client, "mgr-eu1@test.example")
    for definition in ({"name": "vat_id", "type": "string", "required": True},
                       {"name": "employees", "type": "integer"},
                       {"name": "segment", "type": "choice", "choices": ["retail", "trade"]}):
        response = client.post("/api/v1/shops/EU1/customer-attributes", json=definition, headers=manager)
        assert response.status_code == 201, response.get_json()
    csr = api_token(client, "csr-eu1@test.example")
    assert client.post("/api/v1/shops/EU1/customer-attributes", json={"name": "x"}, headers=csr).status_code == 403
    for attributes, field in (({}, "attributes.vat_id"),
                              ({"vat_id": "DE1", "employees": "many"}, "attributes.employees"),
                              ({"vat_id": "DE1", "segment": "wholesale"}, "attributes.segment"),
                              ({"vat_id": 12}, "attributes.vat_id")):
        refused = _create(client, csr, attributes=attributes)
        assert refused.status_code == 422, attributes
        assert field in refused.get_json()["error"]["fields"]
    assert _count(app, Customer) == 0
    accepted = _create(client, csr, attributes={"vat_id": "DE123", "employees": 12, "segment": "trade"})
    assert accepted.status_code == 201, accepted.get_json()
    assert accepted.get_json()["attributes"] == {"vat_id": "DE123", "employees": 12, "segment": "trade"}


BAD: list[tuple[dict[str, Any], int, str]] = [
    ({"email": "not-an-email"}, 422, "email"),
    ({"email": None}, 422, "email"),
    ({"addresses": [{**ANNA["addresses"][0], "country": "XX"}]}, 422, "addresses.0.country"),
    ({"addresses": [{**ANNA["addresses"][0], "country": "Germany"}]}, 422, "addresses.0.country"),
    ({"addresses": [{**ANNA["addresses"][0], "kind": "home"}]}, 422, "addresses.0.kind"),
    ({"addresses": [{**ANNA["addresses"][0], "is_default": True}, {**ANNA["addresses"][0], "is_default": True}]},
     422, "addresses"),
    ({"tags": ["VIP customer!"]}, 422, "tags"),
    ({"tags": "vip"}, 422, "tags"),
    ({"tags": [{"a": 1}]}, 422, "tags"),
    ({"type": "b2x"}, 422, "type"),
    ({"locale": "xx-nope"}, 422, "locale"),
    ({"phone": "call me"}, 422, "phone"),
    ({"first_name": "x" * 101}, 422, "first_name"),
    ({"password": "short"}, 422, "password"),
    ({"allow_assistance": "perhaps"}, 422, "allow_assistance"),
    ({"attributes": {"nested": {"a": 1}}}, 422, "attributes.nested"),
    ({"shop": "NOPE"}, 404, ""),
    ({"shop": "US1"}, 404, ""),
]


def test_bad_input_gets_the_contract_error_and_saves_nothing(app: Flask, client: FlaskClient,
                                                             shops: dict[str, int]) -> None:
    headers = api_token(client, "csr-eu1@test.example")
    for changes, status, field in BAD:
        response = _create(client, headers, **changes)
        assert response.status_code == status, (changes, response.get_json())
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "fields"}
        if field:
            assert field in error["fields"], (changes, error)
    assert client.post("/api/v1/customers", json=[1], headers=headers).status_code == 400
    assert _count(app, Customer) == 0
    assert _count(app, CustomerAddress) == 0


def test_oversized_and_empty_notes_are_refused(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    headers = api_token(client, "csr-eu1@test.example")
    customer_id = _create(client, headers).get_json()["id"]
    url = f"/api/v1/customers/{customer_id}/activities"
    for body, field in (({"kind": "note", "body": "x" * 10_001}, "body"),
                        ({"kind": "note", "subject": "s" * 201}, "subject"),
                        ({"kind": "note"}, "body"),
                        ({"kind": "email", "body": "x"}, "kind"),
                        ({"kind": "note", "body": "x", "order_id": "12"}, "order_id")):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], body
    notes = client.put(f"/api/v1/customers/{customer_id}/notes/EU1", json={"notes": "n" * 10_001}, headers=headers)
    assert notes.status_code == 422
    assert _count(app, CustomerActivity) == 0
