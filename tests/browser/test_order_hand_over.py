"""A CSR hands a saved cart over from the pending-orders grid, then edits a charge on it
and sees the new version in the history."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db
from shopadmin.orders import services as orders
from shopadmin.staff.models import User
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, world
from tests.orders.conftest import seed_shop


def test_hand_over_from_the_grid_then_edit_a_charge(app: Flask, live_server: str, page: Page) -> None:
    world(app)
    platform = system_access("tests")
    with app.app_context():
        seeded = seed_shop("OWN")
        csr_id = db.session.scalar(sa.select(User.id).where(User.email == "csr@test.example"))
        with unit_of_work(platform):
            cart = orders.place_order(platform, orders.OrderInput(
                shop="OWN", customer_id=seeded["customer_id"], payment_flow="on_delivery", cart=True,
                lines=[orders.LineInput(sku="STD-2", quantity=2)]))
            orders.hand_over(platform, cart, csr_id)
            number = cart.number
    sign_in(page, live_server, "csr@test.example", PASSWORD)
    page.goto(f"{live_server}/admin/orders/?worklist=carts_and_quotes")
    row = page.locator("tr").filter(has_text=number)
    expect(row).to_contain_text("csr")
    row.get_by_test_id(f"hand-over-{number}").click()
    page.get_by_test_id("hand-over-user").select_option(label="supervisor")
    page.get_by_test_id("hand-over-submit").click()
    expect(page.get_by_text(f"{number} is now held by supervisor.")).to_be_visible()
    row = page.locator("tr").filter(has_text=number)
    expect(row).to_contain_text("supervisor")
    expect(row.get_by_test_id(f"hand-over-{number}")).to_have_count(0)  # no longer the CSR's to hand on

    page.get_by_test_id("order-link").filter(has_text=number).click()
    expect(page.get_by_test_id("held-by")).to_have_text("supervisor")
    expect(page.get_by_test_id("order-versions")).to_contain_text("Held by: csr → supervisor")
    page.get_by_test_id("edit-order").click()
    page.get_by_test_id("charge-shipping").fill("4.90")
    page.get_by_test_id("edit-reason").fill("Express shipping")
    page.get_by_test_id("save-order").click()
    expect(page.get_by_test_id("order-version")).to_have_text("4")
    expect(page.get_by_test_id("charge-shipping")).to_have_text("€4.90")
    versions = page.get_by_test_id("order-versions")
    expect(versions).to_contain_text("Express shipping")
    expect(versions).to_contain_text("Charges · Shipping charge: 0.00 → 4.90")
