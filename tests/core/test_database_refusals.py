"""A value the database refuses is bad input (422), whatever route let it through; never a 500."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask

from shopadmin.core.web import public


def _refusing(app_factory: Callable[..., Flask]) -> Flask:
    app = app_factory()

    def refuse() -> str:
        # What psycopg raises for "numeric field overflow" / "value too long", as SQLAlchemy wraps it.
        raise sa.exc.DataError("INSERT ...", {}, Exception("numeric field overflow"))

    app.add_url_rule("/api/v1/_test/refused", "api_refused", public(refuse))
    app.add_url_rule("/_test/refused", "screen_refused", public(refuse))
    return app


def test_api_answers_422_in_the_contract_shape(app_factory: Callable[..., Flask]) -> None:
    response = _refusing(app_factory).test_client().get("/api/v1/_test/refused")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert "overflow" not in response.get_data(as_text=True)  # the database's words stay in the log


def test_screen_answers_422_page(app_factory: Callable[..., Flask]) -> None:
    response = _refusing(app_factory).test_client().get("/_test/refused")
    assert response.status_code == 422
    assert "out of range" in response.get_data(as_text=True)
