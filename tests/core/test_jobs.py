"""Jobs run after commit only: inline without Redis, through a real RQ worker with it."""

from __future__ import annotations

from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from rq import Queue

from shopadmin.core.access import system_access
from shopadmin.core.audit import AuditEntry
from shopadmin.core.db import acting_as, after_commit_mark, drop_after_commit_since, unit_of_work
from shopadmin.core.jobs import enqueue, get_queue
from shopadmin.extensions import db
from tests.conftest import run_worker_burst
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


def test_a_released_savepoint_is_not_the_commit(app: Flask) -> None:
    # SQLAlchemy fires after_commit on RELEASE SAVEPOINT too; the job must still wait.
    with app.app_context():
        with unit_of_work(system_access("tests")):
            with db.session.begin_nested():
                enqueue(record_marker, "in-a-savepoint")
            assert _markers(app) == []
        assert _markers(app) == ["in-a-savepoint"]


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
    worker = run_worker_burst(redis_app, redis_url)
    assert worker.returncode == 0, worker.stderr
    assert _markers(redis_app) == ["queued"], worker.stdout[-2000:]
    with redis_app.app_context():
        queue = get_queue()
        assert queue is not None
        assert queue.count == 0


def _enqueue_then_fail(label: str) -> None:
    with unit_of_work(system_access("tests")):
        enqueue(record_marker, label)
        raise RuntimeError("boom")


def test_each_transaction_dispatches_its_own_jobs_once(app: Flask) -> None:
    with app.app_context():
        with unit_of_work(system_access("tests")):
            enqueue(record_marker, "first")
            enqueue(record_marker, "second")
        with pytest.raises(RuntimeError):
            _enqueue_then_fail("rolled-back")
        with unit_of_work(system_access("tests")):
            enqueue(record_marker, "third")
    assert sorted(_markers(app)) == ["first", "second", "third"]


def test_a_transactions_jobs_reach_redis_in_one_pipeline(redis_app: Flask, redis_url: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Three jobs on two queues: one round trip, and a real worker runs each exactly once.

    Round trips are counted on the client (the real redis-py calls, observed): the server's
    own counters also see every other suite using the same Redis.
    """
    round_trips: list[str] = []
    original_execute = redis.client.Pipeline.execute
    original_command = redis.Redis.execute_command

    def counted_execute(self: redis.client.Pipeline, *args: Any, **kwargs: Any) -> Any:
        round_trips.append(f"pipeline of {len(self.command_stack)}")
        return original_execute(self, *args, **kwargs)

    def counted_command(self: redis.Redis, *args: Any, **kwargs: Any) -> Any:
        round_trips.append(str(args[0]))
        return original_command(self, *args, **kwargs)

    with redis_app.app_context():
        monkeypatch.setattr(redis.client.Pipeline, "execute", counted_execute)
        monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
        with unit_of_work(system_access("tests")):
            for label in ("a", "b"):
                enqueue(record_marker, label)
            enqueue(record_marker, "mail", queue="mail")
        monkeypatch.undo()
        # One pipeline for the three jobs; RQ may ask the server's version (INFO) once.
        assert [trip for trip in round_trips if trip != "INFO"] == ["pipeline of 11"], round_trips
        assert get_queue().count == 2  # type: ignore[union-attr]
        assert get_queue("mail").count == 1  # type: ignore[union-attr]
    worker = run_worker_burst(redis_app, redis_url)
    assert worker.returncode == 0, worker.stderr
    assert sorted(_markers(redis_app)) == ["a", "b", "mail"], worker.stdout[-2000:]


@pytest.mark.parametrize("before_mark", [True, False])
def test_jobs_asked_for_after_a_rolled_back_savepoint_mark_are_dropped(app: Flask, before_mark: bool) -> None:
    """Imports roll back a savepoint on a dry run; its jobs go, earlier and later ones stay."""
    with app.app_context(), unit_of_work(system_access("tests")):
        if before_mark:
            enqueue(record_marker, "before")
        mark = after_commit_mark()
        enqueue(record_marker, "dropped")
        drop_after_commit_since(mark)
        enqueue(record_marker, "after")
    assert sorted(_markers(app)) == (["after", "before"] if before_mark else ["after"])
