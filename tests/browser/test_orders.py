"""A CSR finds an order by the customer's name, changes a quantity, and sees the new version."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.orders import services as orders
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, world
from tests.orders.conftest import seed_shop


def test_csr_finds_an_order_and_changes_a_quantity(app: Flask, live_server: str, page: Page) -> None:
    world(app)
    platform = system_access("tests")
    with app.app_context():
        seeded = seed_shop("OWN")
        with unit_of_work(platform):
            order = orders.place_order(platform, orders.OrderInput(
                shop="OWN", customer_id=seeded["customer_id"], payment_flow="on_delivery",
                lines=[orders.LineInput(sku="STD-1", quantity=2)]))
            number = order.number
    sign_in(page, live_server, "csr@test.example", PASSWORD)
    page.goto(f"{live_server}/admin/orders/")
    search = page.locator("input[name=search]")
    search.fill("LeeOwn")
    search.press("Enter")
    page.get_by_test_id("order-link").filter(has_text=number).click()
    expect(page.get_by_test_id("order-number")).to_contain_text(number)
    expect(page.get_by_test_id("order-version")).to_have_text("1")
    page.get_by_test_id("edit-order").click()
    page.get_by_test_id("qty-STD-1").fill("3")
    page.get_by_test_id("edit-reason").fill("Customer called: one more")
    page.get_by_test_id("save-order").click()
    expect(page.get_by_test_id("order-version")).to_have_text("2")
    versions = page.get_by_test_id("order-versions")
    expect(versions).to_contain_text("v2")
    expect(versions).to_contain_text("Customer called: one more")
    expect(versions).to_contain_text("Line STD-1 · Quantity: 2 → 3")
    expect(page.get_by_test_id("order-lines")).to_contain_text("3")


def test_csr_captures_an_order_from_the_customer_page(app: Flask, live_server: str, page: Page) -> None:
    """On the phone: open the customer, "New order", find a product by name, type a low price
    (the warning shows as it is typed), correct it, add a second line, save."""
    world(app)
    with app.app_context():
        seeded = seed_shop("OWN")
    sign_in(page, live_server, "csr@test.example", PASSWORD)
    page.goto(f"{live_server}/admin/customers/details/?id={seeded['customer_id']}")
    page.get_by_test_id("new-order-OWN").click()
    expect(page.get_by_test_id("chosen-customer")).to_contain_text("Ann LeeOwn")
    expect(page.get_by_test_id("chosen-customer")).to_contain_text("ann.own@example.com")
    expect(page.get_by_test_id("remove-line-0")).to_be_visible()  # capture.js is running (it shows the button)

    page.get_by_test_id("sku-0").press_sequentially("widget")
    option = page.get_by_test_id("product-option").filter(has_text="STD-2")
    expect(option).to_contain_text("Second widget")
    expect(option).to_contain_text("100 in stock")
    option.click()
    expect(page.get_by_test_id("sku-0")).to_have_value("STD-2")
    expect(page.get_by_test_id("product-0")).to_contain_text("Second widget")
    page.get_by_test_id("qty-0").fill("2")
    page.get_by_test_id("price-0").press_sequentially("3.50")  # 22% under 4.50; the CSR's limit is 10%
    expect(page.get_by_test_id("override-warning-0")).to_contain_text("22.2% under the list price")
    page.get_by_test_id("price-0").fill("4.25")
    page.get_by_test_id("price-0").dispatch_event("input")
    expect(page.get_by_test_id("override-warning-0")).to_have_text("")

    page.get_by_test_id("add-line").click()
    rows = page.locator("#capture-lines tr.line-row")
    expect(rows).to_have_count(4)
    last = rows.last
    last.locator("input.sku").press_sequentially("DIG")
    last.get_by_test_id("product-option").filter(has_text="DIG-1").click()
    expect(last.locator(".product")).to_contain_text("Digital manual")
    page.get_by_test_id("save-capture").click()

    expect(page.get_by_test_id("order-number")).to_contain_text("OWN-000001")
    lines = page.get_by_test_id("order-lines")
    expect(lines).to_contain_text("STD-2")
    expect(lines).to_contain_text("DIG-1")
    with app.app_context(), unit_of_work(system_access("tests")):
        order = orders.get_order_by_number(system_access("tests"), "OWN-000001")
        assert [(line.sku, line.quantity, str(line.unit_price)) for line in order.lines] == [
            ("STD-2", 2, "4.2500"), ("DIG-1", 1, "5.0000")]
        assert order.customer_id == seeded["customer_id"]


def test_csr_finds_the_customer_on_the_capture_screen(app: Flask, live_server: str, page: Page) -> None:
    """Without a customer page: the lookup finds the shop's customer by name, never another shop's."""
    world(app)
    with app.app_context():
        own = seed_shop("OWN")
        seed_shop("OTHER")
    sign_in(page, live_server, "csr@test.example", PASSWORD)
    page.goto(f"{live_server}/admin/orders/new/")
    page.get_by_test_id("capture-shop").select_option(value=str(own["shop_id"]))
    expect(page.get_by_test_id("remove-line-0")).to_be_visible()  # capture.js is running
    page.get_by_test_id("customer-search").press_sequentially("ann")
    options = page.get_by_test_id("customer-option")
    expect(options).to_have_count(1)
    expect(options).to_contain_text("ann.own@example.com")
    options.click()
    expect(page.get_by_test_id("chosen-customer")).to_contain_text("Ann LeeOwn")
    page.get_by_test_id("sku-0").fill("STD-1")
    page.get_by_test_id("sku-0").dispatch_event("input")
    expect(page.get_by_test_id("product-0")).to_contain_text("Standard widget")  # typed in full: described
    page.get_by_test_id("qty-0").fill("0")
    page.get_by_test_id("save-capture").click()
    expect(page.get_by_test_id("line-error-0")).to_contain_text("Must be at least 1.")
    expect(page.get_by_test_id("sku-0")).to_have_value("STD-1")
    expect(page.get_by_test_id("chosen-customer")).to_contain_text("Ann LeeOwn")
