"""Background report files are deleted after SHOPADMIN_REPORT_RETENTION_DAYS: the CLI
(inline mode), the periodic job on a real worker, the screen and the download (410)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.config import load_config
from shopadmin.core import jobs
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Forbidden
from shopadmin.extensions import db
from shopadmin.reports import services
from shopadmin.reports.models import ReportRun
from shopadmin.staff import services as staff
from shopadmin.staff.models import User
from tests.conftest import csrf_token_from, run_worker_burst
from tests.factories import login, world
from tests.orders.factories import make_product

PLATFORM = system_access("tests")


def _start_run(app: Flask, client: FlaskClient) -> int:
    token = csrf_token_from(client.get("/admin/reports/inventory/").get_data(as_text=True))
    response = client.post("/admin/reports/inventory/", data={"csrf_token": token, "format": "csv", "shop": "OWN"})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("id=", 1)[1])


def _finished(app: Flask, run_id: int, days_ago: float) -> None:
    with app.app_context(), unit_of_work(PLATFORM):
        db.session.execute(sa.update(ReportRun).where(ReportRun.id == run_id)
                           .values(finished_at=datetime.now(UTC) - timedelta(days=days_ago)))


def _state(app: Flask, run_id: int) -> tuple[str, bool]:
    with app.app_context(), unit_of_work(PLATFORM):
        run = db.session.get(ReportRun, run_id)
        assert run is not None
        return run.status, run.content is not None


@pytest.fixture
def manager(app: Flask) -> FlaskClient:
    world(app)
    with app.app_context():
        make_product("OWN", "WID-1", quantity=10)
    client = app.test_client()
    login(client, "manager@test.example")
    return client


def test_old_files_are_deleted_by_the_cli_and_the_screen_says_so(app: Flask, manager: FlaskClient,
                                                                 runner: Any) -> None:
    old, recent = _start_run(app, manager), _start_run(app, manager)
    assert _state(app, old) == ("done", True)  # inline mode: made right after the commit
    _finished(app, old, 8)
    _finished(app, recent, 6)

    result = runner.invoke(args=["reports", "expire-files"])
    assert result.exit_code == 0, result.output
    assert f"Deleted the files of 1 report runs older than 7 days: {old}." in result.output
    assert _state(app, old) == ("expired", False)
    assert _state(app, recent) == ("done", True)
    again = runner.invoke(args=["reports", "expire-files"])
    assert "Deleted the files of 0 report runs" in again.output  # idempotent

    page = manager.get(f"/admin/reports/runs/?id={old}").get_data(as_text=True)
    assert 'data-status="expired"' in page
    assert 'data-testid="run-expired"' in page
    assert "deleted 7 days after the report ran" in page
    assert 'data-testid="run-download"' not in page
    assert "/admin/reports/inventory/?shop=OWN" in page  # run it again, same parameters
    gone = manager.get(f"/admin/reports/runs/?id={old}&download=1")
    assert gone.status_code == 410
    assert "Run the report again." in gone.get_data(as_text=True)
    assert manager.get(f"/admin/reports/runs/?id={recent}&download=1").mimetype == "text/csv"
    listing = manager.get("/admin/reports/runs/").get_data(as_text=True)
    assert "expired" in listing
    # Someone else's expired run is still someone else's: 404, not 410.
    other = app.test_client()
    login(other, "owner@test.example")
    assert other.get(f"/admin/reports/runs/?id={old}&download=1").status_code == 404


def test_the_cli_takes_a_moment_and_refuses_bad_ones(app: Flask, manager: FlaskClient, runner: Any) -> None:
    run_id = _start_run(app, manager)
    later = (datetime.now(UTC) + timedelta(days=7, hours=1)).isoformat()
    for bad in ("next week", "2031-01-01T00:00:00"):
        refused = runner.invoke(args=["reports", "expire-files", "--now", bad])
        assert refused.exit_code != 0
        assert "--now" in refused.output
    assert _state(app, run_id) == ("done", True)
    done = runner.invoke(args=["reports", "expire-files", "--now", later])
    assert done.exit_code == 0, done.output
    assert _state(app, run_id) == ("expired", False)


def test_retention_is_a_setting(app_factory: Callable[..., Flask], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_config(str(tmp_path))["SHOPADMIN_REPORT_RETENTION_DAYS"] == 7
    monkeypatch.setenv("SHOPADMIN_REPORT_RETENTION_DAYS", "2")
    assert load_config(str(tmp_path))["SHOPADMIN_REPORT_RETENTION_DAYS"] == 2

    short = app_factory(SHOPADMIN_REPORT_RETENTION_DAYS=2)
    world(short)
    with short.app_context():
        make_product("OWN", "WID-1", quantity=10)
    client = short.test_client()
    login(client, "manager@test.example")
    kept, dropped = _start_run(short, client), _start_run(short, client)
    _finished(short, kept, 1.5)
    _finished(short, dropped, 2.5)
    with short.app_context(), unit_of_work(PLATFORM):
        assert services.expire_files(PLATFORM) == [dropped]
        with pytest.raises(Forbidden):
            services.expire_files(_manager_access())


def _manager_access() -> Any:
    user = db.session.scalars(sa.select(User).where(User.email == "manager@test.example")).one()
    return staff.access_for_user(user)


@pytest.mark.redis
def test_the_periodic_job_expires_files_on_a_real_worker(redis_app: Flask, redis_url: str) -> None:
    world(redis_app)
    with redis_app.app_context():
        make_product("OWN", "WID-1", quantity=10)
    client = redis_app.test_client()
    login(client, "manager@test.example")
    run_id = _start_run(redis_app, client)
    assert _state(redis_app, run_id)[0] == "queued"
    assert run_worker_burst(redis_app, redis_url).returncode == 0
    assert _state(redis_app, run_id) == ("done", True)
    _finished(redis_app, run_id, 30)

    conn = redis.Redis.from_url(redis_url)
    assert "shopadmin.reports.jobs:expire_files" in jobs.enqueue_due_periodic(redis_app, conn)
    assert "shopadmin.reports.jobs:expire_files" not in jobs.enqueue_due_periodic(redis_app, conn)  # once an hour
    worker = run_worker_burst(redis_app, redis_url)
    assert worker.returncode == 0, worker.stderr
    assert _state(redis_app, run_id) == ("expired", False)
    assert client.get(f"/admin/reports/runs/?id={run_id}&download=1").status_code == 410
