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
        values: dict[str, Any] = {
            "event": "order_placed", "audience": "customer", "recipient": "someone@example.com", "locale": "en",
            "subject": "Your order", "body_text": "Hello", "attempts": 1, "dedupe_key": uuid.uuid4().hex,
            "is_alert_open": status is NotificationStatus.FAILED,
            "last_error": "550 no such user" if status is NotificationStatus.FAILED else None, **fields,
        }
        row = Notification(shop_id=shop_id, status=status, **values)
        db.session.add(row)
        db.session.flush()
        return row.id


def make_template(shop_id: int, event: str = "order_placed", locale: str = "en") -> int:
    from shopadmin.notifications import services

    with unit_of_work(system_access("tests")):
        template = services.save_template(system_access("tests"), shop_id, event=event, locale=locale,
                                          subject="Order {{ order.number }}", body_text="Hello")
        return template.id


def make_settings(shop_id: int) -> int:
    from shopadmin.notifications import services

    with unit_of_work(system_access("tests")):
        return services.update_settings(system_access("tests"), shop_id, reminder_days=[2, 5]).id
