"""With a real Redis, a real RQ worker and a real SMTP server: nothing lost, nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from rq import SimpleWorker

from shopadmin.core import jobs
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db
from shopadmin.notifications import clock, services
from shopadmin.notifications.jobs import sweep
from shopadmin.notifications.models import Notification, NotificationStatus
from tests.conftest import make_app
from tests.factories import api_token, make_shop, make_user
from tests.notifications.conftest import Sink, free_port
from tests.notifications.test_inline import customer, order

pytestmark = pytest.mark.redis
PLATFORM = system_access("tests")


def smtp_config(port: int) -> dict[str, Any]:
    return {"SHOPADMIN_SMTP_HOST": "127.0.0.1", "SHOPADMIN_SMTP_PORT": port, "SHOPADMIN_MAIL_FROM": "shop@test.example"}


@pytest.fixture
def mail_app(redis_app: Flask, smtp: tuple[Sink, int]) -> Iterator[Flask]:
    redis_app.config.update(smtp_config(smtp[1]), SHOPADMIN_MAIL_RETRY_DELAYS=(1, 1))
    yield redis_app
    clock.set_now(None)


def work(app: Flask) -> None:
    """One burst of a real RQ worker (with its scheduler), in this process."""
    conn = jobs.redis_connection(app)
    assert conn is not None
    queues = [jobs.Queue(name, connection=conn) for name in app.config["SHOPADMIN_QUEUES"]]
    with app.app_context():
        SimpleWorker(queues, connection=conn).work(burst=True, with_scheduler=True)
        db.session.remove()


def rows(app: Flask) -> list[Notification]:
    with app.app_context(), unit_of_work(PLATFORM):
        found = list(db.session.scalars(sa.select(Notification).order_by(Notification.id)))
        db.session.expunge_all()
        return found


def place(app: Flask, shop_id: int, number: str = "A-1001") -> None:
    with app.app_context(), unit_of_work(PLATFORM):
        services.request_notification(PLATFORM, event="order_placed", shop_id=shop_id,
                                      payload={"order": order(number), "customer": customer()})


def test_the_worker_sends_after_commit(mail_app: Flask, smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
    place(mail_app, shop_id)
    assert sink.messages == []  # queued in Redis, not sent by the request
    assert [r.status for r in rows(mail_app)] == [NotificationStatus.QUEUED]
    work(mail_app)
    assert [(m["To"], m["Subject"]) for m in sink.messages] == [
        ("kunde@example.com", "Ihre Bestellung A-1001 bei Shop OWN")]
    assert [(r.status, r.attempts) for r in rows(mail_app)] == [(NotificationStatus.SENT, 1)]


def test_temporary_smtp_failure_is_retried_then_sent_once(mail_app: Flask, smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    sink.replies = ["451 4.3.0 try again later"]
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
    place(mail_app, shop_id)
    work(mail_app)
    [row] = rows(mail_app)
    assert (row.status, row.attempts) == (NotificationStatus.QUEUED, 1)
    assert row.last_error is not None
    assert "451" in row.last_error
    time.sleep(1.2)  # the retry delay (1 s here); RQ's scheduler then hands the job out
    work(mail_app)
    [row] = rows(mail_app)
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)
    assert len(sink.messages) == 1
    assert sink.attempts == 2


def test_permanent_failure_fails_with_reason_and_alert_then_retry(mail_app: Flask, smtp: tuple[Sink, int]) -> None:
    sink, _ = smtp
    sink.replies = ["550 5.1.1 no such mailbox"]
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        make_user("supervisor@test.example", roles={"OWN": jobs_role("supervisor")})
        make_user("csr@test.example", roles={"OWN": jobs_role("csr")})
    place(mail_app, shop_id)
    work(mail_app)
    [row] = [r for r in rows(mail_app) if r.audience == "customer"]
    assert row.status is NotificationStatus.FAILED
    assert row.attempts == 1  # no retry on 5xx
    assert row.is_alert_open
    assert "550" in (row.last_error or "")
    client = mail_app.test_client()
    listed = client.get("/api/v1/notifications?status=failed", headers=api_token(client, "csr@test.example"))
    assert listed.status_code == 200
    assert [(i["id"], i["status"]) for i in listed.get_json()["items"]] == [(row.id, "failed")]
    assert client.post(f"/api/v1/notifications/{row.id}/retry",
                       headers=api_token(client, "csr@test.example")).status_code == 403
    retried = client.post(f"/api/v1/notifications/{row.id}/retry", headers=api_token(client, "supervisor@test.example"))
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json()["status"] == "queued"
    work(mail_app)
    assert [r.status for r in rows(mail_app) if r.id == row.id] == [NotificationStatus.SENT]
    assert len(sink.to("kunde@example.com")) == 1


def jobs_role(label: str) -> Any:
    from shopadmin.core.access import Role

    return Role.parse(label)


def test_redis_down_changes_succeed_and_the_sweep_sends_later(
    mail_app: Flask, smtp: tuple[Sink, int], migrated: str
) -> None:
    sink, port = smtp
    down = make_app(migrated, SHOPADMIN_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", **smtp_config(port))
    with down.app_context():
        shop_id = make_shop(code="OWN")
    for number in ("A-1", "A-2", "A-3"):
        place(down, shop_id, number)  # the commit succeeds; handing the job to Redis fails (logged)
    with down.app_context():
        db.engine.dispose()
    assert [r.status for r in rows(mail_app)] == [NotificationStatus.QUEUED] * 3
    work(mail_app)  # Redis is back, but its queue never got the jobs
    assert sink.messages == []
    clock.set_now(clock.now() + timedelta(minutes=3))  # past the sweep's threshold
    conn = jobs.redis_connection(mail_app)
    assert conn is not None
    assert "shopadmin.notifications.jobs:sweep" in jobs.enqueue_due_periodic(mail_app, conn)
    work(mail_app)  # the sweep re-enqueues ...
    work(mail_app)  # ... and the deliveries run
    assert sorted(m["Subject"] for m in sink.messages) == [f"Ihre Bestellung A-{n} bei Shop OWN" for n in (1, 2, 3)]
    assert {r.status for r in rows(mail_app)} == {NotificationStatus.SENT}
    # A second sweep finds nothing left: each mail went out once.
    with mail_app.app_context():
        assert sweep() == 0


def test_worker_killed_mid_job_sends_once(mail_app: Flask, smtp: tuple[Sink, int], redis_url: str) -> None:
    sink, port = smtp
    sink.hold = threading.Event()
    sink.replies = ["421 4.4.2 connection dropped"]  # what the held (killed) attempt would get
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
    place(mail_app, shop_id)
    env = {**os.environ, "SHOPADMIN_DATABASE_URL": mail_app.config["SQLALCHEMY_DATABASE_URI"],
           "SHOPADMIN_REDIS_URL": redis_url, "SHOPADMIN_SECRET_KEY": "test", "SHOPADMIN_SMTP_HOST": "127.0.0.1",
           "SHOPADMIN_SMTP_PORT": str(port)}
    worker = subprocess.Popen(  # noqa: S603 - our own console script
        [os.path.join(os.path.dirname(sys.executable), "shopadmin"), "worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while sink.attempts == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sink.attempts == 1, "the worker never reached the SMTP server"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse, mid-send
        worker.wait(timeout=10)
    sink.hold.set()
    time.sleep(0.3)
    [row] = rows(mail_app)
    assert row.status is NotificationStatus.QUEUED  # its transaction died with the process
    clock.set_now(clock.now() + timedelta(minutes=3))
    with mail_app.app_context():
        assert sweep() == 1
    work(mail_app)
    assert len(sink.messages) == 1
    [row] = rows(mail_app)
    assert row.status is NotificationStatus.SENT
