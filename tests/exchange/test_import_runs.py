"""Large imports run as a job: the upload is stored first, the run's page shows status,
progress and the result; still all or nothing, dry run included. Inline mode imports right
after the commit; with Redis a real ``shopadmin worker --burst`` does it."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers.models import Customer
from shopadmin.exchange import jobs, services
from shopadmin.exchange.models import ImportRun
from shopadmin.extensions import db
from tests.conftest import csrf_token_from, run_worker_burst
from tests.factories import login, world

PLATFORM = system_access("tests")
HEADER = "email,first_name,last_name\n"
GOOD = HEADER + "".join(f"buyer{n}@example.com,Buyer,Number{n}\n" for n in range(6))
ONE_BAD = GOOD + "not-an-email,Bad,Row\n"
SMALL = HEADER + "small@example.com,Small,File\n"


def _upload(client: FlaskClient, text: str, *, dry_run: bool = False, shop: str = "OWN") -> Any:
    token = csrf_token_from(client.get("/admin/exchange/").get_data(as_text=True))
    data: dict[str, Any] = {"csrf_token": token, "kind": "customers", "shop": shop,
                            "file": (io.BytesIO(text.encode()), "customers.csv")}
    if dry_run:
        data["dry_run"] = "1"
    return client.post("/admin/exchange/", data=data, content_type="multipart/form-data")


def _run_id(response: Any) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert "/admin/exchange/runs/?id=" in location
    return int(location.rsplit("id=", 1)[1])


def _run(app: Flask, run_id: int) -> dict[str, Any]:
    with app.app_context(), unit_of_work(PLATFORM):
        run = db.session.get(ImportRun, run_id)
        assert run is not None
        return {"status": run.status, "stored": run.content is not None, "rows": run.row_count,
                "done": run.rows_done, "result": run.result, "error": run.error, "dry_run": run.is_dry_run}


def _customers(app: Flask) -> set[str]:
    with app.app_context(), unit_of_work(PLATFORM):
        return set(db.session.scalars(sa.select(Customer.email).execution_options(all_shops=True)))


def _runs(app: Flask) -> int:
    with app.app_context(), unit_of_work(PLATFORM):
        return int(db.session.scalar(sa.select(sa.func.count(ImportRun.id))) or 0)


@pytest.fixture
def small_limit(app: Flask) -> Any:
    """Files of more than 3 records go to the background (the default is 500)."""
    world(app)
    app.config["SHOPADMIN_IMPORT_INLINE_ROWS"] = 3
    yield app
    app.config["SHOPADMIN_IMPORT_INLINE_ROWS"] = 500


def test_inline_mode_imports_a_large_file_right_after_the_commit(small_limit: Flask) -> None:
    app = small_limit
    client = app.test_client()
    login(client, "manager@test.example")

    # Small files stay synchronous: the result on the same page, no run stored.
    small = _upload(client, SMALL)
    assert small.status_code == 200
    assert "1 rows: 1 created" in small.get_data(as_text=True)
    assert _runs(app) == 0

    dry = _run_id(_upload(client, GOOD, dry_run=True))
    assert _run(app, dry)["status"] == "done"
    assert _run(app, dry)["result"]["written"] is False
    assert not any(email.startswith("buyer") for email in _customers(app))
    page = client.get(f"/admin/exchange/runs/?id={dry}").get_data(as_text=True)
    assert 'data-status="done"' in page
    assert "6 rows: 6 created" in page
    assert "Dry run: nothing was written." in page

    bad = _run_id(_upload(client, ONE_BAD))
    outcome = _run(app, bad)
    assert outcome["status"] == "done"
    assert outcome["result"]["ok"] is False
    assert outcome["result"]["error_rows"][0]["row"] == 8  # the CSV line (header = 1)
    assert not any(email.startswith("buyer") for email in _customers(app))  # all or nothing
    page = client.get(f"/admin/exchange/runs/?id={bad}").get_data(as_text=True)
    assert 'data-testid="import-errors"' in page
    assert "Nothing was imported" in page

    real = _run_id(_upload(client, GOOD))
    outcome = _run(app, real)
    assert (outcome["status"], outcome["rows"], outcome["done"], outcome["stored"]) == ("done", 6, 6, False)
    assert {f"buyer{n}@example.com" for n in range(6)} <= _customers(app)
    page = client.get(f"/admin/exchange/runs/?id={real}").get_data(as_text=True)
    assert "Imported." in page
    assert 'aria-valuenow="100"' in page
    listing = client.get("/admin/exchange/runs/").get_data(as_text=True)
    for run_id in (dry, bad, real):
        assert f"/admin/exchange/runs/?id={run_id}" in listing


def test_runs_belong_to_the_uploader_and_shops_are_checked_before_storing(small_limit: Flask) -> None:
    app = small_limit
    manager = app.test_client()
    login(manager, "manager@test.example")
    run_id = _run_id(_upload(manager, GOOD, dry_run=True))

    for email in ("owner@test.example", "outsider@test.example", "super@test.example"):
        other = app.test_client()
        login(other, email)
        assert other.get(f"/admin/exchange/runs/?id={run_id}").status_code == 404, email
        assert f"?id={run_id}" not in other.get("/admin/exchange/runs/").get_data(as_text=True)
    csr = app.test_client()
    login(csr, "csr@test.example")
    assert csr.get("/admin/exchange/runs/").status_code == 403
    assert manager.get("/admin/exchange/runs/?id=99999").status_code == 404

    # Another shop's import is refused before anything is stored.
    refused = _upload(manager, GOOD, shop="OTHER")
    assert refused.status_code == 200
    assert 'data-testid="import-error"' in refused.get_data(as_text=True)
    assert _runs(app) == 1


def test_progress_is_saved_outside_the_imports_transaction(small_limit: Flask) -> None:
    app = small_limit
    client = app.test_client()
    login(client, "manager@test.example")
    run_id = _run_id(_upload(client, GOOD, dry_run=True))
    with app.app_context():
        with unit_of_work(PLATFORM):
            db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id).values(rows_done=0))
        save = jobs._progress_saver(run_id, 100)
        assert save is not None
        with unit_of_work(PLATFORM):
            db.session.execute(sa.select(ImportRun).where(ImportRun.id == run_id))  # the import's transaction is open
            save(40)  # a connection of its own: seen by others before the import commits
            with db.engine.connect() as other:
                seen = other.execute(sa.select(ImportRun.__table__.c.rows_done)
                                     .where(ImportRun.__table__.c.id == run_id)).scalar_one()
            assert seen == 40


@pytest.mark.redis
def test_a_large_import_runs_on_a_real_worker(redis_app: Flask, redis_url: str) -> None:
    app = redis_app
    world(app)
    app.config["SHOPADMIN_IMPORT_INLINE_ROWS"] = 3
    client = app.test_client()
    login(client, "manager@test.example")

    bad = _run_id(_upload(client, ONE_BAD))
    dry = _run_id(_upload(client, GOOD, dry_run=True))
    real = _run_id(_upload(client, GOOD))
    for run_id in (bad, dry, real):
        queued = _run(app, run_id)
        assert (queued["status"], queued["stored"], queued["rows"]) == ("queued", True, 6 if run_id != bad else 7)
    page = client.get(f"/admin/exchange/runs/?id={real}").get_data(as_text=True)
    assert 'data-status="queued"' in page
    assert 'http-equiv="refresh"' in page  # the page follows the run
    assert not any(email.startswith("buyer") for email in _customers(app))

    worker = run_worker_burst(app, redis_url)
    assert worker.returncode == 0, worker.stderr

    assert _run(app, bad)["result"]["ok"] is False
    assert _run(app, dry)["result"] == {**_run(app, dry)["result"], "ok": True, "written": False, "dry_run": True}
    done = _run(app, real)
    assert (done["status"], done["done"], done["stored"], done["error"]) == ("done", 6, False, None)
    assert done["result"]["created"] == 6
    assert done["result"]["written"] is True
    assert {f"buyer{n}@example.com" for n in range(6)} <= _customers(app)
    page = client.get(f"/admin/exchange/runs/?id={real}").get_data(as_text=True)
    assert 'data-status="done"' in page
    assert "6 rows: 6 created" in page
    assert 'http-equiv="refresh"' not in page

    # A job delivered twice imports once.
    with app.app_context():
        jobs.run_import(real)
    assert _run(app, real)["result"]["created"] == 6


def test_the_threshold_is_a_setting(app: Flask, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from shopadmin.config import load_config

    assert load_config(str(tmp_path))["SHOPADMIN_IMPORT_INLINE_ROWS"] == 500
    monkeypatch.setenv("SHOPADMIN_IMPORT_INLINE_ROWS", "20")
    assert load_config(str(tmp_path))["SHOPADMIN_IMPORT_INLINE_ROWS"] == 20
    with app.app_context():
        assert services.inline_rows() == 500
