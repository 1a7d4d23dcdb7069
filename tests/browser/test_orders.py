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
    expect(versions).to_contain_text("lines.STD-1.quantity: 2 → 3")
    expect(page.get_by_test_id("order-lines")).to_contain_text("3")
