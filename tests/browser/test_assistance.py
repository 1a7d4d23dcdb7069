"""A CSR assists a customer through a real browser: from the customer page to an order
placed in the storefront as the customer, and back to the admin, where the order carries
the CSR's name."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect

from shopadmin.assistance import services as assistance
from shopadmin.core.access import Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.tenants import services as tenants
from tests.browser.conftest import sign_in
from tests.customers.factories import make_customer
from tests.factories import PASSWORD, make_shop, make_user
from tests.orders.factories import make_product

PLATFORM = system_access("tests")
ADDRESS = {"kind": "shipping", "name": "Bea Browser", "line1": "Hauptstr. 5", "city": "Berlin", "postcode": "10115",
           "country": "DE", "is_default": True}


def _world(app: Flask) -> int:
    """Two shops sharing their customers; the CSR works on both; the second has its own reasons."""
    with app.app_context():
        make_shop(code="NORTH", name="North Shop", sharing_group="web", customer_assistance=True)
        make_shop(code="SOUTH", name="South Shop", sharing_group="web", customer_assistance=True)
        make_user("carla@test.example", roles={"NORTH": Role.CSR, "SOUTH": Role.CSR}, name="Carla CSR")
        make_product("SOUTH", "TEA-1", price="4.50", quantity=20)
        customer = make_customer("NORTH", "bea@example.com", first_name="Bea", last_name="Browser",
                                 allow_assistance=True, addresses=[ADDRESS])
        with unit_of_work(PLATFORM):
            assistance.update_settings(PLATFORM, tenants.get_shop(PLATFORM, "SOUTH"),
                                       reason_codes_text="phone: Order by phone\nreturn: A return")
        return customer


def test_csr_places_an_order_as_the_customer(app: Flask, live_server: str, page: Page) -> None:
    customer_id = _world(app)
    sign_in(page, live_server, "carla@test.example", PASSWORD)
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Carla CSR")

    # The customer page, and "assist" on it.
    page.goto(f"{live_server}/admin/customers/details/?id={customer_id}")
    page.get_by_test_id("assist-customer").click()
    expect(page.get_by_role("heading", name=re.compile("Assist"))).to_be_visible()
    # Choosing the shop brings that shop's reason codes (the page script reloads the form;
    # wait until it has run, or a fast click on a busy machine changes the select too early).
    page.wait_for_load_state("load")
    with page.expect_navigation(url=re.compile(r"shop=SOUTH"), timeout=20_000):
        page.get_by_test_id("assist-shop").select_option("SOUTH")
    expect(page.get_by_test_id("assist-reason-code").locator("option")).to_contain_text(["—", "Order by phone",
                                                                                           "A return"])
    page.get_by_test_id("assist-reason-code").select_option("phone")
    page.get_by_label("What the customer needs").fill("Wants tea, ordering by phone")
    page.get_by_label("Ticket or call id").fill("CALL-77")
    page.get_by_role("button", name="Sign in as the customer").click()

    # The hand-off link opens in the same browser: one button, then the storefront as Bea.
    page.wait_for_url(re.compile(r"/store/SOUTH/assist/"))
    page.get_by_test_id("start-assistance").click()
    banner = page.get_by_test_id("assistance-banner")
    expect(banner).to_contain_text("Carla CSR")
    expect(banner).to_contain_text("Bea Browser")

    # Catalogue -> cart -> checkout, the banner on every page.
    page.get_by_label("Search products").fill("TEA")
    page.get_by_role("button", name="Search").click()
    product = page.get_by_test_id("product-TEA-1")
    product.get_by_label("Quantity").fill("3")
    product.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Cart")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Product TEA-1")
    expect(banner).to_be_visible()
    page.get_by_role("link", name="Go to checkout").click()
    expect(banner).to_be_visible()
    expect(page.get_by_label("Ship to")).to_contain_text("Hauptstr. 5")
    page.get_by_label("Payment").select_option("on_delivery")
    page.get_by_role("button", name="Place the order").click()
    expect(page.get_by_role("alert")).to_contain_text("is placed")
    number = page.get_by_role("heading", name=re.compile("Order")).inner_text().split()[-1]
    expect(banner).to_be_visible()

    # End assistance: back in the admin, on the customer's page, still Carla.
    page.get_by_test_id("end-assistance").click()
    page.wait_for_url(re.compile(r"/admin/customers/details/"))
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Carla CSR")
    expect(page.locator("body")).to_contain_text(re.compile(r"Assistance by Carla CSR .*ended"))

    # The order in the admin, stamped with the CSR.
    page.goto(f"{live_server}/admin/orders/")
    search = page.locator("input[name=search]")
    search.fill(number)
    search.press("Enter")
    page.get_by_test_id("order-link").filter(has_text=number).click()
    expect(page.get_by_test_id("order-number")).to_contain_text(number)
    expect(page.get_by_test_id("order-operator")).to_contain_text("Carla CSR")
    expect(page.get_by_test_id("order-lines")).to_contain_text("TEA-1")

    # The storefront session is over: the hand-off page's session does not reach the customer's account.
    page.goto(f"{live_server}/store/SOUTH/account")
    expect(page.get_by_test_id("assistance-banner")).to_have_count(0)
    assert "/sign-in" in page.url
