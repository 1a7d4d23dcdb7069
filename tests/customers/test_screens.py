"""The customer screens through HTTP (forms with CSRF, as a browser would post them)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.customers.factories import make_customer
from tests.factories import login


def _form(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    return csrf_token_from(page.get_data(as_text=True))


NEW = {"shop": "EU1", "email": "Jo@Example.com", "first_name": "Jo", "last_name": "Lange", "type": "b2c",
       "phone": "+49 30 5", "tags": "vip, trade", "wants_order_emails": "y", "address_name": "Jo Lange",
       "address_line1": "Weg 2", "address_postcode": "10115", "address_city": "Berlin", "address_country": "DE"}


def test_create_then_duplicate_offers_the_existing_customer(app: Flask, client: FlaskClient,
                                                            shops: dict[str, int]) -> None:
    login(client, "csr-eu1@test.example")
    token = _form(client, "/admin/customers/new/")
    created = client.post("/admin/customers/new/", data={**NEW, "csrf_token": token})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    listing = client.get("/admin/customers/?search=lange").get_data(as_text=True)
    assert "jo@example.com" in listing
    customer_id = int(re.search(r"/admin/customers/details/\?id=(\d+)", listing).group(1))  # type: ignore[union-attr]

    login(client2 := app.test_client(), "csr-eu2@test.example")
    token = _form(client2, "/admin/customers/new/")
    again = client2.post("/admin/customers/new/", data={**NEW, "shop": "EU2", "csrf_token": token},
                         follow_redirects=True)
    html = again.get_data(as_text=True)
    assert "already exists" in html
    assert f"/admin/customers/details/?id={customer_id}" in html
    details = client2.get(f"/admin/customers/details/?id={customer_id}").get_data(as_text=True)
    assert "Shared in sharing group eu through EU2" in details
    assert "role csr" in details


def test_invalid_email_on_the_form_saves_nothing(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    login(client, "csr-eu1@test.example")
    token = _form(client, "/admin/customers/new/")
    page = client.post("/admin/customers/new/", data={**NEW, "email": "nope@", "csrf_token": token})
    assert page.status_code == 200
    assert client.get("/admin/customers/?search=lange").get_data(as_text=True).count("/details/?id=") == 0


def test_activity_alert_and_clear_on_the_detail_page(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    with app.app_context():
        customer_id = make_customer("EU1", "kim@example.com", first_name="Kim", last_name="Berger")
    login(client, "csr-eu1@test.example")
    details_url = f"/admin/customers/details/?id={customer_id}"
    token = _form(client, details_url)
    posted = client.post(f"/admin/customers/activity/?id={customer_id}", data={
        "csrf_token": token, "kind": "call", "subject": "Asked about delivery", "body": "Will call back",
        "activity_code": "delivery", "result_code": "left_message", "order_id": "",
    })
    assert posted.status_code == 302
    flagged = client.post(f"/admin/customers/alert/?id={customer_id}", data={"csrf_token": token,
                                                                            "message": "Address fraud?"})
    assert flagged.status_code == 302
    html = client.get(details_url).get_data(as_text=True)
    assert "Asked about delivery" in html
    assert "Left message" in html
    assert "Address fraud?" in html
    assert client.get(f"/admin/customers/alert/clear/?id={customer_id}").status_code == 403
    supervisor = app.test_client()
    login(supervisor, "sup-eu1@test.example")
    token = _form(supervisor, details_url)
    alert_id = re.search(r'name="alert_id" value="(\d+)"', supervisor.get(details_url).get_data(as_text=True))
    assert alert_id
    cleared = supervisor.post(f"/admin/customers/alert/clear/?id={customer_id}",
                              data={"csrf_token": token, "alert_id": alert_id.group(1), "note": "checked"})
    assert cleared.status_code == 302
    assert "Address fraud?" not in supervisor.get(details_url).get_data(as_text=True)


def test_bulk_tag_and_csv_export_are_injection_safe(app: Flask, client: FlaskClient, shops: dict[str, int]) -> None:
    with app.app_context():
        ids = [make_customer("EU1", "evil@example.com", first_name="=HYPERLINK(\"http://x\")", last_name="-2+3",
                             company="@SUM(A1)"),
               make_customer("EU1", "ok@example.com", first_name="Ok", last_name="Fine")]
        make_customer("US1", "hidden@example.com")
    login(client, "mgr-eu1@test.example")
    token = _form(client, "/admin/customers/")
    tagged = client.post("/admin/customers/action/", data={"csrf_token": token, "action": "add_tags",
                                                          "rowid": [str(i) for i in ids], "bulk_tags": "promo, q3"})
    assert tagged.status_code == 302
    assert client.get("/admin/customers/?flt0_0=promo").get_data(as_text=True).count("promo") >= 2
    exported = client.get("/admin/customers/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][:3] == ["id", "email", "first_name"]
    by_email: dict[str, Any] = {row[1]: row for row in rows[1:]}
    assert set(by_email) == {"evil@example.com", "ok@example.com"}
    evil = by_email["evil@example.com"]
    assert evil[2] == "'=HYPERLINK(\"http://x\")"
    assert evil[3] == "'-2+3"
    assert evil[5] == "'@SUM(A1)"
    assert evil[9] == "promo q3"
    csr = app.test_client()
    login(csr, "csr-eu1@test.example")
    assert csr.get("/admin/customers/export.csv").status_code == 403
