from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient


def test_health_inline(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "queue": "inline"}


def test_health_with_redis(redis_app: Flask) -> None:
    assert redis_app.test_client().get("/healthz").get_json() == {"database": "ok", "queue": "ok"}


def test_health_when_the_database_is_down(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://root@127.0.0.1:1/nowhere",
                      SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
