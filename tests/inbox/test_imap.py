"""IMAP intake against a real IMAP server (pymap): stored first, flagged or moved after, never twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from flask import Flask

from shopadmin.core import jobs
from shopadmin.core.access import system_access
from shopadmin.extensions import db
from shopadmin.inbox.imap import ImapError, parse_url, poll
from tests.inbox.conftest import mail, make_order, order_state_and_versions, stored_messages
from tests.inbox.imap_server import ImapServer, free_port

PLATFORM = system_access("tests")


def test_poll_stores_processes_then_flags_and_never_twice(
    app: Flask, app_factory: Callable[..., Flask], inbox_world: dict[str, Any], imap_server: ImapServer
) -> None:
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["ann"], [("STD-1", 2)])
    cancel = mail(sender="ann@example.com", subject=f"Order {number}", body=f"Please cancel my order {number}.",
                  message_id="<cancel-1@customer.example>")
    imap_server.append(cancel)
    imap_server.append(mail(sender="eve@evil.example", subject="hi", body="hello", message_id="<eve@x.example>"))
    imap_server.append(b"\x00\x01 binary junk")
    polling = app_factory(SHOPADMIN_INBOX_IMAP_URL=imap_server.url)
    runner = polling.test_cli_runner()

    result = runner.invoke(args=["inbox", "poll"])
    assert result.exit_code == 0, result.output
    assert "Fetched 3 message(s): 3 stored, 0 duplicate(s) ignored, 0 kept on disk" in result.output
    stored = stored_messages(app)
    assert [(s, st) for _, s, st in stored] == [("imap", "applied"), ("imap", "unmatched"), ("imap", "rejected")]
    state, versions = order_state_and_versions(app, order_id)
    assert state == "cancelled"
    assert imap_server.uids("UNSEEN") == []  # flagged only now that they are stored
    assert len(imap_server.uids("ALL")) == 3

    assert "Fetched 0 message(s)" in runner.invoke(args=["inbox", "poll"]).output

    # The same mail again (the sender retried, or a crash came between the commit and the flag):
    # fetched, recognised by its Message-ID, flagged, not processed a second time.
    imap_server.append(cancel)
    result = runner.invoke(args=["inbox", "poll"])
    assert "Fetched 1 message(s): 0 stored, 1 duplicate(s) ignored" in result.output
    assert stored_messages(app) == stored
    assert order_state_and_versions(app, order_id) == (state, versions)
    assert imap_server.uids("UNSEEN") == []


def test_poll_moves_to_a_folder_when_configured(
    app: Flask, app_factory: Callable[..., Flask], inbox_world: dict[str, Any], imap_server: ImapServer
) -> None:
    imap_server.create("Processed")
    for n in range(3):
        imap_server.append(mail(sender="bob@example.com", subject=f"Question {n}", body="Do you ship to Spain?"))
    polling = app_factory(SHOPADMIN_INBOX_IMAP_URL=imap_server.url, SHOPADMIN_INBOX_IMAP_MOVE_TO="Processed",
                          SHOPADMIN_INBOX_IMAP_BATCH=2)
    with polling.app_context():
        first = poll()
        assert (first.fetched, first.stored) == (2, 2)  # the batch limit
        assert len(imap_server.uids(mailbox="INBOX")) == 1
        second = poll()
        assert (second.fetched, second.stored) == (1, 1)
    assert imap_server.uids(mailbox="INBOX") == []
    assert len(imap_server.uids(mailbox="Processed")) == 3
    assert len(stored_messages(app)) == 3


def test_poll_errors_are_clear(app: Flask, app_factory: Callable[..., Flask], imap_server: ImapServer) -> None:
    result = app.test_cli_runner().invoke(args=["inbox", "poll"])
    assert result.exit_code == 1
    assert "IMAP intake is not configured (SHOPADMIN_INBOX_IMAP_URL)" in result.output
    wrong = imap_server.url.replace("s3cret%20p%40ss", "wrong")
    result = app_factory(SHOPADMIN_INBOX_IMAP_URL=wrong).test_cli_runner().invoke(args=["inbox", "poll"])
    assert result.exit_code == 1
    assert "cannot sign in to imap://service@127.0.0.1" in result.output
    assert "wrong" not in result.output  # never the password
    missing = imap_server.url.replace("/INBOX", "/Nope")
    result = app_factory(SHOPADMIN_INBOX_IMAP_URL=missing).test_cli_runner().invoke(args=["inbox", "poll"])
    assert result.exit_code == 1
    assert "SELECT Nope" in result.output
    closed = f"imap://service:x@127.0.0.1:{free_port()}/INBOX"
    result = app_factory(SHOPADMIN_INBOX_IMAP_URL=closed).test_cli_runner().invoke(args=["inbox", "poll"])
    assert result.exit_code == 1
    assert "cannot connect to imap://service@127.0.0.1" in result.output
    with pytest.raises(ValueError, match="imaps://"):
        parse_url("pop3://u:p@host/INBOX")
    with pytest.raises(ValueError, match="imaps://"):
        app_factory(SHOPADMIN_INBOX_IMAP_URL="http://host")
    settings = parse_url("imaps://a%40b.example:p%3Ass@mail.example/Shop%20Mail")
    assert (settings.user, settings.password, settings.port, settings.mailbox) == (
        "a@b.example", "p:ss", 993, "Shop Mail")
    assert isinstance(ImapError("x"), Exception)


def test_the_periodic_job_polls_through_a_real_worker(
    app: Flask, app_factory: Callable[..., Flask], inbox_world: dict[str, Any], imap_server: ImapServer,
    redis_url: str
) -> None:
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["max"], [("STD-2", 1)])
    imap_server.append(mail(sender="max.mueller@example.de", subject=number,
                            body=f"Bitte stornieren Sie meine Bestellung {number}."))
    worker_app = app_factory(SHOPADMIN_INBOX_IMAP_URL=imap_server.url, SHOPADMIN_REDIS_URL=redis_url,
                             SHOPADMIN_INBOX_IMAP_EVERY=30)
    assert not any(p.task.endswith("poll_job") for p in app.extensions[jobs.PERIODIC_KEY])
    conn = jobs.redis_connection(worker_app)
    assert conn is not None
    try:
        assert "shopadmin.inbox.imap:poll_job" in jobs.enqueue_due_periodic(worker_app, conn)
        assert "shopadmin.inbox.imap:poll_job" not in jobs.enqueue_due_periodic(worker_app, conn)  # once per interval
        with worker_app.app_context():
            jobs.run_worker(worker_app, burst=True)  # the poll, then the processing it enqueued
            db.session.remove()
        assert [(s, st) for _, s, st in stored_messages(app)] == [("imap", "applied")]
        assert order_state_and_versions(app, order_id)[0] == "cancelled"
        assert imap_server.uids("UNSEEN") == []
    finally:
        redis.Redis.from_url(redis_url).flushdb()
