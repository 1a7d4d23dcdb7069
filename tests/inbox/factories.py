"""Inbox data for the access matrix, made through the services."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.inbox import services
from shopadmin.inbox.models import InboxStatus, ReviewState

PLATFORM = system_access("tests")
_counter = itertools.count()


def fresh_mail(app: Flask, shop: str) -> bytes:
    n = next(_counter)
    return (f"From: someone{n}@example.net\r\nTo: service@{shop.lower()}.example\r\nSubject: Hello {n}\r\n"
            f"Message-ID: <matrix-{n}@example.net>\r\n\r\nJust saying hello.\r\n").encode()


def matrix_records(app: Flask, shop: str, records: dict[str, Any]) -> dict[str, Any]:
    """A message of ``shop`` waiting for review, about the matrix order."""
    with app.app_context(), unit_of_work(PLATFORM):
        message, _ = services.intake(PLATFORM, fresh_mail(app, shop), source="tests", shop_code=shop,
                                     process_after_commit=False)
        # Test data: a message as the worker leaves it when it is unsure.
        message.status = InboxStatus.REVIEW
        message.review_state = ReviewState.PENDING
        message.order_id = records.get("order_id")
        message.changes = [{"type": "status"}]
        return {"inbox_message_id": message.id}
