"""``shopadmin demo`` fills every shop's inbox: applied by the worker, waiting for review, rejected."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as
from shopadmin.extensions import db
from shopadmin.inbox.models import InboxMessage
from shopadmin.tenants.models import Shop


def _inbox(app: Flask) -> dict[str, list[tuple[str, str | None, str | None]]]:
    with app.app_context(), acting_as(system_access("tests")):
        codes = {s.id: s.code for s in db.session.scalars(sa.select(Shop))}
        found: dict[str, list[tuple[str, str | None, str | None]]] = {}
        for m in db.session.scalars(sa.select(InboxMessage).order_by(InboxMessage.id)
                                    .execution_options(all_shops=True)):
            found.setdefault(codes.get(m.shop_id, "-"), []).append(
                (m.status.value, m.review_state.value if m.review_state else None, m.reason))
        return found


def test_demo_inbox(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    inbox = _inbox(app)
    home = inbox["HOME"]
    assert sum(1 for status, _, _ in home if status == "applied") >= 2, home
    assert sum(1 for status, state, _ in home if status == "review" and state == "pending") >= 2, home
    assert ("review", "rejected", "purchase_order") in home
    assert [status for status, _, _ in inbox["-"]] == ["rejected"]  # the junk
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _inbox(app) == inbox  # loading twice changes nothing
