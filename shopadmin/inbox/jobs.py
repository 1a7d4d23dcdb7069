"""Jobs: process one stored message, and the sweep that catches what was left behind.

``process_message`` is idempotent: it locks the row (``FOR UPDATE SKIP LOCKED``) and only
processes a message still ``received``, so the API, a job and the sweep may all try and
the message is handled once. A crash leaves it ``received`` for the sweep; after
``MAX_ATTEMPTS`` failures it goes to review with the error, never lost.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from shopadmin.core.db import unit_of_work
from shopadmin.core.jobs import register_periodic
from shopadmin.extensions import db
from shopadmin.inbox import services
from shopadmin.inbox.models import InboxMessage, InboxStatus, ReviewState

log = logging.getLogger(__name__)


def process_message(message_id: int) -> str:
    """Process one stored message; returns its status (or ``busy`` when another job has it)."""
    try:
        access = services.worker_access()
        with unit_of_work(access) as session:
            message = session.scalars(
                sa.select(InboxMessage).where(InboxMessage.id == message_id)
                .with_for_update(skip_locked=True, of=InboxMessage)
                .execution_options(populate_existing=True)
            ).one_or_none()
            if message is None:
                return "busy"
            services.process(access, message)
            return message.status.value
    except Exception as exc:
        log.exception("inbox message %s could not be processed", message_id)
        _note_failure(message_id, exc)
        return "failed"


def _note_failure(message_id: int, exc: Exception) -> None:
    with unit_of_work(services.worker_access()) as session:
        message = session.scalars(sa.select(InboxMessage).where(InboxMessage.id == message_id)
                                  .with_for_update(of=InboxMessage)).one_or_none()
        if message is None or message.status is not InboxStatus.RECEIVED:
            return
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= services.MAX_ATTEMPTS:
            message.status = InboxStatus.REVIEW
            message.review_state = ReviewState.PENDING
            message.reason = "processing_failed"
            message.reason_text = "The worker failed on this message; a person has to read it."
            message.processed_at = services.utcnow()


def sweep(older_than_seconds: int = 30) -> int:
    """Process messages stored but not processed yet (and the spool written while the database was away)."""
    from shopadmin.inbox import spool

    spool.import_spooled()
    with unit_of_work(services.worker_access()):
        ids = services.unprocessed_ids(older_than=timedelta(seconds=older_than_seconds))
    db.session.remove()
    for message_id in ids:
        process_message(message_id)
    return len(ids)


def register_periodic_jobs(app: Flask) -> None:
    register_periodic(app, sweep, every=timedelta(minutes=1))
    if app.config.get("SHOPADMIN_INBOX_IMAP_URL"):
        from shopadmin.inbox.imap import parse_url, poll_job

        parse_url(app.config["SHOPADMIN_INBOX_IMAP_URL"])  # a wrong URL stops the app at start, not each minute
        register_periodic(app, poll_job, every=timedelta(seconds=max(5, int(app.config.get(
            "SHOPADMIN_INBOX_IMAP_EVERY") or 60))))
    if app.config.get("SHOPADMIN_REDIS_URL") and not app.testing:
        # RQ forks a work horse per job: load the language models once, in the parent.
        from shopadmin.inbox.understanding import warm_up

        warm_up()
