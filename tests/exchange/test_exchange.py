"""Import (dry run, all or nothing, matched customers) and export, through services, CLI and screen."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from shopadmin.catalogue.models import Product, StockLevel
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers.models import Customer
from shopadmin.exchange import services
from shopadmin.exchange.formats import read_records
from shopadmin.extensions import db
from shopadmin.notifications.models import Notification
from shopadmin.orders.models import Order
from tests.conftest import csrf_token_from
from tests.factories import login, world
from tests.orders.factories import make_order, make_order_customer, make_product

PLATFORM = system_access("tests")

CUSTOMERS_CSV = """email,first_name,last_name,tags,shipping_name,shipping_line1,shipping_city,shipping_country
ada@example.com,Ada,Lovelace,vip,Ada Lovelace,Road 1,London,GB
not-an-email,Bad,Row,,,,,
grace@example.com,Grace,Hopper,,Grace Hopper,Street 2,Arlington,US
,,,nobody,,,,
"""

GOOD_CUSTOMERS_CSV = """email,first_name,last_name
ada@example.com,Ada,Lovelace
grace@example.com,Grace,Hopper
"""

ORDERS_CSV = (
    "order_ref,customer_email,first_name,last_name,sku,quantity,"
    "shipping_name,shipping_line1,shipping_city,shipping_country\n"
) + """A-1,ada@example.com,Ada,Lovelace,M-1,2,Ada Lovelace,Road 1,London,GB
A-1,ada@example.com,,,M-2,1,,,,
A-2,new.buyer@example.com,New,Buyer,M-1,1,New Buyer,Lane 3,Paris,FR
"""


def counts() -> dict[str, int]:
    with unit_of_work(PLATFORM):
        return {model.__name__: int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
                for model in (Customer, Order, Product, StockLevel, Notification)}


@pytest.fixture
def shop(app: Flask) -> dict[str, Any]:
    world(app)
    with app.app_context():
        make_product("OWN", "M-1", quantity=10)
        make_product("OWN", "M-2", quantity=10)
        db.session.remove()
    return {}


def _import(kind: str, text: str, fmt: str = "csv", **options: Any) -> services.ImportResult:
    with unit_of_work(PLATFORM):
        return services.import_records(PLATFORM, kind, read_records(text.encode(), fmt), shop_code="OWN", **options)


def test_dry_run_reports_every_rows_errors_and_writes_nothing(ctx: Flask, shop: dict[str, Any]) -> None:
    before = counts()
    result = _import("customers", CUSTOMERS_CSV, dry_run=True)
    assert [row.row for row in result.error_rows] == [3, 5]
    assert any("email" in message for message in result.error_rows[0].errors)
    assert result.count("created") == 2
    assert not result.written
    assert counts() == before


def test_one_bad_row_aborts_the_whole_file(ctx: Flask, shop: dict[str, Any]) -> None:
    before = counts()
    result = _import("customers", CUSTOMERS_CSV)
    assert not result.ok
    assert not result.written
    assert counts() == before


def test_clean_file_imports_and_matched_customers_are_not_duplicated(ctx: Flask, shop: dict[str, Any]) -> None:
    first = _import("customers", GOOD_CUSTOMERS_CSV)
    assert first.written
    assert first.count("created") == 2
    again = _import("customers", GOOD_CUSTOMERS_CSV)
    assert again.count("matched") == 2
    assert counts()["Customer"] == 2


def test_orders_import_groups_lines_and_matches_customers(ctx: Flask, shop: dict[str, Any]) -> None:
    _import("customers", GOOD_CUSTOMERS_CSV)
    dry = _import("orders", ORDERS_CSV, dry_run=True)
    assert dry.ok
    assert counts()["Order"] == 0
    assert counts()["Notification"] == 0  # the dry run's confirmation mails went with it
    result = _import("orders", ORDERS_CSV)
    assert result.written
    assert [row.outcome for row in result.rows] == ["created", "created"]
    with unit_of_work(PLATFORM):
        placed = db.session.scalars(sa.select(Order).order_by(Order.id)).all()
        assert [sorted((line.sku, line.quantity) for line in order.lines) for order in placed] == [
            [("M-1", 2), ("M-2", 1)], [("M-1", 1)]]
        assert placed[0].attributes == {"import_ref": "A-1"}
        assert placed[0].customer_email == "ada@example.com"
    assert counts()["Customer"] == 3  # Ada matched, the new buyer created


def test_orders_import_aborts_on_insufficient_stock(ctx: Flask, shop: dict[str, Any]) -> None:
    text = ORDERS_CSV.replace("A-2,new.buyer@example.com,New,Buyer,M-1,1", "A-2,new.buyer@example.com,New,Buyer,M-1,99")
    result = _import("orders", text)
    assert [row.row for row in result.error_rows] == [4]
    assert counts()["Order"] == 0
    assert counts()["Customer"] == 0


def test_products_and_stock_from_json(ctx: Flask, shop: dict[str, Any]) -> None:
    products = json.dumps([{"sku": "J-1", "name": "Jug", "price": "3.50"}, {"sku": "M-1", "price": "11.00"}])
    result = _import("products", products, "json")
    assert [row.outcome for row in result.rows] == ["created", "updated"]
    stock = _import("stock", json.dumps({"items": [{"sku": "J-1", "warehouse": "EAST", "quantity": 4},
                                                   {"sku": "J-1", "quantity": -1}]}), "json")
    assert [row.row for row in stock.error_rows] == [2]
    with unit_of_work(PLATFORM):
        assert db.session.scalar(sa.select(StockLevel).where(StockLevel.warehouse == "EAST")) is None


def test_the_shop_must_be_in_scope(ctx: Flask, shop: dict[str, Any]) -> None:
    from shopadmin.core.errors import Forbidden, NotFound
    from shopadmin.staff import services as staff
    from shopadmin.staff.models import User

    records = read_records(GOOD_CUSTOMERS_CSV.encode(), "csv")
    cases = (("manager@test.example", "OTHER", NotFound), ("csr@test.example", "OWN", Forbidden))
    for email, shop_code, error in cases:
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        access = staff.access_for_user(user)
        with pytest.raises(error), unit_of_work(access):
            services.import_records(access, "customers", records, shop_code=shop_code)


def test_cli_import_dry_run_and_real(app: Flask, runner: FlaskCliRunner, shop: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "customers.csv"
    bad.write_text(CUSTOMERS_CSV, encoding="utf-8")
    checked = runner.invoke(args=["import", "customers", str(bad), "--dry-run", "--shop", "OWN"])
    assert checked.exit_code == 1
    assert "row 3:" in checked.output
    assert "Nothing was imported" in checked.output
    good = tmp_path / "customers.json"
    good.write_text(json.dumps([{"email": "ada@example.com", "last_name": "Lovelace"}]), encoding="utf-8")
    done = runner.invoke(args=["import", "customers", str(good), "--shop", "OWN"])
    assert done.exit_code == 0, done.output
    assert "1 created" in done.output
    with app.app_context():
        assert counts()["Customer"] == 1
    exported = runner.invoke(args=["export", "customers", "--format", "json"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output[exported.output.index("["):])[0]["email"] == "ada@example.com"


def test_screen_import_and_export(app: Flask, client: FlaskClient, shop: dict[str, Any]) -> None:
    with app.app_context():
        customer = make_order_customer("OWN")
        make_order("OWN", customer, sku="M-1")
        make_product("OTHER", "M-1")
        make_order("OTHER", make_order_customer("OTHER"), sku="M-1")
        with unit_of_work(PLATFORM):
            db.session.execute(sa.update(Order).where(Order.shop_id == Order.shop_id)
                               .values(customer_name="=cmd|' /C calc'!A0").execution_options(all_shops=True))
    login(client, "manager@test.example")
    page = client.get("/admin/exchange/")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/admin/exchange/", data={
        "csrf_token": token, "kind": "customers", "shop": "OWN", "dry_run": "1",
        "file": (io.BytesIO(CUSTOMERS_CSV.encode()), "customers.csv")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert 'data-testid="import-errors"' in html
    assert "Nothing was imported" in html
    exported = client.get("/admin/exchange/export?what=orders&format=csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["number", "shop", "state"]
    assert [row[1] for row in rows[1:]] == ["OWN"]  # OTHER's order is not exported
    assert rows[1][11].startswith("'=")
    assert client.get("/admin/exchange/export?what=orders&format=csv&shop=OTHER").status_code == 404
    as_json = client.get("/admin/exchange/export?what=orders&format=json&shop=OWN")
    assert json.loads(as_json.get_data(as_text=True))[0]["lines"][0]["sku"] == "M-1"
    csr = app.test_client()
    login(csr, "csr@test.example")
    assert csr.get("/admin/exchange/").status_code == 403
    assert csr.get("/admin/exchange/export?what=orders&shop=OWN").status_code == 403
