"""``GET /healthz``: is the database reachable, and is the queue (or inline mode)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from shopadmin.core.jobs import redis_connection
from shopadmin.core.web import public
from shopadmin.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@limiter.exempt
@public
def healthz() -> Any:
    status = 200
    body: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        body["database"] = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        body["database"] = "unavailable"
        status = 503
    conn = redis_connection()
    if conn is None:
        body["queue"] = "inline"
    else:
        try:
            conn.ping()
            body["queue"] = "ok"
        except RedisError:
            body["queue"] = "unavailable"
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
