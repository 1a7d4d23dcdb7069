"""Test fixtures: a real PostgreSQL database built by the migrations, and a real Redis.

Which servers (the README says the same):

* ``SHOPADMIN_TEST_DATABASE_URL`` / ``SHOPADMIN_TEST_REDIS_URL`` name them (CI does);
* otherwise the local PostgreSQL socket ``/var/run/postgresql`` and Redis on
  127.0.0.1:6379 when they answer;
* otherwise throwaway servers started from the local binaries (pytest-postgresql,
  pytest-redis).

Under ``CI`` an unreachable service fails the run; it is never skipped.
Each test session gets its own database (created, migrated to head, dropped at the end);
each test starts from empty tables.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin import create_app
from shopadmin.extensions import db, limiter

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
LOCAL_PG = "postgresql+psycopg://root@/postgres?host=/var/run/postgresql"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def _pg_answers(url: str) -> bool:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def pg_server_url(request: pytest.FixtureRequest) -> str:
    """A URL of a PostgreSQL server (its maintenance database)."""
    named = os.environ.get("SHOPADMIN_TEST_DATABASE_URL")
    if named:
        if not _pg_answers(named):
            pytest.fail(f"PostgreSQL at SHOPADMIN_TEST_DATABASE_URL does not answer: {named}")
        return named
    if IN_CI:
        pytest.fail("CI must name its PostgreSQL in SHOPADMIN_TEST_DATABASE_URL")
    if _pg_answers(LOCAL_PG):
        return LOCAL_PG
    proc = request.getfixturevalue("postgresql_proc")
    return f"postgresql+psycopg://{proc.user}:{proc.password or ''}@{proc.host}:{proc.port}/postgres"


@pytest.fixture(scope="session")
def redis_url(redis_server_url: str) -> str:
    """A Redis database of its own for this test session (several suites may run at once)."""
    return _redis_db(redis_server_url, 1 + os.getpid() % 15)


def _redis_db(url: str, index: int) -> str:
    base, _, _db = url.rstrip("/").rpartition("/")
    return f"{base}/{index}" if _db.isdigit() else f"{url.rstrip('/')}/{index}"


@pytest.fixture(scope="session")
def redis_server_url(request: pytest.FixtureRequest) -> str:
    named = os.environ.get("SHOPADMIN_TEST_REDIS_URL")
    if named:
        if not _redis_answers(named):
            pytest.fail(f"Redis at SHOPADMIN_TEST_REDIS_URL does not answer: {named}")
        return named
    if IN_CI:
        pytest.fail("CI must name its Redis in SHOPADMIN_TEST_REDIS_URL")
    if _redis_answers(LOCAL_REDIS):
        return LOCAL_REDIS
    proc = request.getfixturevalue("redis_proc")
    return f"redis://{proc.host}:{proc.port}/0"


def _with_database(url: str, name: str) -> str:
    parsed = sa.engine.make_url(url)
    return parsed.set(database=name).render_as_string(hide_password=False)


def _admin_dsn(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> Iterator[str]:
    """A fresh database for this test session, migrated to head by Alembic."""
    name = f"shopadmin_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_dsn(pg_server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(pg_server_url, name)
    try:
        yield url
    finally:
        with psycopg.connect(_admin_dsn(pg_server_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SHOPADMIN_REDIS_URL": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Tests sign in many times from one address; tests/staff/test_sign_in.py checks the real limit.
    "SHOPADMIN_LOGIN_RATE_LIMIT": "10000 per minute",
    "SERVER_NAME": "localhost",
    # argon2id still, with its cheapest parameters (test_sign_in checks the production ones).
    "SHOPADMIN_CHEAP_PASSWORD_HASHING": True,
}


def make_app(database_url: str, **overrides: Any) -> Flask:
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    from flask_migrate import upgrade

    app = make_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture(scope="session")
def _session_app(migrated: str) -> Iterator[Flask]:
    app = make_app(migrated)
    yield app
    with app.app_context():
        db.engine.dispose()


def _truncate_all(app: Flask) -> None:
    with app.app_context():
        existing = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        tables = ", ".join(f'"{name}"' for name in sorted(existing))
        # A request thread of the browser tests' live server may still be finishing (Chromium
        # fetching one last asset) and hold row locks; TRUNCATE then loses a deadlock. Retry.
        for attempt in range(10):
            try:
                with db.engine.begin() as conn:
                    conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                return
            except sa.exc.OperationalError:
                if attempt == 9:
                    raise
                time.sleep(0.5)


@pytest.fixture
def app(_session_app: Flask) -> Iterator[Flask]:
    """The app on the test database (jobs inline); tables are emptied after each test."""
    yield _session_app
    _truncate_all(_session_app)
    # In-process edit leases (orders/leases.py) name order ids, which start again after TRUNCATE.
    _session_app.extensions.pop("shopadmin.edit_leases", None)
    with _session_app.app_context():
        limiter.reset()


@pytest.fixture
def redis_app(migrated: str, redis_url: str) -> Iterator[Flask]:
    """The app with Redis: RQ queues, Redis rate limits and locks. Redis is flushed after."""
    prefix_db = redis.Redis.from_url(redis_url)
    app = make_app(migrated, SHOPADMIN_REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    yield app
    _truncate_all(app)
    with app.app_context():
        db.engine.dispose()
    prefix_db.flushdb()


@pytest.fixture
def app_factory(migrated: str) -> Iterator[Callable[..., Flask]]:
    """Apps with other settings (a low rate limit, say) on the test database; cleaned up after."""
    made: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        made.append(make_app(migrated, **overrides))
        return made[-1]

    yield build
    for extra in made:
        if extra.config["SQLALCHEMY_DATABASE_URI"] == migrated:
            _truncate_all(extra)
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for tests that call services directly."""
    with app.app_context():
        yield app
        db.session.remove()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def run_worker_burst(app: Flask, redis_url: str) -> Any:
    """Run a real ``shopadmin worker --burst`` (a separate process) on ``app``'s database and
    Redis until the queues are empty; returns the finished process (returncode, stdout, stderr)."""
    import subprocess
    import sys
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[1])  # the worker imports test task modules too
    env = {**os.environ, "SHOPADMIN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SHOPADMIN_REDIS_URL": redis_url, "SHOPADMIN_SECRET_KEY": "test", "PYTHONPATH": repo}
    return subprocess.run(  # noqa: S603 - our own console script
        [os.path.join(os.path.dirname(sys.executable), "shopadmin"), "worker", "--burst"],
        env=env, cwd=repo, capture_output=True, text=True, timeout=120, check=False,
    )


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)
