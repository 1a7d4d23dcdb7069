"""A CSR finds a customer by part of the name, opens it, logs a call with a result code."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from shopadmin.core.access import Role
from tests.browser.conftest import sign_in
from tests.customers.factories import make_customer
from tests.factories import PASSWORD, make_shop, make_user


def test_csr_finds_a_customer_and_logs_a_call(app: Flask, live_server: str, page: Page) -> None:
    with app.app_context():
        make_shop(code="EU1", sharing_group="eu")
        make_shop(code="EU2", sharing_group="eu")
        make_shop(code="FAR")
        make_user("csr@test.example", roles={"EU2": Role.CSR}, name="Cleo CSR")
        make_customer("EU1", "margarethe@example.com", first_name="Margarethe", last_name="Vogelsang")
        make_customer("EU1", "mark@example.com", first_name="Mark", last_name="Vogt")
        make_customer("FAR", "margot@example.com", first_name="Margot", last_name="Vogelsang")

    sign_in(page, live_server, "csr@test.example", PASSWORD)
    page.goto(f"{live_server}/admin/customers/")
    search = page.locator("input[name=search]")
    search.fill("vogels")
    search.press("Enter")
    results = page.locator("table.model-list")
    expect(results).to_contain_text("Margarethe Vogelsang")
    expect(results).not_to_contain_text("Mark Vogt")
    expect(results).not_to_contain_text("Margot")  # another shop's customer, outside the group

    page.get_by_role("link", name="Margarethe Vogelsang").click()
    expect(page.get_by_test_id("customer-name")).to_contain_text("Margarethe Vogelsang")
    expect(page.get_by_test_id("why-visible")).to_contain_text("EU2")
    expect(page.get_by_test_id("why-visible")).to_contain_text("role csr")

    form = page.get_by_test_id("activity-form")
    form.get_by_label("Kind").select_option("call")
    form.get_by_label("Result code").select_option(label="Left message")
    form.get_by_label("Subject").fill("Called about the late parcel")
    form.get_by_label("Note").fill("Voicemail; will try again tomorrow.")
    form.get_by_role("button", name="Add to the timeline").click()

    expect(page.locator("body")).to_contain_text("Added to the timeline")
    entry = page.get_by_test_id("timeline").locator(".timeline-entry").first
    expect(entry).to_contain_text("Called about the late parcel")
    expect(entry).to_contain_text("Left message")
    expect(entry).to_contain_text("Cleo CSR")
