"""Quotes waiting for the customer: reminders on the shop's schedule, then one escalation.

The notifications clock is moved by hand; the job is run as the worker would run it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers.models import CustomerAlert
from shopadmin.extensions import db
from shopadmin.notifications import clock, services
from shopadmin.notifications.jobs import send_reminders
from shopadmin.notifications.models import OrderEscalation
from shopadmin.orders import services as orders
from tests.factories import make_shop, make_user
from tests.notifications.conftest import Sink
from tests.notifications.test_inline import mail_app  # noqa: F401 - fixture
from tests.notifications.test_orders import make_customer
from tests.orders.factories import make_product

PLATFORM = system_access("tests")


@pytest.fixture
def quote(mail_app: Flask) -> Iterator[tuple[int, str]]:  # noqa: F811
    with mail_app.app_context():
        shop_id = make_shop(code="OWN", locale="en")
        make_product("OWN")
        make_user("csr@test.example", roles={"OWN": Role.CSR})
        make_user("sup1@test.example", roles={"OWN": Role.SUPERVISOR})
        make_user("sup2@test.example", roles={"OWN": Role.MANAGER})
        with unit_of_work(PLATFORM):
            services.update_settings(PLATFORM, shop_id, reminder_days=[2, 5], escalate_after_days=7)
        customer_id = make_customer("OWN", "slow@example.com", "en")
        with unit_of_work(PLATFORM):
            order = orders.place_order(PLATFORM, orders.OrderInput(
                shop="OWN", customer_id=customer_id, lines=[orders.LineInput(sku="M-1", quantity=1)], quote=True))
            assert order.state == "quote"
            clock.set_now(order.state_changed_at)
            placed = order.id, order.number
    yield placed
    clock.set_now(None)


def at(days: float) -> None:
    start = clock.now() - timedelta(days=at.elapsed)  # type: ignore[attr-defined]
    at.elapsed = days  # type: ignore[attr-defined]
    clock.set_now(start + timedelta(days=days))


at.elapsed = 0.0  # type: ignore[attr-defined]


def test_reminders_then_one_escalation(mail_app: Flask, smtp: tuple[Sink, int],  # noqa: F811
                                       quote: tuple[int, str]) -> None:
    sink, _ = smtp
    order_id, number = quote
    at.elapsed = 0.0  # type: ignore[attr-defined]
    reminder = f"Reminder: your order {number} is waiting for your confirmation"
    with mail_app.app_context():
        at(1)
        assert send_reminders() == "0 reminders, 0 escalations"
        at(2.1)
        assert send_reminders() == "1 reminders, 0 escalations"
        assert send_reminders() == "0 reminders, 0 escalations"  # the same step twice: once
        at(4)
        send_reminders()
        at(5.5)
        assert send_reminders() == "1 reminders, 0 escalations"
        assert [m["Subject"] for m in sink.to("slow@example.com")] == [reminder, reminder]
        at(7.2)
        assert send_reminders() == "0 reminders, 1 escalations"
        assert send_reminders() == "0 reminders, 0 escalations"
        at(30)
        assert send_reminders() == "0 reminders, 0 escalations"  # escalated once per wait
        with unit_of_work(PLATFORM):
            [escalation] = db.session.scalars(sa.select(OrderEscalation)).all()
            [alert] = db.session.scalars(sa.select(CustomerAlert).where(CustomerAlert.order_id == order_id)).all()
            assert escalation.alert_id == alert.id
            assert "sup1@test.example" in alert.message  # assigned to a supervisor of the shop
            assert escalation.assigned_user_id is not None
    staff = sorted(m["To"] for m in sink.messages if m["Subject"].startswith("Escalation"))
    assert staff == ["sup1@test.example", "sup2@test.example"]  # supervisors and up; not the CSR
    assert len(sink.to("slow@example.com")) == 2


def test_a_scheduler_down_for_days_catches_up_once(mail_app: Flask, smtp: tuple[Sink, int],  # noqa: F811
                                                   quote: tuple[int, str]) -> None:
    sink, _ = smtp
    at.elapsed = 0.0  # type: ignore[attr-defined]
    with mail_app.app_context():
        at(6)  # nothing ran on day 2 nor day 5: one reminder now, not two
        assert send_reminders() == "1 reminders, 0 escalations"
        assert send_reminders() == "0 reminders, 0 escalations"
        at(12)  # down again past the escalation: escalate, no more reminders
        assert send_reminders() == "0 reminders, 1 escalations"
    assert len(sink.to("slow@example.com")) == 1
