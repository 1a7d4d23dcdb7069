"""Outbox rows for tests that need one without sending anything."""

from __future__ import annotations

import uuid
from typing import Any

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db
from shopadmin.notifications.models import Notification, NotificationStatus


def make_notification(shop_id: int, *, status: NotificationStatus = NotificationStatus.FAILED,
                      **fields: Any) -> int:
    with unit_of_work(system_access("tests")):
        row = Notification(
            shop_id=shop_id, event="order_placed", audience="customer", recipient="someone@example.com",
            locale="en", subject="Your order", body_text="Hello", status=status, attempts=1,
            dedupe_key=uuid.uuid4().hex, is_alert_open=status is NotificationStatus.FAILED,
            last_error="550 no such user" if status is NotificationStatus.FAILED else None, **fields,
        )
        db.session.add(row)
        db.session.flush()
        return row.id
