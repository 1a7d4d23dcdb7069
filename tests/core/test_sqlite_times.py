"""On SQLite (the zero-setup default) times keep their offset, as the contract asks
("times are ISO 8601 with an offset"); PostgreSQL does so by itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import Role
from shopadmin.core.audit import AuditEntry
from shopadmin.core.db import acting_as
from shopadmin.extensions import db
from tests.conftest import make_app
from tests.factories import PLATFORM, api_token, make_shop, make_user


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = make_app(f"sqlite:///{tmp_path / 'times.sqlite3'}")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_api_times_carry_an_offset_on_sqlite(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        assert db.engine.dialect.name == "sqlite"
        make_shop(code="T1")
        make_user("csr@times.example", roles={"T1": Role.CSR})
    client = sqlite_app.test_client()
    headers = api_token(client, "csr@times.example")
    created = client.post("/api/v1/customers", headers=headers, json={
        "shop": "T1", "email": "ada@example.com", "first_name": "Ada", "last_name": "L"})
    assert created.status_code == 201, created.get_json()
    stamp = datetime.fromisoformat(created.get_json()["created_at"])
    assert stamp.utcoffset() == timedelta(0)
    again = client.get(f"/api/v1/customers/{created.get_json()['id']}", headers=headers).get_json()
    assert datetime.fromisoformat(again["created_at"]) == stamp


def test_a_moment_in_another_zone_is_stored_as_the_same_instant(sqlite_app: Flask) -> None:
    berlin_noon = datetime(2030, 1, 31, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    with sqlite_app.app_context(), acting_as(PLATFORM):
        db.session.add(AuditEntry(shop_id=None, actor="test", action="test.time", target_type="t", target_id="1",
                                  details={}, created_at=berlin_noon))
        db.session.commit()
        db.session.expunge_all()
        stored = db.session.scalars(sa.select(AuditEntry.created_at).where(AuditEntry.action == "test.time")).one()
        earlier = db.session.scalars(sa.select(AuditEntry.id).where(
            AuditEntry.created_at < datetime(2030, 1, 31, 11, 30, tzinfo=UTC))).all()
    assert stored == berlin_noon
    assert stored.utcoffset() == timedelta(0)
    assert earlier  # 11:00 UTC is before 11:30 UTC: the comparison ran on UTC values

