"""Jobs run after commit only: inline without Redis, through a real RQ worker with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from rq import Queue

from shopadmin.core.access import system_access
from shopadmin.core.audit import AuditEntry
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.core.jobs import enqueue, get_queue
from shopadmin.extensions import db
from tests.core.jobs_fixtures import record_marker


def _markers(app: Flask) -> list[str]:
    with app.app_context(), acting_as(system_access("tests")):
        return list(db.session.scalars(sa.select(AuditEntry.target_id).where(AuditEntry.action == "test.job")))


def test_inline_job_runs_after_commit(app: Flask) -> None:
    with app.app_context():
        with unit_of_work(system_access("tests")):
            enqueue(record_marker, "committed")
            assert _markers(app) == []  # not before the commit
        assert _markers(app) == ["committed"]


def test_rollback_drops_the_job(app: Flask) -> None:
    with app.app_context():
        def fail_after_enqueue() -> None:
            with unit_of_work(system_access("tests")):
                enqueue(record_marker, "rolled-back")
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            fail_after_enqueue()
        with unit_of_work(system_access("tests")):
            pass
    assert _markers(app) == []


def test_with_redis_the_job_waits_for_a_real_worker(redis_app: Flask, redis_url: str) -> None:
    with redis_app.app_context():
        with unit_of_work(system_access("tests")):
            enqueue(record_marker, "queued")
        queue = get_queue()
        assert isinstance(queue, Queue)
        assert queue.count == 1
    assert _markers(redis_app) == []
    repo = str(Path(__file__).resolve().parents[2])  # the worker imports tests.core.jobs_fixtures
    env = {**os.environ, "SHOPADMIN_DATABASE_URL": redis_app.config["SQLALCHEMY_DATABASE_URI"],
           "SHOPADMIN_REDIS_URL": redis_url, "SHOPADMIN_SECRET_KEY": "test", "PYTHONPATH": repo}
    worker = subprocess.run(  # noqa: S603 - our own console script
        [os.path.join(os.path.dirname(sys.executable), "shopadmin"), "worker", "--burst"],
        env=env, cwd=repo, capture_output=True, text=True, timeout=120, check=False,
    )
    assert worker.returncode == 0, worker.stderr
    assert _markers(redis_app) == ["queued"], worker.stdout[-2000:]
    with redis_app.app_context():
        queue = get_queue()
        assert queue is not None
        assert queue.count == 0
