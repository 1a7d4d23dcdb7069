"""RQ jobs: deliver one notification, sweep the outbox, send reminders and escalate.

Every job is idempotent. ``deliver`` locks its row (``FOR UPDATE SKIP LOCKED``) and sends
only a row that is still ``queued``, so a job that runs twice, or next to a copy the
sweep enqueued, sends once; a worker killed mid-send leaves the row queued (its
transaction dies with it) and the sweep hands it out again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.jobs import register_periodic
from shopadmin.extensions import db
from shopadmin.notifications import mailer, sendtime
from shopadmin.notifications.clock import now
from shopadmin.notifications.models import Notification, NotificationSettings, NotificationStatus

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS = (30, 120, 600, 1800, 7200)  # seconds between attempts
DEFAULT_SWEEP_AFTER = 120  # a queued row untouched this long is handed out again
SWEEP_BATCH = 500
MAIL_QUEUE = "mail"


def _retry_delays() -> tuple[int, ...]:
    return tuple(current_app.config.get("SHOPADMIN_MAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


def _fail(row: Notification, reason: str) -> None:
    row.status = NotificationStatus.FAILED
    row.last_error = reason[:2000]
    row.is_alert_open = True
    log.warning("notification %s to %s failed: %s", row.id, row.recipient, reason)


def deliver(notification_id: int) -> str:
    """Send one queued notification. Returns what happened (for logs and tests)."""
    from shopadmin.notifications.history import record_sent
    from shopadmin.notifications.services import schedule_delivery

    config = current_app.config
    with unit_of_work(system_access("mail")) as session:
        row = session.scalars(
            sa.select(Notification)
            .where(Notification.id == notification_id)
            .with_for_update(skip_locked=True, of=Notification)
        ).one_or_none()
        if row is None:
            return "busy"  # another job holds it (or it is gone)
        if row.status is not NotificationStatus.QUEUED:
            return "skipped"
        if row.body_text is None and row.body_html is None:
            _fail(row, "The body was deleted by the retention setting before it was sent.")
            return "failed"
        text, html = sendtime.fill(row)  # secrets (a reset link) go into the mail only, never into the row
        message = mailer.build_message(
            sender=config["SHOPADMIN_MAIL_FROM"], to=row.recipient, subject=row.subject, text=text,
            html=html, locale=row.locale, message_id=row.dedupe_key,
        )
        thread = (row.payload or {}).get("in_reply_to")
        if isinstance(thread, str) and thread.startswith("<") and "\n" not in thread and len(thread) < 250:
            # An answer to a customer's mail (the inbox worker): keep it in their thread.
            message["In-Reply-To"] = thread
            message["References"] = thread
        row.attempts += 1
        try:
            mailer.send(message, host=config["SHOPADMIN_SMTP_HOST"], port=int(config["SHOPADMIN_SMTP_PORT"]))
        except mailer.TemporaryFailure as exc:
            delays = _retry_delays()
            if row.attempts > len(delays):
                _fail(row, f"Gave up after {row.attempts} attempts: {exc}")
                return "failed"
            delay = timedelta(seconds=delays[row.attempts - 1])
            row.last_error = str(exc)[:2000]
            row.next_attempt_at = now() + delay
            row.dispatched_at = row.next_attempt_at
            schedule_delivery(row.id, delay=delay)
            return "retry"
        except mailer.PermanentFailure as exc:
            _fail(row, str(exc))
            return "failed"
        row.status = NotificationStatus.SENT
        row.sent_at = now()
        row.last_error = None
        try:
            with session.begin_nested():
                record_sent(row)
        except Exception:  # the mail is out: a history hiccup must not make it go out again
            log.exception("notification %s sent, but not written to the activity history", row.id)
        return "sent"


def sweep() -> int:
    """Hand out again what is still queued past its time (Redis was down, a worker died)."""
    from shopadmin.notifications.services import schedule_delivery

    stale = timedelta(seconds=int(current_app.config.get("SHOPADMIN_MAIL_SWEEP_AFTER", DEFAULT_SWEEP_AFTER)))
    moment = now()
    with unit_of_work(system_access("mail-sweep")) as session:
        rows = session.scalars(
            sa.select(Notification)
            .where(
                Notification.status == NotificationStatus.QUEUED,
                Notification.next_attempt_at <= moment,
                sa.or_(Notification.dispatched_at.is_(None), Notification.dispatched_at <= moment - stale),
            )
            .order_by(Notification.id)
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True, of=Notification)
        ).all()
        for row in rows:
            row.dispatched_at = moment
            schedule_delivery(row.id)
        count = len(rows)
    if count:
        log.info("outbox sweep re-enqueued %d notifications", count)
    purge_bodies()
    return count


def purge_bodies() -> int:
    """Delete the bodies of mails older than their shop's retention (who, when, subject stay)."""
    moment = now()
    purged = 0
    with unit_of_work(system_access("mail-retention")):
        settings = db.session.scalars(
            sa.select(NotificationSettings).where(NotificationSettings.retention_days.is_not(None))
        ).all()
        for item in settings:
            cutoff = moment - timedelta(days=int(item.retention_days or 0))
            result = db.session.execute(
                sa.update(Notification)
                .where(Notification.shop_id == item.shop_id, Notification.created_at < cutoff,
                       Notification.status != NotificationStatus.QUEUED, Notification.bodies_purged_at.is_(None))
                .values(body_text=None, body_html=None, bodies_purged_at=moment)
                .execution_options(synchronize_session=False)
            )
            purged += int(getattr(result, "rowcount", 0) or 0)
    return purged


def send_reminders() -> str:
    """Reminders and escalations due now (idempotent: see ``notifications.reminders``)."""
    from shopadmin.notifications import reminders

    access = system_access("reminders")
    with unit_of_work(access):
        result = reminders.run(access, now())
    if result.reminders or result.escalations:
        log.info("reminders: %d sent, %d orders escalated", result.reminders, result.escalations)
    return f"{result.reminders} reminders, {result.escalations} escalations"


def register_periodic_jobs(app: Flask) -> None:
    """On the workers (``shopadmin worker``): the outbox sweep every minute, reminders every 10."""
    every = timedelta(seconds=int(app.config.get("SHOPADMIN_MAIL_SWEEP_EVERY", 60)))
    register_periodic(app, sweep, every=every, queue=MAIL_QUEUE)
    reminders_every = timedelta(seconds=int(app.config.get("SHOPADMIN_REMINDERS_EVERY", 600)))
    register_periodic(app, send_reminders, every=reminders_every, queue=MAIL_QUEUE)
