"""Sign-in through a real browser: own shops only, wrong password, German screens."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from shopadmin.core.access import Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_shop, make_user


def _shops(app: Flask) -> None:
    with app.app_context():
        make_shop(code="MINE", name="My Shop")
        make_shop(code="THEIRS", name="Their Shop")
        make_user("manager@test.example", roles={"MINE": Role.MANAGER}, name="Mona Manager")
        make_user("kollege@test.example", roles={"MINE": Role.MANAGER}, name="Karl Kollege", locale="de")


def test_manager_sees_only_own_shops(app: Flask, live_server: str, page: Page) -> None:
    _shops(app)
    sign_in(page, live_server, "manager@test.example", PASSWORD)
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Mona Manager")
    expect(page.get_by_test_id("my-shops")).to_contain_text("MINE")
    expect(page.get_by_test_id("my-shops")).not_to_contain_text("THEIRS")
    page.goto(f"{live_server}/admin/shops/")
    expect(page.locator("table.model-list")).to_contain_text("My Shop")
    expect(page.locator("table.model-list")).not_to_contain_text("Their Shop")
    expect(page.locator("body")).not_to_contain_text("THEIRS")


def test_wrong_password_shows_an_error(app: Flask, live_server: str, page: Page) -> None:
    _shops(app)
    sign_in(page, live_server, "manager@test.example", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    assert page.url.startswith(f"{live_server}/login")


def test_screens_speak_german_for_a_german_user(app: Flask, live_server: str, page: Page) -> None:
    _shops(app)
    sign_in(page, live_server, "kollege@test.example", PASSWORD)
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Angemeldet als Karl Kollege")
    expect(page.get_by_role("heading", name="Ihre Shops")).to_be_visible()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
