"""Dashboard buckets are the shop's calendar days: orders around midnight in Berlin and New
York, daylight saving changes included, on PostgreSQL and on SQLite alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.dashboard.charts import customers, orders_revenue
from shopadmin.dashboard.kpis import kpis
from shopadmin.dashboard.periods import Granularity, Period, ShopDays, zone_of, zone_offsets
from shopadmin.dashboard.widgets import WidgetView
from shopadmin.extensions import db
from shopadmin.orders.models import Order
from tests.conftest import make_app
from tests.factories import make_shop
from tests.orders.factories import make_order, make_order_customer, make_product

PLATFORM = system_access("tests")

# (shop, placed at UTC, the shop's calendar day)
ORDERS = [
    ("BER", datetime(2026, 2, 28, 23, 30, tzinfo=UTC), "2026-03-01"),  # Berlin: already March
    ("BER", datetime(2026, 3, 10, 22, 30, tzinfo=UTC), "2026-03-10"),  # 23:30 CET
    ("BER", datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "2026-03-11"),  # 00:30 CET: next day
    ("BER", datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "2026-03-29"),  # 00:30 CET, the night clocks go forward
    ("BER", datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "2026-03-30"),  # 00:30 CEST (+2 now, not +1)
    ("NYC", datetime(2026, 3, 1, 3, 0, tzinfo=UTC), "2026-02-28"),  # 22:00 EST: still February
    ("NYC", datetime(2026, 3, 8, 4, 30, tzinfo=UTC), "2026-03-07"),  # 23:30 EST, hours before DST starts
    ("NYC", datetime(2026, 3, 11, 3, 30, tzinfo=UTC), "2026-03-10"),  # 23:30 EDT: the day before in UTC terms
    ("NYC", datetime(2026, 3, 11, 4, 30, tzinfo=UTC), "2026-03-11"),  # 00:30 EDT
    ("NYC", datetime(2026, 4, 1, 2, 0, tzinfo=UTC), "2026-03-31"),  # 22:00 EDT: still March
]
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31), Granularity.DAY)


def _place_orders() -> dict[str, int]:
    ids = {"BER": make_shop(code="BER", timezone="Europe/Berlin"),
           "NYC": make_shop(code="NYC", timezone="America/New_York", currency="USD")}
    for code in ids:
        make_product(code)
    buyer = {code: make_order_customer(code) for code in ids}
    for code, at, _day in ORDERS:
        order_id = make_order(code, buyer[code])
        with unit_of_work(PLATFORM):
            db.session.execute(sa.update(Order).where(Order.id == order_id).values(created_at=at)
                               .execution_options(all_shops=True))
    return ids


def _expected(code: str, period: Period) -> dict[str, int]:
    counts = dict.fromkeys(period.buckets(), 0)
    for shop, _at, day in ORDERS:
        if shop == code and period.start.isoformat() <= day <= period.end.isoformat():
            counts[date.fromisoformat(day).isoformat() if period.by is Granularity.DAY
                   else _first_of_bucket(day, period.by)] += 1
    return counts


def _first_of_bucket(day: str, by: Granularity) -> str:
    from shopadmin.dashboard.periods import bucket_start

    return bucket_start(date.fromisoformat(day), by).isoformat()


def _orders_per_bucket(shop_ids: frozenset[int], period: Period) -> dict[str, dict[str, int]]:
    data = orders_revenue(WidgetView(PLATFORM, shop_ids, period))
    return {series["currency"]: dict(zip(data["labels"], series["orders"], strict=True))
            for series in data["currencies"]}


def _check_buckets(app: Flask, ids: dict[str, int]) -> None:
    with app.test_request_context(), acting_as(PLATFORM):
        both = frozenset(ids.values())
        for period in (MARCH, Period(date(2026, 3, 1), date(2026, 3, 31), Granularity.WEEK),
                       Period(date(2026, 2, 1), date(2026, 4, 30), Granularity.MONTH)):
            for shops in (both, frozenset({ids["BER"]}), frozenset({ids["NYC"]})):
                seen = _orders_per_bucket(shops, period)
                if ids["BER"] in shops:
                    assert seen["EUR"] == _expected("BER", period), period
                if ids["NYC"] in shops:
                    assert seen["USD"] == _expected("NYC", period), period
        # One buyer per shop: new on the local day of the first order in the period's data.
        data = customers(WidgetView(PLATFORM, frozenset({ids["NYC"]}), MARCH))
        per_day = {row["bucket"]: (row["new"], row["returning"]) for row in data["rows"]}
        assert per_day["2026-03-07"] == (0, 1)  # the first order was on 28 February, New York time
        assert per_day["2026-03-10"] == (0, 1)
        assert sum(new for new, _ in per_day.values()) == 0
        data = customers(WidgetView(PLATFORM, frozenset({ids["BER"]}), MARCH))
        per_day = {row["bucket"]: (row["new"], row["returning"]) for row in data["rows"]}
        assert per_day["2026-03-01"] == (1, 0)  # 23:30 UTC on 28 February is 1 March in Berlin
        assert per_day["2026-03-11"] == (0, 1)
        # The key figures count the same orders as the chart.
        figures = kpis(WidgetView(PLATFORM, both, MARCH))
        assert figures["orders"]["placed"] == sum(1 for _s, _a, day in ORDERS if day.startswith("2026-03"))


def test_orders_are_bucketed_by_the_shops_day_on_postgresql(app: Flask) -> None:
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        ids = _place_orders()
        db.session.remove()
    _check_buckets(app, ids)


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = make_app(f"sqlite:///{tmp_path / 'dashboard.sqlite3'}")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_orders_are_bucketed_by_the_shops_day_on_sqlite(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        assert db.engine.dialect.name == "sqlite"
        ids = _place_orders()
        db.session.remove()
    _check_buckets(sqlite_app, ids)


def test_zone_offsets_find_each_change_to_the_second() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    found = zone_offsets(berlin, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    assert found == [(None, 3600), (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200),
                     (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 3600)]
    assert zone_offsets(ZoneInfo("UTC"), datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)) == [
        (None, 0)]
    assert zone_of("Mars/Olympus_Mons").key == "UTC"
    assert zone_of("../etc/passwd").key == "UTC"


def test_today_is_the_shops_today_when_they_share_a_zone() -> None:
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert ShopDays({"Europe/Berlin": frozenset({1})}).today(late) == date(2026, 3, 11)
    assert ShopDays({"America/New_York": frozenset({2})}).today(datetime(2026, 3, 11, 3, 30, tzinfo=UTC)) == date(
        2026, 3, 10)
    assert ShopDays({"Europe/Berlin": frozenset({1}), "America/New_York": frozenset({2})}).today(late) == date(
        2026, 3, 10)


def test_a_shop_with_an_unknown_zone_reads_days_in_utc(app: Flask) -> None:
    """Zones are checked when a shop is saved; a row from before (or a zone the machine's
    database lacks) still gives a chart."""
    from shopadmin.tenants.models import Shop

    with app.app_context():
        shop_id = make_shop(code="ODD", timezone="UTC")
        with unit_of_work(PLATFORM):
            db.session.execute(sa.update(Shop).where(Shop.id == shop_id).values(timezone="Nowhere/Special"))
        make_product("ODD")
        order_id = make_order("ODD", make_order_customer("ODD"))
        with unit_of_work(PLATFORM):
            db.session.execute(sa.update(Order).where(Order.id == order_id)
                               .values(created_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
                               .execution_options(all_shops=True))
        db.session.remove()
    with app.test_request_context(), acting_as(PLATFORM):
        seen: dict[str, Any] = _orders_per_bucket(frozenset({shop_id}), MARCH)
    assert seen["EUR"]["2026-03-10"] == 1
