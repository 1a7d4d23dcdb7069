"""A large report as an RQ job: queued after the commit, run by a real worker, file kept."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask import Flask
from pypdf import PdfReader

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.jobs import get_queue
from shopadmin.extensions import db
from shopadmin.reports import services
from shopadmin.reports.models import ReportRun
from shopadmin.staff import services as staff
from shopadmin.staff.models import User
from tests.conftest import run_worker_burst
from tests.factories import world
from tests.orders.factories import make_product

pytestmark = pytest.mark.redis


def _run(app: Flask, run_id: int) -> ReportRun:
    with app.app_context(), unit_of_work(system_access("tests")):
        run = db.session.get(ReportRun, run_id)
        assert run is not None
        _ = run.content  # load the deferred column before the session closes
        db.session.expunge(run)
        return run


def test_report_run_on_a_real_worker(redis_app: Flask, redis_url: str) -> None:
    world(redis_app)
    with redis_app.app_context():
        for n in range(30):
            make_product("OWN", f"BULK-{n:02d}", quantity=n)
        make_product("OTHER", "SECRET-1", quantity=5)
        user = db.session.scalars(sa.select(User).where(User.email == "manager@test.example")).one()
        access = staff.access_for_user(user)
        with unit_of_work(access):
            run_id = services.start_run(access, "inventory", {}, "pdf").id
        queue = get_queue()
        assert queue is not None
        assert queue.count == 1
    assert _run(redis_app, run_id).status == "queued"
    worker = run_worker_burst(redis_app, redis_url)
    assert worker.returncode == 0, worker.stderr
    run = _run(redis_app, run_id)
    assert (run.status, run.progress, run.row_count) == ("done", 100, 30), run.error
    assert run.filename is not None
    assert run.filename.startswith("report-available-stock_")
    assert run.content is not None
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(run.content)).pages)
    assert "BULK-29" in text
    assert "SECRET-1" not in text  # read with the manager's access, not the worker's
