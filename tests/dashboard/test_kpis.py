"""KPIs: response time, share handled without a person, manual corrections, time saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.dashboard.kpis import kpis
from shopadmin.dashboard.periods import Period
from shopadmin.dashboard.widgets import WidgetView
from shopadmin.extensions import db
from shopadmin.orders import services as orders
from shopadmin.orders.models import OrderEvent
from shopadmin.staff import services as staff
from shopadmin.staff.models import User
from tests.factories import world
from tests.orders.factories import make_order, make_order_customer, make_product

# The world's shops read days in Berlin (tests/factories.py): "today" is theirs.
TODAY = datetime.now(ZoneInfo("Europe/Berlin")).date()
PLATFORM = system_access("tests")


def _access(email: str) -> Any:
    return staff.access_for_user(db.session.scalars(sa.select(User).where(User.email == email)).one())


def test_kpis(app: Flask) -> None:
    ids = world(app)
    with app.test_request_context():
        for code in ("OWN", "OTHER"):
            make_product(code)
        customer = make_order_customer("OWN")
        phone = make_order("OWN", customer)
        make_order("OWN", customer)
        with unit_of_work(PLATFORM):
            for channel in ("api", "web"):
                orders.place_order(PLATFORM, orders.OrderInput(
                    shop="OWN", customer_id=customer, channel=channel, payment_flow="on_delivery",
                    lines=[orders.LineInput(sku="M-1", quantity=1)]))
            order = orders.get_order(PLATFORM, phone)
            orders.fire_event(PLATFORM, order, "confirm")
            db.session.execute(sa.update(OrderEvent).where(OrderEvent.order_id == phone, OrderEvent.event == "confirm")
                               .values(created_at=order.created_at + timedelta(hours=2))
                               .execution_options(all_shops=True))
        other_customer = make_order_customer("OTHER")
        make_order("OTHER", other_customer, confirm=True)
        manager = _access("manager@test.example")
        with unit_of_work(manager):
            orders.update_order(manager, orders.get_order(manager, phone), {"attributes": {"po": "1"}},
                                reason="customer called")
        with acting_as(manager):
            data = kpis(WidgetView(manager, frozenset({ids["OWN"]}), Period.last(7, today=TODAY)))
    assert data["response"]["count"] == 1
    assert data["response"]["median_hours"] == 2.0
    assert data["orders"] == {"placed": 4, "automatic": 2, "share": 50.0}
    assert data["corrections"]["count"] == 1
    assert data["corrections"]["per_100_orders"] == 25.0
    assert data["time_saved"]["hours"] == round(2 * 4 / 60, 1)
    assert data["mails"] == {"processed": 0, "automatic": 0, "share": None}
