"""Shipped default templates in every language, and the cron sweep for inline mode."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db
from shopadmin.notifications import clock, rendering, services
from shopadmin.notifications.events import EVENTS
from shopadmin.notifications.models import Notification, NotificationStatus
from tests.factories import make_shop
from tests.notifications.conftest import Sink
from tests.notifications.factories import make_notification
from tests.notifications.test_inline import mail_app  # noqa: F401 - fixture


@pytest.mark.parametrize("locale", ["en", "de", "fr"])
@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_event_has_a_default_that_renders(ctx: Flask, event: str, locale: str) -> None:
    source = rendering.default_source(event, locale)
    assert source is not None, f"no {locale} default for {event}"
    shop_id = make_shop(code="OWN", locale=locale)
    with unit_of_work(system_access("tests")):
        mail = services.preview(system_access("tests"), shop_id, event=event, locale=locale, source=source)
    assert mail.subject
    assert mail.text.strip()


def test_cli_sweep_sends_what_inline_mode_left_queued(mail_app: Flask, smtp: tuple[Sink, int]) -> None:  # noqa: F811
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        stuck = make_notification(shop_id, status=NotificationStatus.QUEUED, recipient="late@example.com",
                                  subject="Still here", dispatched_at=clock.now() - timedelta(minutes=10),
                                  next_attempt_at=clock.now() - timedelta(minutes=10), attempts=0)
    result = mail_app.test_cli_runner().invoke(args=["notifications", "sweep"])
    assert result.exit_code == 0, result.output
    assert "outbox: 1 notifications handed out again" in result.output
    assert "reminders:" in result.output
    assert [(m["To"], m["Subject"]) for m in sink.messages] == [("late@example.com", "Still here")]
    again = mail_app.test_cli_runner().invoke(args=["notifications", "sweep", "--no-reminders"])
    assert "outbox: 0 notifications" in again.output
    assert len(sink.messages) == 1
    with mail_app.app_context():
        row = db.session.scalars(sa.select(Notification).where(Notification.id == stuck)
                                 .execution_options(all_shops=True)).one()
        assert row.status is NotificationStatus.SENT
