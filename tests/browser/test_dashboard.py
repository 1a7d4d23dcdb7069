"""The dashboard draws its charts in a real browser, and a report downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import PASSWORD, world
from tests.orders.factories import make_order, make_order_customer, make_product

pytestmark = pytest.mark.browser

# How many pixels of a canvas are painted (alpha > 0): 0 for a blank canvas.
PAINTED_PIXELS = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
  return painted;
}"""


def _sales(app: Flask) -> None:
    world(app)
    with app.app_context():
        make_product("OWN", "M-1", price="12.50")
        customer = make_order_customer("OWN")
        for quantity in (1, 2, 3):
            make_order("OWN", customer, quantity=quantity, confirm=quantity == 1)


def test_dashboard_draws_its_charts(app: Flask, live_server: str, page: Page) -> None:
    _sales(app)
    sign_in(page, live_server, "manager@test.example", PASSWORD)
    expect(page.get_by_test_id("my-shops")).to_contain_text("OWN")
    for test_id in ("chart-orders-EUR", "chart-customers"):
        canvas = page.get_by_test_id(test_id)
        expect(canvas).to_have_attribute("data-drawn", "1")
        assert canvas.evaluate(PAINTED_PIXELS) > 500, test_id
        assert len(canvas.evaluate("(c) => c.toDataURL('image/png')")) > 2000
    expect(page.get_by_test_id("tiles")).to_contain_text("Orders pending confirmation")
    expect(page.get_by_test_id("kpis")).to_contain_text("Order response time")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)


def test_a_report_downloads(app: Flask, live_server: str, page: Page, tmp_path: Path) -> None:
    _sales(app)
    sign_in(page, live_server, "manager@test.example", PASSWORD)
    page.goto(f"{live_server}/admin/reports/inventory/")
    expect(page.get_by_test_id("report-rows")).to_contain_text("M-1")
    with page.expect_download() as info:
        page.get_by_test_id("download-pdf").click()
    download = info.value
    assert re.fullmatch(r"report-available-stock_\d{4}-\d{2}-\d{2}_\d{6}\.pdf", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
