"""A sent customer mail lands in the customer's timeline (group_key and all)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as, unit_of_work, utcnow
from shopadmin.customers.models import ActivityKind, CustomerActivity
from shopadmin.extensions import db
from shopadmin.notifications.history import record_sent
from shopadmin.notifications.models import Notification, NotificationStatus
from tests.customers.factories import make_customer
from tests.factories import make_shop
from tests.notifications.factories import make_notification


def test_sent_mail_is_written_to_the_customer_timeline(app: Flask) -> None:
    with app.app_context():
        shop_id = make_shop(code="OWN")
        customer_id = make_customer("OWN", "emma@example.com")
        row_id = make_notification(shop_id, status=NotificationStatus.SENT, customer_id=customer_id,
                                   subject="Your order OWN-000001", recipient="emma@example.com")
        with unit_of_work(system_access("tests")):
            row = db.session.scalars(sa.select(Notification).where(Notification.id == row_id)).one()
            row.sent_at = utcnow()
            record_sent(row)
        with acting_as(system_access("tests")):
            activity = db.session.scalars(sa.select(CustomerActivity)
                                          .where(CustomerActivity.kind == ActivityKind.EMAIL)).one()
            assert activity.customer_id == customer_id
            assert activity.subject == "Your order OWN-000001"
            assert activity.group_key
            assert activity.shop_id == shop_id
            assert "emma@example.com" in activity.body
