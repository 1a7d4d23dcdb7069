"""Sent mails in the customer's and the order's activity history.

The outbox itself is the email log (``GET /api/v1/notifications?order_id=`` or
``?customer_id=``). A sent customer mail is also written to the customer's timeline as an
``email`` activity (regarding its order), through the customers domain's service when it
offers one, else as the ``email`` activity row that domain reserves for us.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from shopadmin.core.access import system_access
from shopadmin.extensions import db
from shopadmin.notifications.models import Notification

log = logging.getLogger(__name__)


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def record_sent(row: Notification) -> None:
    if row.customer_id is None or row.audience != "customer":
        return
    services = _module("shopadmin.customers.activities")
    recorder = getattr(services, "record_email_activity", None) if services else None
    if recorder is not None:
        recorder(system_access("mail"), customer_id=row.customer_id, order_id=row.order_id, subject=row.subject,
                 recipient=row.recipient, sent_at=row.sent_at, notification_id=row.id, shop_id=row.shop_id)
        return
    models = _module("shopadmin.customers.models")
    activity = getattr(models, "CustomerActivity", None) if models else None
    if activity is None:
        return
    db.session.add(activity(
        customer_id=row.customer_id, shop_id=row.shop_id, kind=models.ActivityKind.EMAIL,
        subject=row.subject[:200], body=f"To {row.recipient} · notification {row.id}",
        order_id=row.order_id, actor="system:mail", created_at=row.sent_at,
    ))
