"""Background work: enqueued only after the transaction that asked for it commits.

``enqueue(task, *args)`` registers the task with the current session. After commit it
goes to RQ when ``SHOPADMIN_REDIS_URL`` is set, or runs in-process (in a fresh app
context and session) when it is not. A rollback drops it. Tasks are plain functions
named by their import path; they receive ids, never ORM objects, and build their own
access context (usually ``system_access``).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Retry, Worker

from shopadmin.core.db import after_commit_batch

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
JOBS_BATCH = "shopadmin.jobs"

# Set by ``shopadmin worker`` before forking, so jobs run inside that app.
_worker_app: Flask | None = None


@dataclass(frozen=True)
class JobRequest:
    task: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    queue: str = DEFAULT_QUEUE
    retry: Retry | None = None
    job_id: str | None = None
    # Run no earlier than this after the commit (RQ's scheduler). Inline mode cannot wait:
    # a delayed job is skipped there and must be picked up by a sweep of its own.
    delay: timedelta | None = None


def task_path(func: Callable[..., Any]) -> str:
    return f"{func.__module__}:{func.__qualname__}"


def resolve(path: str) -> Callable[..., Any]:
    module_name, _, attr = path.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def redis_connection(app: Flask | None = None) -> Redis | None:
    app = app or current_app
    url = app.config.get("SHOPADMIN_REDIS_URL")
    if not url:
        return None
    conn = app.extensions.get("shopadmin.redis")
    if conn is None:
        conn = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30)
        app.extensions["shopadmin.redis"] = conn
    return conn


def get_queue(name: str = DEFAULT_QUEUE, app: Flask | None = None) -> Queue | None:
    conn = redis_connection(app)
    return Queue(name, connection=conn) if conn is not None else None


def enqueue(
    func: Callable[..., Any],
    *args: Any,
    queue: str = DEFAULT_QUEUE,
    retry: Retry | None = None,
    job_id: str | None = None,
    delay: timedelta | None = None,
    **kwargs: Any,
) -> JobRequest:
    """Run ``func(*args, **kwargs)`` after the current transaction commits."""
    request = JobRequest(task_path(func), args, kwargs, queue, retry, job_id, delay)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit_batch(JOBS_BATCH, request, lambda requests: dispatch_many(app, requests))
    return request


def dispatch_many(app: Flask, requests: list[JobRequest]) -> None:
    """Hand a transaction's jobs over: to RQ in one Redis pipeline, or one by one inline."""
    conn = redis_connection(app)
    pipelined = [r for r in requests if conn is not None and not r.delay]
    if len(pipelined) < 2:
        pipelined = []  # one job gains nothing from a pipeline
    in_pipeline = {id(r) for r in pipelined}
    for request in requests:
        if id(request) in in_pipeline:
            continue
        try:
            dispatch(app, request)
        except Exception:  # the data is committed; one failed job must not stop the others
            log.exception("dispatching %s failed", request.task)
    if conn is None or not pipelined:
        return
    by_queue: dict[str, list[Any]] = {}
    for request in pipelined:
        by_queue.setdefault(request.queue, []).append(Queue.prepare_data(run_task, **_job_options(request)))
    try:
        pipe = conn.pipeline()
        for name, jobs in by_queue.items():
            Queue(name, connection=conn).enqueue_many(jobs, pipeline=pipe)
        pipe.execute()
    except Exception:  # as above; the sweeps pick up what did not reach the queue
        log.exception("dispatching %d jobs failed", len(pipelined))


def dispatch(app: Flask, request: JobRequest) -> None:
    """Hand a job to RQ, or run it inline when there is no Redis."""
    queue = get_queue(request.queue, app)
    if queue is None:
        if request.delay:
            log.info("inline mode cannot delay %s; left to its sweep", request.task)
            return
        with app.app_context():
            run_task(request.task, *request.args, **request.kwargs)
        return
    if request.delay:
        job = queue.create_job(run_task, **_job_options(request))
        queue.schedule_job(job, datetime.now(UTC) + request.delay)
        return
    queue.enqueue_call(run_task, **_job_options(request))


def _job_options(request: JobRequest) -> dict[str, Any]:
    """How RQ gets a request: every job runs ``run_task`` with the task's import path."""
    return {
        "args": (request.task, *request.args),
        "kwargs": request.kwargs,
        "retry": request.retry,
        "job_id": request.job_id,
        "description": request.task,
    }


def run_task(task: str, *args: Any, **kwargs: Any) -> Any:
    """The entry point of every job: inside an app context, with a clean session."""
    from shopadmin.extensions import db

    if has_app_context():
        return resolve(task)(*args, **kwargs)
    app = _worker_app
    if app is None:
        from shopadmin.app import create_app

        app = create_app()
    with app.app_context():
        # A forked work horse must not reuse the parent's pooled connections.
        db.engine.dispose(close=False)
        return resolve(task)(*args, **kwargs)


@dataclass(frozen=True)
class Periodic:
    task: str
    every: timedelta
    queue: str = DEFAULT_QUEUE


PERIODIC_KEY = "shopadmin.periodic"


def register_periodic(app: Flask, func: Callable[..., Any], *, every: timedelta, queue: str = DEFAULT_QUEUE) -> None:
    """Have the workers enqueue ``func()`` every ``every`` (once across all workers)."""
    app.extensions.setdefault(PERIODIC_KEY, []).append(Periodic(task_path(func), every, queue))


def enqueue_due_periodic(app: Flask, conn: Redis) -> list[str]:
    """Enqueue each periodic task whose interval has passed; a Redis key with a TTL is the timer.

    The key is shared by every worker, so a task runs once per interval however many
    workers there are, and goes on running when one of them dies. The tasks catch up by
    themselves (they look at the database, not at how often they ran).
    """
    enqueued = []
    for periodic in app.extensions.get(PERIODIC_KEY, []):
        ttl_ms = max(1000, int(periodic.every.total_seconds() * 1000))
        if conn.set(f"shopadmin:periodic:{periodic.task}", "1", nx=True, px=ttl_ms):
            Queue(periodic.queue, connection=conn).enqueue_call(
                run_task, args=(periodic.task,), description=periodic.task, result_ttl=0
            )
            enqueued.append(periodic.task)
    return enqueued


def _periodic_loop(app: Flask, conn: Redis, stop: threading.Event, tick: float = 5.0) -> None:
    while not stop.wait(tick):
        try:
            enqueue_due_periodic(app, conn)
        except Exception:  # Redis away for a moment: try again on the next tick
            log.exception("periodic tasks could not be enqueued")


def run_worker(app: Flask, *, burst: bool = False, queues: tuple[str, ...] | None = None) -> bool:
    """Run an RQ worker with its scheduler on the app's queues."""
    global _worker_app
    conn = redis_connection(app)
    if conn is None:
        raise RuntimeError("SHOPADMIN_REDIS_URL is not set: jobs run inline, no worker is needed.")
    _worker_app = app
    names = queues or tuple(app.config["SHOPADMIN_QUEUES"])
    worker = Worker(
        [Queue(name, connection=conn) for name in names],
        connection=conn,
        # Notice a dead worker's jobs sooner than RQ's defaults (see docs/decisions).
        worker_ttl=60,
        maintenance_interval=60,
        job_monitoring_interval=15,
    )
    stop = threading.Event()
    if not burst:
        ticker = threading.Thread(target=_periodic_loop, args=(app, conn, stop), name="periodic", daemon=True)
        ticker.start()
    try:
        return worker.work(burst=burst, with_scheduler=True)
    finally:
        stop.set()
