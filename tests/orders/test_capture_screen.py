"""The capture screen for a CSR on the phone: started from the customer page, customer and
product lookups scoped to the shop, lines as a table, refusals beside the line."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from shopadmin.catalogue import services as catalogue
from shopadmin.core.db import unit_of_work
from shopadmin.customers import services as customers
from shopadmin.tenants import services as tenants
from tests.conftest import csrf_token_from
from tests.factories import login
from tests.orders.conftest import PLATFORM


def _signed_in(app: Flask, email: str = "csr@test.example") -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def _capture(screen: FlaskClient, world: dict[str, Any], rows: list[tuple[str, str, str]], **extra: str) -> Any:
    csrf = csrf_token_from(screen.get("/admin/orders/new/").get_data(as_text=True))
    data = {"csrf_token": csrf, "shop": str(world["OWN"]["shop_id"]), "customer_id": str(world["OWN"]["customer_id"]),
            "channel": "phone", "payment_flow": "on_delivery", "save_as": "order", **extra}
    for n, (sku, qty, price) in enumerate(rows):
        data.update({f"sku-{n}": sku, f"qty-{n}": qty, f"price-{n}": price})
    return screen.post("/admin/orders/new/", data=data)


def _orders(client: FlaskClient, token: Any) -> list[dict[str, Any]]:
    return client.get("/api/v1/orders?shop=OWN", headers=token("csr")).get_json()["items"]  # type: ignore[no-any-return]


def test_new_order_from_the_customer_page_preselects_the_customer(app: Flask, order_world: dict[str, Any]) -> None:
    screen = _signed_in(app)
    own = order_world["OWN"]
    page = screen.get(f"/admin/customers/details/?id={own['customer_id']}").get_data(as_text=True)
    match = re.search(r'href="([^"]+)" data-testid="new-order-OWN"', page)
    assert match, "no New order button for OWN"
    assert 'data-testid="new-order-OTHER"' not in page
    capture = screen.get(match.group(1).replace("&amp;", "&"))
    assert capture.status_code == 200
    html = capture.get_data(as_text=True)
    chosen = re.search(r'data-testid="chosen-customer">(.*?)</div>', html, re.S)
    assert chosen
    assert "Ann LeeOwn" in chosen.group(1)
    assert "ann.own@example.com" in chosen.group(1)
    assert f'name="customer_id" type="hidden" value="{own["customer_id"]}"' in html
    assert re.search(rf'<option selected value="{own["shop_id"]}">|<option value="{own["shop_id"]}" selected', html)


def test_capture_for_another_shops_customer_or_shop_is_not_found(app: Flask, order_world: dict[str, Any]) -> None:
    screen = _signed_in(app)
    other, own = order_world["OTHER"], order_world["OWN"]
    assert screen.get(f"/admin/orders/new/?customer_id={other['customer_id']}").status_code == 404
    assert screen.get(f"/admin/orders/new/?shop={other['shop_id']}&customer_id={own['customer_id']}"
                      ).status_code == 404
    assert screen.get("/admin/orders/new/?shop=999999").status_code == 404


def test_customer_lookup_is_scoped_to_the_shop(app: Flask, order_world: dict[str, Any]) -> None:
    screen = _signed_in(app)
    own, other = order_world["OWN"], order_world["OTHER"]
    found = screen.get(f"/admin/orders/lookup/customers/?shop={own['shop_id']}&q=ann")
    assert found.status_code == 200
    items = found.get_json()["items"]
    assert [(c["id"], c["email"], c["registered"]) for c in items] == [(own["customer_id"], "ann.own@example.com",
                                                                       True)]
    assert "Ann LeeOwn" in items[0]["label"]
    # Every Ann is called Ann: another shop's never comes back, not even by its number.
    by_number = screen.get(f"/admin/orders/lookup/customers/?shop={own['shop_id']}&q={other['customer_id']}")
    assert by_number.get_json()["items"] == []
    assert screen.get(f"/admin/orders/lookup/customers/?shop={other['shop_id']}&q=ann").status_code == 404
    assert screen.get("/admin/orders/lookup/customers/?q=ann").status_code == 404
    assert screen.get(f"/admin/orders/lookup/customers/?shop={own['shop_id']}&q=a").get_json()["items"] == []


def test_customer_lookup_leaves_out_a_customer_the_shop_disabled(app: Flask, order_world: dict[str, Any]) -> None:
    own = order_world["OWN"]
    with app.app_context(), unit_of_work(PLATFORM):
        customer = customers.get_customer(PLATFORM, own["customer_id"])
        customers.set_link_disabled(PLATFORM, customer, tenants.get_shop(PLATFORM, "OWN"), disabled=True)
    screen = _signed_in(app)
    assert screen.get(f"/admin/orders/lookup/customers/?shop={own['shop_id']}&q=ann").get_json()["items"] == []
    page = screen.get(f"/admin/customers/details/?id={own['customer_id']}").get_data(as_text=True)
    assert 'data-testid="new-order-OWN"' not in page


def test_product_lookup_lists_the_shops_active_products(app: Flask, order_world: dict[str, Any]) -> None:
    with app.app_context(), unit_of_work(PLATFORM):
        own = tenants.get_shop(PLATFORM, "OWN")
        retired = catalogue.create_product(PLATFORM, own, catalogue.ProductInput(sku="STD-9", name="Retired",
                                                                                  price="1.00"))
        catalogue.update_product(PLATFORM, retired, {"is_active": False})
        catalogue.create_product(PLATFORM, tenants.get_shop(PLATFORM, "OTHER"),
                                 catalogue.ProductInput(sku="STD-OTHER", name="Other shop's", price="2.00"))
    screen = _signed_in(app)
    found = screen.get(f"/admin/orders/lookup/products/?shop={order_world['OWN']['shop_id']}&q=std")
    assert found.status_code == 200
    items = {item["sku"]: item for item in found.get_json()["items"]}
    assert set(items) == {"STD-1", "STD-2"}
    assert items["STD-1"]["name"] == "Standard widget"
    assert items["STD-1"]["price"] == "10.00"
    assert "€" in items["STD-1"]["price_display"]
    assert items["STD-1"]["note"] == "5 in stock"
    by_name = screen.get(f"/admin/orders/lookup/products/?shop={order_world['OWN']['shop_id']}&q=preorder")
    assert [(p["sku"], p["availability"]) for p in by_name.get_json()["items"]] == [("PRE-1", "preorder")]
    assert "ships from" in by_name.get_json()["items"][0]["note"]
    assert screen.get(f"/admin/orders/lookup/products/?shop={order_world['OTHER']['shop_id']}&q=std"
                      ).status_code == 404


def test_bad_lines_are_shown_beside_the_line_with_what_was_typed(app: Flask, order_world: dict[str, Any],
                                                                 client: FlaskClient, token: Any) -> None:
    screen = _signed_in(app)
    unknown = _capture(screen, order_world, [("STD-1", "1", ""), ("NOPE-9", "2", "")]).get_data(as_text=True)
    assert 'value="NOPE-9"' in unknown
    error = re.search(r'data-testid="line-error-1">(.*?)</div>', unknown, re.S)
    assert error
    assert "No product" in error.group(1)
    assert "NOPE-9" in error.group(1)
    assert re.search(r'data-testid="line-error-0"></div>', unknown)
    assert "Standard widget" in unknown  # the good line keeps its description

    zero = _capture(screen, order_world, [("STD-1", "0", "")]).get_data(as_text=True)
    assert re.search(r'data-testid="line-error-0">Must be at least 1.</div>', zero)
    assert 'name="qty-0" value="0"' in zero

    cheap = _capture(screen, order_world, [("STD-2", "1", "1.00")]).get_data(as_text=True)
    error = re.search(r'data-testid="line-error-0">(.*?)</div>', cheap, re.S)
    assert error
    assert "At most 10" in error.group(1)
    assert 'name="price-0" value="1.00"' in cheap
    assert "your limit is" in cheap  # flashed as well

    both = _capture(screen, order_world, [("NOPE-9", "1", ""), ("STD-1", "0", "")]).get_data(as_text=True)
    first = re.search(r'data-testid="line-error-0">(.*?)</div>', both, re.S)
    assert first
    assert "NOPE-9" in first.group(1)
    assert re.search(r'data-testid="line-error-1">Must be at least 1.</div>', both)  # both lines at once

    # Blank rows are left out; an empty row list is the service's "at least one line".
    empty = _capture(screen, order_world, [("", "1", ""), ("", "1", "")]).get_data(as_text=True)
    assert 'data-testid="lines-error">An order needs at least one line.' in empty
    assert _orders(client, token) == []


def test_a_table_order_is_saved(app: Flask, order_world: dict[str, Any], client: FlaskClient, token: Any) -> None:
    screen = _signed_in(app)
    own_selected = (rf'<option selected value="{order_world["OWN"]["shop_id"]}"|'
                    rf'<option value="{order_world["OWN"]["shop_id"]}" selected')
    assert not re.search(own_selected, screen.get("/admin/orders/new/").get_data(as_text=True))
    saved = _capture(screen, order_world, [("STD-1", "2", ""), ("", "1", ""), ("DIG-1", "1", "4.75")])
    assert saved.status_code == 302
    [order] = _orders(client, token)
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
        ("STD-1", 2, "10.00"), ("DIG-1", 1, "4.75")]
    assert order["customer_id"] == order_world["OWN"]["customer_id"]
    # The next capture starts in the shop of the last one (the first shop by name is MASTER).
    assert re.search(own_selected, screen.get("/admin/orders/new/").get_data(as_text=True))


def test_without_javascript_find_and_add_a_line_post_back(app: Flask, order_world: dict[str, Any],
                                                          client: FlaskClient, token: Any) -> None:
    screen = _signed_in(app)
    own = order_world["OWN"]
    csrf = csrf_token_from(screen.get("/admin/orders/new/").get_data(as_text=True))
    base = {"csrf_token": csrf, "shop": str(own["shop_id"]), "channel": "phone", "payment_flow": "on_delivery",
            "save_as": "order", "sku-0": "STD-2", "qty-0": "3", "price-0": ""}
    found = screen.post("/admin/orders/new/", data={**base, "customer_q": "leeown", "find_customer": "1"})
    html = found.get_data(as_text=True)
    assert f'type="radio" name="customer_id" id="customer-{own["customer_id"]}" value="{own["customer_id"]}"' in html
    assert "ann.other@example.com" not in html
    assert 'name="sku-0" value="STD-2"' in html
    assert 'name="qty-0" value="3"' in html
    more = screen.post("/admin/orders/new/", data={**base, "customer_id": str(own["customer_id"]), "add_line": "1"})
    html = more.get_data(as_text=True)
    assert 'name="sku-0" value="STD-2"' in html
    assert 'name="sku-1" value=""' in html
    assert "Ann LeeOwn" in html  # the chosen customer stays
    assert _orders(client, token) == []


def test_capture_without_the_csrf_token_saves_nothing(app: Flask, order_world: dict[str, Any],
                                                      client: FlaskClient, token: Any) -> None:
    screen = _signed_in(app)
    response = screen.post("/admin/orders/new/", data={
        "shop": str(order_world["OWN"]["shop_id"]), "customer_id": str(order_world["OWN"]["customer_id"]),
        "channel": "phone", "payment_flow": "on_delivery", "save_as": "order", "sku-0": "STD-1", "qty-0": "1"})
    assert response.status_code in (200, 400)
    assert _orders(client, token) == []


def test_no_customer_chosen_is_a_form_error(app: Flask, order_world: dict[str, Any]) -> None:
    screen = _signed_in(app)
    csrf = csrf_token_from(screen.get("/admin/orders/new/").get_data(as_text=True))
    html = screen.post("/admin/orders/new/", data={
        "csrf_token": csrf, "shop": str(order_world["OWN"]["shop_id"]), "channel": "phone",
        "payment_flow": "on_delivery", "save_as": "order", "sku-0": "STD-1", "qty-0": "1"}).get_data(as_text=True)
    assert 'data-testid="customer_id-error">Choose a customer.' in html
    assert 'name="sku-0" value="STD-1"' in html


def test_a_german_csr_gets_the_capture_screen_and_the_lookup_in_german(app: Flask, order_world: dict[str, Any]
                                                                       ) -> None:
    from flask_babel import force_locale
    from flask_babel import gettext as gettext_now
    from markupsafe import escape

    from shopadmin.core.access import Role
    from tests.factories import make_user

    def german(text: str, **params: Any) -> str:
        with app.test_request_context("/admin/"), force_locale("de"):
            return str(escape(gettext_now(text, **params)))

    with app.app_context():
        make_user("sachbearbeiterin@test.example", roles={"OWN": Role.CSR}, locale="de")
    screen = _signed_in(app, "sachbearbeiterin@test.example")
    html = screen.get(f"/admin/orders/new/?customer_id={order_world['OWN']['customer_id']}").get_data(as_text=True)
    for text in ("Add a line", "Find", "Leave the price empty for the list price. A row without SKU is left out."):
        assert german(text) in html
    assert german("customer no. %(id)s", id=order_world["OWN"]["customer_id"]) in html
    found = screen.get(f"/admin/orders/lookup/products/?shop={order_world['OWN']['shop_id']}&q=STD-1").get_json()
    assert found["items"][0]["note"] == german("%(count)s in stock", count=5)
