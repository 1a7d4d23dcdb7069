"""Migrations: one head, and an empty database upgraded to head matches the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from shopadmin.extensions import db

REPO = Path(__file__).resolve().parents[1]


def test_one_head(app: Flask) -> None:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several alembic heads: {heads}"


def test_upgraded_postgresql_matches_the_models(app: Flask) -> None:
    """The session's database was built by `upgrade` alone; autogenerate must find nothing."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_db_upgrade_builds_an_empty_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = {**os.environ, "SHOPADMIN_DATABASE_URL": url, "SHOPADMIN_SECRET_KEY": "test"}
    env.pop("SHOPADMIN_REDIS_URL", None)
    cli = os.path.join(os.path.dirname(sys.executable), "shopadmin")
    upgrade = subprocess.run([cli, "db", "upgrade"], env=env, cwd=tmp_path,  # noqa: S603
                             capture_output=True, text=True, timeout=120, check=False)
    assert upgrade.returncode == 0, upgrade.stderr
    check = subprocess.run([cli, "db", "check"], env=env, cwd=tmp_path,  # noqa: S603
                           capture_output=True, text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert "shops" in sa.inspect(conn).get_table_names()
    engine.dispose()
