"""The shopadmin command: users create, demo, worker — clear errors and non-zero exits."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as
from shopadmin.extensions import db
from shopadmin.staff.models import Membership, User
from shopadmin.tenants.models import Shop


def _users(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id))) or 0


def test_users_create(app: Flask, runner: CliRunner) -> None:
    ok = runner.invoke(args=["users", "create", "--email", "Boss@Example.com", "--password", "long-enough",
                             "--name", "Boss", "--superadmin"])
    assert ok.exit_code == 0, ok.output
    assert "boss@example.com" in ok.output
    duplicate = runner.invoke(args=["users", "create", "--email", "boss@example.com", "--password", "long-enough"])
    assert duplicate.exit_code != 0
    assert "exists" in duplicate.output
    for bad in (["--email", "not-an-email", "--password", "long-enough"],
                ["--email", "x@example.com", "--password", "short"],
                ["--email", "x@example.com"]):
        result = runner.invoke(args=["users", "create", *bad])
        assert result.exit_code != 0, bad
        assert "Error" in result.output, result.output
    assert _users(app) == 1


def test_demo_loads_every_kind_of_shop_and_role_and_is_repeatable(app: Flask, runner: CliRunner) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.example" in first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    with app.app_context(), acting_as(system_access("tests")):
        shops = {s.code: s for s in db.session.scalars(sa.select(Shop))}
        assert {s.kind.value for s in shops.values()} == {"b2c", "b2b"}
        assert shops["B2B-DE"].master_id == shops["MASTER"].id
        assert shops["EU-1"].sharing_group_id == shops["EU-2"].sharing_group_id is not None
        roles = {m.role.label for m in db.session.scalars(sa.select(Membership))}
        assert roles == {"csr", "supervisor", "manager", "owner"}
        assert len(shops) == 6


def test_worker_without_redis_says_so(runner: CliRunner) -> None:
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "SHOPADMIN_REDIS_URL" in result.output
