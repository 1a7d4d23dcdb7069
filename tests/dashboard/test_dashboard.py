"""Dashboard: chart data per currency and per shop scope, tiles, the shop selector, the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.dashboard.charts import customers, orders_revenue
from shopadmin.dashboard.periods import Granularity, Period
from shopadmin.dashboard.services import build_dashboard
from shopadmin.dashboard.widgets import WidgetView
from shopadmin.extensions import db
from shopadmin.orders import services as orders
from shopadmin.orders.models import Order
from shopadmin.staff import services as staff
from shopadmin.staff.models import User
from tests.factories import login, make_shop, world
from tests.orders.factories import make_order, make_order_customer, make_product

PLATFORM = system_access("tests")
# The world's shops read days in Berlin (tests/factories.py): "today" is theirs.
TODAY = datetime.now(ZoneInfo("Europe/Berlin")).date()


def _at(order_id: int, days_ago: int) -> None:
    with unit_of_work(PLATFORM):
        db.session.execute(sa.update(Order).where(Order.id == order_id)
                           .values(created_at=datetime.now(UTC) - timedelta(days=days_ago))
                           .execution_options(all_shops=True))


def access_of(email: str) -> Any:
    user = db.session.scalars(sa.select(User).where(User.email == email)).one()
    return staff.access_for_user(user)


@pytest.fixture
def sales(app: Flask) -> dict[str, Any]:
    """OWN (EUR), USDSUB (USD, sub-shop of MASTER) and OTHER (EUR, not the caller's)."""
    ids = world(app)
    with app.app_context():
        ids["USDSUB"] = make_shop(code="USDSUB", kind="b2b", master="MASTER", currency="USD")
        made: dict[str, list[int]] = {}
        for code, price, quantities in (("OWN", "10.00", (1, 2, 3)), ("USDSUB", "7.00", (1,)),
                                        ("OTHER", "1000.00", (5,))):
            make_product(code, price=price)
            customer = make_order_customer(code)
            made[code] = [make_order(code, customer, quantity=q) for q in quantities]
            made[f"{code}_customer"] = [customer]
        _at(made["OWN"][0], 3)  # the first OWN customer ordered 3 days ago, then twice today
        db.session.remove()
    return {"ids": ids, "orders": made}


def test_orders_and_revenue_per_currency_never_mixed_nor_leaking(app: Flask, sales: dict[str, Any]) -> None:
    with app.test_request_context():
        access = access_of("manager@test.example")
        with acting_as(access):
            shops = frozenset({sales["ids"]["OWN"], sales["ids"]["USDSUB"]})
            data = orders_revenue(WidgetView(access, shops, Period.last(7, today=TODAY)))
    by_currency = {series["currency"]: series for series in data["currencies"]}
    assert set(by_currency) == {"EUR", "USD"}
    # OWN: 1, 2 and 3 units at 10.00 (+ tax none); OTHER's 5000.00 never appears.
    assert by_currency["EUR"]["total_orders"] == 3
    assert Decimal(by_currency["EUR"]["total_revenue"]) == Decimal("60.00")
    assert by_currency["USD"]["total_orders"] == 1
    assert Decimal(by_currency["USD"]["total_revenue"]) == Decimal("7.00")
    assert len(data["labels"]) == 7
    assert data["labels"][-1] == TODAY.isoformat()
    eur = by_currency["EUR"]
    assert eur["orders"][-1] == 2
    assert eur["orders"][-4] == 1
    assert eur["revenue"][-1] == "50.00"
    assert eur["revenue"][-4] == "10.00"


def test_the_guard_scopes_chart_queries_even_when_asked_for_another_shop(app: Flask, sales: dict[str, Any]) -> None:
    with app.test_request_context():
        access = access_of("manager@test.example")
        with acting_as(access):
            leaked = orders_revenue(WidgetView(access, frozenset({sales["ids"]["OTHER"]}), Period.last(7, today=TODAY)))
    assert leaked["currencies"] == []


def test_weekly_and_monthly_buckets(app: Flask, sales: dict[str, Any]) -> None:
    with app.test_request_context():
        access = access_of("manager@test.example")
        with acting_as(access):
            shops = frozenset({sales["ids"]["OWN"]})
            weekly = orders_revenue(WidgetView(access, shops, Period.last(28, Granularity.WEEK, today=TODAY)))
            monthly = orders_revenue(WidgetView(access, shops, Period.last(60, Granularity.MONTH, today=TODAY)))
    for data in (weekly, monthly):
        (eur,) = data["currencies"]
        assert eur["total_orders"] == 3
        assert all(date_label[:4].isdigit() for date_label in data["labels"])
    assert datetime.fromisoformat(weekly["labels"][-1]).weekday() == 0
    assert monthly["labels"][-1].endswith("-01")


def test_customers_new_and_returning(app: Flask, sales: dict[str, Any]) -> None:
    with app.test_request_context():
        access = access_of("manager@test.example")
        with acting_as(access):
            data = customers(WidgetView(access, frozenset({sales["ids"]["OWN"]}), Period.last(7, today=TODAY)))
    rows = {row["bucket"]: row for row in data["rows"]}
    three_days_ago = (TODAY - timedelta(days=3)).isoformat()
    assert rows[three_days_ago] == {"bucket": three_days_ago, "new": 1, "returning": 0}
    assert rows[TODAY.isoformat()] == {"bucket": TODAY.isoformat(), "new": 0, "returning": 1}
    assert (data["total_new"], data["total_returning"]) == (1, 1)


def test_dashboard_widgets_follow_roles_and_the_selector(app: Flask, sales: dict[str, Any]) -> None:
    with app.test_request_context():
        manager = access_of("manager@test.example")
        with acting_as(manager):
            board = build_dashboard(manager, period=Period.last(7, today=TODAY))
            narrowed = build_dashboard(manager, shop_code="USDSUB", period=Period.last(7, today=TODAY))
        csr = access_of("csr@test.example")
        with acting_as(csr):
            csr_board = build_dashboard(csr, period=Period.last(7, today=TODAY))
    charts = dict((w.key, data) for w, data in board.widgets)
    assert {s["currency"] for s in charts["orders_revenue"]["currencies"]} == {"EUR", "USD"}
    narrowed_charts = dict((w.key, data) for w, data in narrowed.widgets)
    assert [s["currency"] for s in narrowed_charts["orders_revenue"]["currencies"]] == ["USD"]
    assert csr_board.widgets == []  # business figures: managers and up
    tiles = {t.key: count for t, count in csr_board.tiles}
    assert tiles["orders_pending"] == 4  # OWN's three and USDSUB's one; OTHER's order is not counted
    assert "inbox_review" not in tiles or isinstance(tiles["inbox_review"], int)


def test_tiles_count_blocks_and_deliveries(app: Flask, sales: dict[str, Any]) -> None:
    with app.test_request_context():
        with unit_of_work(PLATFORM):
            order = orders.get_order(PLATFORM, sales["orders"]["OWN"][0])
            orders.fire_event(PLATFORM, order, "confirm")
            orders.add_block(PLATFORM, orders.get_order(PLATFORM, sales["orders"]["OWN"][1]), "check")
        access = access_of("supervisor@test.example")
        with acting_as(access):
            tiles = {t.key: count for t, count in build_dashboard(access).tiles}
    assert tiles["orders_pending"] == 3  # OWN: 2 left, USDSUB: 1
    assert tiles["orders_blocked"] == 1
    assert tiles["deliveries_to_pack"] == 1
    assert tiles["deliveries_to_ship"] == 0
    assert tiles["notifications_failed"] == 0


def test_dashboard_page(app: Flask, client: FlaskClient, sales: dict[str, Any]) -> None:
    login(client, "manager@test.example")
    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="chart-orders-EUR"' in html
    assert 'data-testid="chart-orders-USD"' in html
    assert "vendor/chart.umd.min.js" in html
    assert 'data-testid="tiles"' in html
    assert '/admin/orders/?worklist=blocked' in html  # a tile links to the list it counts
    assert "5000" not in html  # OTHER's revenue
    assert client.get("/admin/?shop=USDSUB").status_code == 200
    assert 'chart-orders-EUR' not in client.get("/admin/?shop=USDSUB").get_data(as_text=True)
    assert client.get("/admin/?shop=OTHER").status_code == 404
    assert client.get("/admin/?range=bogus&by=year&from=x").status_code == 200
    script = client.get("/static/vendor/chart.umd.min.js")
    assert script.status_code == 200
    script.close()
