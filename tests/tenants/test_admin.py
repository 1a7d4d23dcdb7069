"""Admin screens for shops and tax rules: writes go through the services, scoped by role."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as
from shopadmin.extensions import db
from shopadmin.tenants.models import Shop, TaxRule
from tests.conftest import csrf_token_from
from tests.factories import login, world


def _rules(app: Flask) -> list[tuple[int, str]]:
    with app.app_context(), acting_as(system_access("tests")):
        return [(r.shop_id, r.country) for r in db.session.scalars(sa.select(TaxRule))]


def test_manager_adds_a_tax_rule_for_own_shop_only(app: Flask, client: FlaskClient) -> None:
    ids = world(app)
    login(client, "manager@test.example")
    page = client.get("/admin/tax_rules/new/")
    html = page.get_data(as_text=True)
    assert "OWN" in html  # the picker offers visible, manageable shops only
    assert "OTHER" not in html
    token = csrf_token_from(html)
    ok = client.post("/admin/tax_rules/new/", data={"csrf_token": token, "shop": ids["OWN"], "country": "AT",
                                                    "region": "", "tax_class": "standard", "rate": "0.20"})
    assert ok.status_code == 302
    assert _rules(app) == [(ids["OWN"], "AT")]
    foreign = client.post("/admin/tax_rules/new/", data={"csrf_token": token, "shop": ids["OTHER"],
                                                         "country": "FR", "region": "", "tax_class": "standard",
                                                         "rate": "0.20"})
    assert foreign.status_code == 200  # the form comes back with an error
    bad = client.post("/admin/tax_rules/new/", data={"csrf_token": token, "shop": ids["OWN"], "country": "XX",
                                                     "region": "", "tax_class": "standard", "rate": "0.20"},
                      follow_redirects=True)
    assert "Not an ISO 3166 country code" in bad.get_data(as_text=True)
    assert _rules(app) == [(ids["OWN"], "AT")]


def test_manager_edits_shop_settings_through_the_service(app: Flask, client: FlaskClient) -> None:
    ids = world(app)
    login(client, "manager@test.example")
    form = client.get(f"/admin/shops/edit/?id={ids['OWN']}")
    token = csrf_token_from(form.get_data(as_text=True))
    data = {"csrf_token": token, "code": "OWN", "name": "Renamed in admin", "currency": "EUR", "locale": "de",
            "timezone": "Europe/Berlin", "sharing_group": "", "email": "desk@own.example"}
    response = client.post(f"/admin/shops/edit/?id={ids['OWN']}", data=data)
    assert response.status_code == 302
    with app.app_context(), acting_as(system_access("tests")):
        shop = db.session.scalars(sa.select(Shop).where(Shop.id == ids["OWN"])).one()
        assert (shop.name, shop.locale, shop.version) == ("Renamed in admin", "de", 2)
    bad = client.post(f"/admin/shops/edit/?id={ids['OWN']}", data={**data, "timezone": "Nowhere/Else"},
                      follow_redirects=True)
    assert "Unknown time zone" in bad.get_data(as_text=True)


def test_csr_cannot_post_edits_and_other_shops_stay_invisible(app: Flask, client: FlaskClient) -> None:
    ids = world(app)
    login(client, "csr@test.example")
    token = csrf_token_from(client.get("/admin/").get_data(as_text=True))
    own = client.post(f"/admin/shops/edit/?id={ids['OWN']}", data={"csrf_token": token, "name": "x"})
    assert own.status_code == 403
    other = client.post(f"/admin/shops/edit/?id={ids['OTHER']}", data={"csrf_token": token, "name": "x"})
    assert other.status_code == 404
    listing = client.get("/admin/shops/").get_data(as_text=True)
    assert "OTHER" not in listing
    assert client.get("/admin/shops/?search=OTHER").status_code == 200
