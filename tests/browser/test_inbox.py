"""A supervisor opens the review queue, sees the mail beside the proposed change and the
order, approves, and the order shows the change in its versions."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.inbox import services
from shopadmin.inbox.jobs import process_message
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, world
from tests.inbox.conftest import mail, make_order, seed

PLATFORM = system_access("tests")


def test_supervisor_approves_a_mail_from_the_review_queue(app: Flask, live_server: str, page: Page) -> None:
    world(app)
    with app.app_context():
        customers = seed("OWN")
        order_id, number = make_order(customers["ann"], [("STD-1", 2)])
        with unit_of_work(PLATFORM):
            message, _ = services.intake(PLATFORM, mail(
                sender="ann@example.com", subject=f"Order {number}: one more please",
                body=f"Hi, can I change the quantity of STD-1 to 3 on {number}?\nAnn"), process_after_commit=False)
            message_id = message.id
        assert process_message(message_id) == "review"

    sign_in(page, live_server, "supervisor@test.example", PASSWORD)
    page.goto(f"{live_server}/admin/inbox/")
    page.get_by_test_id("inbox-link").filter(has_text="one more please").click()
    expect(page.get_by_test_id("inbox-body")).to_contain_text("change the quantity of STD-1 to 3")
    expect(page.get_by_test_id("inbox-changes")).to_contain_text("STD-1: 2 -> 3")
    expect(page.get_by_test_id("inbox-order")).to_contain_text(number)
    form = page.get_by_test_id("review-form")
    form.get_by_label("Decision").select_option("approve")
    form.get_by_role("button", name="Submit decision").click()
    expect(page.get_by_text("Approved: the changes were applied.")).to_be_visible()

    page.goto(f"{live_server}/admin/orders/details/?id={order_id}")
    expect(page.get_by_test_id("order-version")).to_have_text("2")
    versions = page.get_by_test_id("order-versions")
    expect(versions).to_contain_text(f"inbox message {message_id}, approved")
    expect(versions).to_contain_text("Line STD-1 · Quantity: 2 → 3")
