"""Reports: rows, scope, PDF read back, CSV injection, background runs."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.extensions import db
from shopadmin.orders import services as orders
from shopadmin.orders.models import Delivery
from shopadmin.reports import services
from shopadmin.reports.base import Column, Report, ReportContext, load_reports
from shopadmin.staff import services as staff
from shopadmin.staff.models import User
from tests.conftest import csrf_token_from
from tests.factories import login, world
from tests.orders.factories import make_order, make_order_customer, make_product

PLATFORM = system_access("tests")
FILENAME = re.compile(r'filename="report-available-stock_\d{4}-\d{2}-\d{2}_\d{6}\.pdf"')


@pytest.fixture
def stock(app: Flask) -> dict[str, Any]:
    world(app)
    with app.app_context():
        make_product("OWN", "WID-1", quantity=10)
        make_product("OWN", "=HYPERLINK(\"http://evil\")", quantity=3)
        make_product("OWN", "BACK-1", quantity=None, availability="backorder")
        make_product("OTHER", "SECRET-9", quantity=77)
        customer = make_order_customer("OWN")
        late = make_order("OWN", customer, sku="WID-1", quantity=2, confirm=True)
        recent = make_order("OWN", customer, sku="WID-1", quantity=1, confirm=True)
        make_order("OWN", customer, sku="BACK-1", quantity=4)
        with unit_of_work(PLATFORM):
            db.session.execute(sa.update(Delivery).where(Delivery.order_id == late)
                               .values(created_at=datetime.now(UTC) - timedelta(days=5))
                               .execution_options(all_shops=True))
        other_customer = make_order_customer("OTHER")
        make_order("OTHER", other_customer, sku="SECRET-9", quantity=1, confirm=True)
        db.session.remove()
    return {"late": late, "recent": recent}


def _access(email: str) -> Any:
    return staff.access_for_user(db.session.scalars(sa.select(User).where(User.email == email)).one())


def test_inventory_rows_per_warehouse_and_sku_within_scope(app: Flask, stock: dict[str, Any]) -> None:
    with app.test_request_context():
        access = _access("manager@test.example")
        with acting_as(access):
            result = services.run_report(access, "inventory", {})
    rows = {row[2]: row for row in result.rows}
    assert "SECRET-9" not in rows  # OTHER's stock is never reported
    # shop, warehouse, sku, name, on hand, reserved, available, back-ordered
    assert rows["WID-1"][4:] == [10, 3, 7, 0]
    assert rows["BACK-1"][1] == "—"
    assert rows["BACK-1"][7] == 4


def test_delivery_report_puts_overdue_first(app: Flask, stock: dict[str, Any]) -> None:
    with app.test_request_context():
        access = _access("manager@test.example")
        with acting_as(access):
            result = services.run_report(access, "deliveries", {})
            late_number = orders.get_order(access, stock["late"]).number
    first = result.rows[0]
    assert first[2] == late_number
    assert first[0] == 3  # created 5 days ago, due after 2
    assert first[6] == "MAIN"
    assert all(row[0] == "" for row in result.rows[1:])
    assert len(result.rows) == 3  # the two confirmed orders and the back-order; not OTHER's


def test_pdf_download_opens_and_holds_the_rows(app: Flask, client: FlaskClient, stock: dict[str, Any]) -> None:
    login(client, "manager@test.example")
    response = client.get("/admin/reports/inventory/?format=pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert FILENAME.search(response.headers["Content-Disposition"])
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Available stock" in text
    assert "WID-1" in text
    assert "BACK-1" in text
    assert "SECRET-9" not in text
    delivery_pdf = client.get("/admin/reports/deliveries/?format=pdf&state=all")
    assert "report-deliveries_" in delivery_pdf.headers["Content-Disposition"]
    assert "MAIN" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(delivery_pdf.data)).pages)


def test_pdf_prints_the_euro_sign(app: Flask) -> None:
    class Prices(Report):
        key = "test_prices"
        slug = "prices"
        title = "Prices"
        columns = (Column("name", "Name"), Column("price", "Price", numeric=True))
        params = ()

        def rows(self, ctx: ReportContext) -> list[list[Any]]:
            return [["Gift card", "10,00 €"], ["Café crème", "3,50 €"]]

    try:
        with app.test_request_context():
            report = Prices()
            ctx = ReportContext(PLATFORM, frozenset(), {})
            result = services.ReportResult(report, ctx, list(report.rows(ctx)), datetime.now(UTC))
            file = services.render_file(result, "pdf")
        text = PdfReader(io.BytesIO(file.content)).pages[0].extract_text()
        assert "10,00 €" in text
        assert "Café crème" in text
    finally:
        from shopadmin.reports.base import REPORTS

        REPORTS.pop("test_prices", None)


def test_csv_is_safe_against_injection(app: Flask, client: FlaskClient, stock: dict[str, Any]) -> None:
    login(client, "manager@test.example")
    response = client.get("/admin/reports/inventory/?format=csv")
    assert response.status_code == 200
    assert re.search(r'filename="report-available-stock_[\d_-]+\.csv"', response.headers["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Shop", "Warehouse", "SKU"]
    skus = [row[2] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in skus
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_report_scope_and_roles(app: Flask, client: FlaskClient, stock: dict[str, Any]) -> None:
    login(client, "manager@test.example")
    assert client.get("/admin/reports/").status_code == 200
    assert client.get("/admin/reports/inventory/?shop=OWN").status_code == 200
    assert client.get("/admin/reports/inventory/?shop=OTHER").status_code == 404
    assert client.get("/admin/reports/inventory/?shop=OTHER&format=pdf").status_code == 404
    assert client.get("/admin/reports/nope/").status_code == 404
    assert client.get("/admin/reports/deliveries/?date_from=yesterday").status_code == 422
    page = client.get("/admin/reports/inventory/").get_data(as_text=True)
    assert "WID-1" in page
    assert "SECRET-9" not in page
    csr = app.test_client()
    login(csr, "csr@test.example")
    assert csr.get("/admin/reports/").status_code == 403
    assert csr.get("/admin/reports/inventory/?format=csv").status_code == 403


def test_background_run_keeps_the_file(app: Flask, client: FlaskClient, stock: dict[str, Any]) -> None:
    login(client, "manager@test.example")
    token = csrf_token_from(client.get("/admin/reports/inventory/").get_data(as_text=True))
    response = client.post("/admin/reports/inventory/", data={"csrf_token": token, "format": "pdf", "shop": "OWN"})
    assert response.status_code == 302
    run_page = client.get(response.headers["Location"])
    assert 'data-status="done"' in run_page.get_data(as_text=True)  # inline mode: done after the commit
    run_id = int(response.headers["Location"].rsplit("id=", 1)[1])
    download = client.get(f"/admin/reports/runs/?id={run_id}&download=1")
    assert download.mimetype == "application/pdf"
    assert "WID-1" in PdfReader(io.BytesIO(download.data)).pages[0].extract_text()
    # Another manager cannot see it.
    other = app.test_client()
    login(other, "owner@test.example")
    assert other.get(f"/admin/reports/runs/?id={run_id}").status_code == 404
    assert "inventory" not in other.get("/admin/reports/runs/").get_data(as_text=True).lower().split("<tbody>")[1]


def test_large_downloads_go_to_the_background(app: Flask, client: FlaskClient, stock: dict[str, Any]) -> None:
    app.config["SHOPADMIN_REPORT_INLINE_ROWS"] = 1
    try:
        login(client, "manager@test.example")
        response = client.get("/admin/reports/inventory/?format=pdf")
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert "runs in the background" in response.get_data(as_text=True)
    finally:
        app.config.pop("SHOPADMIN_REPORT_INLINE_ROWS")


def test_reports_are_plugins() -> None:
    assert {"deliveries", "inventory"} <= set(load_reports())
