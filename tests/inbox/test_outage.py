"""The database or Redis away: the raw mail is kept (disk spool, or the stored row) and
processed once when they are back. Real outages: a database URL on a closed port, a Redis
URL on a closed port; no mocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from shopadmin.core.access import system_access
from tests.factories import api_token
from tests.inbox.conftest import mail, make_order, order_state_and_versions, stored_messages
from tests.inbox.imap_server import ImapServer, free_port

PLATFORM = system_access("tests")


def _down_url() -> str:
    return f"postgresql+psycopg://root@127.0.0.1:{free_port()}/shopadmin_gone?connect_timeout=2"


def test_database_down_imap_mail_is_spooled_then_stored_and_applied_once(
    app: Flask, app_factory: Callable[..., Flask], inbox_world: dict[str, Any], imap_server: ImapServer,
    tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["ann"], [("STD-1", 2)])
    before = order_state_and_versions(app, order_id)
    cancel = mail(sender="ann@example.com", subject=f"Order {number}", body=f"Please cancel my order {number}.",
                  message_id="<outage-1@customer.example>")
    imap_server.append(cancel)

    down = app_factory(SQLALCHEMY_DATABASE_URI=_down_url(), SHOPADMIN_INBOX_IMAP_URL=imap_server.url,
                       SHOPADMIN_INBOX_SPOOL=str(spool_dir))
    result = down.test_cli_runner().invoke(args=["inbox", "poll"])
    assert result.exit_code == 0, result.output
    assert "Fetched 1 message(s): 0 stored, 0 duplicate(s) ignored, 1 kept on disk" in result.output
    assert [p.read_bytes().replace(b"\r\n", b"\n") for p in spool_dir.glob("*.eml")] == [cancel]
    assert imap_server.uids("UNSEEN") == []  # safe on disk, so the mailbox may let it go
    # The sweep cannot store it while the database is still away: the file stays.
    assert down.test_cli_runner().invoke(args=["inbox", "sweep"]).exit_code != 0
    assert len(list(spool_dir.glob("*.eml"))) == 1

    up = app_factory(SHOPADMIN_INBOX_SPOOL=str(spool_dir))
    runner = up.test_cli_runner()
    result = runner.invoke(args=["inbox", "sweep"])
    assert result.exit_code == 0, result.output
    assert "Stored 1 message(s) kept on disk" in result.output
    assert list(spool_dir.iterdir()) == []
    assert stored_messages(app) == [("<outage-1@customer.example>", "imap", "applied")]
    state, versions = order_state_and_versions(app, order_id)
    assert (state, versions) == ("cancelled", before[1] + 1)

    # Spooled again (the IMAP flag was lost and the database went away once more): stored once only.
    with up.app_context():
        from shopadmin.inbox import spool

        spool.spool(cancel, "imap")
    assert "Stored 1 message(s) kept on disk; processed 0" in runner.invoke(args=["inbox", "sweep"]).output
    assert stored_messages(app) == [("<outage-1@customer.example>", "imap", "applied")]
    assert order_state_and_versions(app, order_id) == (state, versions)


def test_a_refused_spool_file_does_not_block_the_others(
    app: Flask, app_factory: Callable[..., Flask], inbox_world: dict[str, Any], tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    (spool_dir / "0000-empty.api.eml").write_bytes(b"")
    (spool_dir / "0001-junk.api.eml").write_bytes(b"\x00\xff junk")
    (spool_dir / "0002-mail.api.eml").write_bytes(
        mail(sender="bob@example.com", subject="Hello", body="Do you ship to Spain?"))
    up = app_factory(SHOPADMIN_INBOX_SPOOL=str(spool_dir))
    result = up.test_cli_runner().invoke(args=["inbox", "sweep"])
    assert "Stored 2 message(s) kept on disk" in result.output, result.output
    assert sorted(p.name for p in spool_dir.iterdir()) == ["0000-empty.api.refused"]
    assert sorted(status for _, _, status in stored_messages(app)) == ["rejected", "unmatched"]


def test_database_down_api_answers_503_in_the_contract_shape(
    app: Flask, app_factory: Callable[..., Flask], inbox_world: dict[str, Any], tmp_path: Path
) -> None:
    headers = api_token(app.test_client(), "csr@test.example")
    down = app_factory(SQLALCHEMY_DATABASE_URI=_down_url(), SHOPADMIN_INBOX_SPOOL=str(tmp_path / "spool"))
    response = down.test_client().post("/api/v1/inbox/messages", data=mail(sender="ann@example.com", subject="x",
                                                                            body="Where is my order?"),
                                       content_type="message/rfc822", headers=headers)
    # The caller cannot even be authenticated: nothing is kept for an unknown caller (the
    # spool would be a way to fill the disk), the answer tells the sender to retry.
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "unavailable"
    assert response.headers.get("Retry-After")


def test_redis_down_the_message_is_stored_and_the_sweep_processes_it(
    app: Flask, app_factory: Callable[..., Flask], inbox_world: dict[str, Any], tmp_path: Path
) -> None:
    with app.app_context():
        order_id, number = make_order(inbox_world["customers"]["max"], [("STD-2", 1)])
    before = order_state_and_versions(app, order_id)
    path = tmp_path / "one.eml"
    path.write_bytes(mail(sender="max.mueller@example.de", subject=number,
                          body=f"Bitte stornieren Sie meine Bestellung {number}.", message_id="<redis-down@x.de>"))
    down = app_factory(SHOPADMIN_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    result = down.test_cli_runner().invoke(args=["inbox", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Stored 1 message(s), 0 duplicate(s) ignored: received 1." in result.output  # the job could not be queued
    assert order_state_and_versions(app, order_id) == before

    result = app.test_cli_runner().invoke(args=["inbox", "sweep"])  # the queue is back (here: inline)
    assert "processed 1 message(s)" in result.output, result.output
    assert stored_messages(app) == [("<redis-down@x.de>", "cli", "applied")]
    state, versions = order_state_and_versions(app, order_id)
    assert (state, versions) == ("cancelled", before[1] + 1)
    assert "processed 0 message(s)" in app.test_cli_runner().invoke(args=["inbox", "sweep"]).output
    assert order_state_and_versions(app, order_id) == (state, versions)
