"""The request side of access: who is calling, what each route declares, error pages.

Every route declares its permission with one of the decorators below (the route audit
test enforces it):

* ``@public``: no sign-in (login page, health check, the OpenAPI document).
* ``@staff_route(Permission.X)``: a signed-in staff user in the admin (session cookie).
* ``@api_route(Permission.X)``: a bearer token on ``/api/``.
* ``@customer_route`` (``storefront.session``): a storefront customer under ``/store/``.

The declared permission is the action the route performs; the service called by the
route checks it against the shop concerned (404 outside scope, 403 beyond role).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from shopadmin.core.access import ANONYMOUS, Access, Permission
from shopadmin.core.db import set_access
from shopadmin.core.errors import DomainError, Unauthenticated
from shopadmin.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def declare(permission: Permission | str) -> Callable[[F], F]:
    def mark(view: F) -> F:
        view.__permission__ = permission  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    return declare(PUBLIC)(view)


def staff_route(permission: Permission | str = AUTHENTICATED) -> Callable[[F], F]:
    """A screen for signed-in staff; anonymous visitors go to the login page."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return view(*args, **kwargs)

        return declare(permission)(guarded)  # type: ignore[return-value]

    return wrap


def api_route(permission: Permission | str = AUTHENTICATED) -> Callable[[F], F]:
    """An API endpoint that needs a valid bearer token."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if g.get("api_user") is None:
                raise Unauthenticated(_l("Send a valid token: Authorization: Bearer <token>."))
            return view(*args, **kwargs)

        return declare(permission)(guarded)  # type: ignore[return-value]

    return wrap


def request_access() -> Access:
    """The access context of this request, built once."""
    access: Access | None = g.get("access")
    return access if access is not None else ANONYMOUS


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _resolve_caller() -> None:
    """Build the request's access context: bearer token on /api/, session cookie elsewhere."""
    from shopadmin.staff import services as staff

    access = ANONYMOUS
    g.api_user = None
    if is_api_request():
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            found = staff.user_for_token(token.strip())
            if db.session.dirty:  # last_used_at, touched at most once a minute: keep it
                db.session.commit()
            if found is not None:
                g.api_user, g.api_token = found
                access = staff.access_for_user(g.api_user)
    elif request.path.startswith("/store/"):
        # The storefront: a customer (or staff assisting one) from its own session cookie;
        # a staff identity never reaches it (see ``storefront.session``).
        from shopadmin.storefront.session import resolve

        access = resolve()
    elif current_user.is_authenticated:
        access = staff.access_for_user(current_user)
    g.access = access
    set_access(access)


# The API speaks one language: clients key on ``code``; ``message`` is for their developers (ADR 0006).
API_LOCALE = "en"


def flash_error(error: DomainError) -> None:
    """Show a domain error on the next screen, in the reader's language, field messages included."""
    flash(error.explain(), "error")


def error_payload(status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> Any:
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="shopadmin"'
    return response


HTTP_CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def _http_error_as_json(error: HTTPException) -> Any:
    status = error.code or 500
    fields: dict[str, Any] = {}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    code = HTTP_CODES.get(status, "error")
    message = error.description or "Error."
    if messages:
        # webargs/marshmallow: {"json": {"field": [...]}} or {"query": {...}}
        for location_errors in messages.values():
            if isinstance(location_errors, dict):
                fields.update(location_errors)
        if status == 400 or set(fields) == {"_schema"}:
            status, code, message = 400, "malformed", "The request body is not a JSON object of the expected shape."
        else:
            message = "Some fields are invalid."
    if status == 429:
        message = f"Too many requests: {error.description}. Try again later."
    return error_payload(status, code, message, fields)


def _render_error(status: int, message: str) -> Any:
    return render_template("error.html", status=status, message=message), status


def _limit_json_bodies() -> None:
    # Raw emails may be large (MAX_CONTENT_LENGTH); JSON documents never need to be.
    if request.mimetype == "application/json":
        request.max_content_length = current_app.config["SHOPADMIN_MAX_JSON_BYTES"]


def register_request_hooks(app: Flask) -> None:
    app.before_request(_limit_json_bodies)
    app.before_request(_resolve_caller)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Any:
        db.session.rollback()
        if is_api_request():
            with force_locale(API_LOCALE):
                return error_payload(error.status, error.code, error.message, error.plain_fields())
        return _render_error(error.status, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        if is_api_request():
            return _http_error_as_json(error)
        return _render_error(error.code or 500, error.description or "")

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError) -> Any:
        # The database is away (or a transient failure): say so and when to retry, not "500".
        app.logger.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        with contextlib.suppress(Exception):
            db.session.rollback()
        if is_api_request():
            response = error_payload(503, "unavailable", "The service is briefly unavailable; try again in a minute.")
        else:
            response = make_response(
                _render_error(503, str(_l("The service is briefly unavailable; try again in a minute.")))
            )
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(DataError)
    def _value_out_of_range(error: DataError) -> Any:
        # The services bound what they accept; a value the database still refuses (too large,
        # malformed) is bad input all the same: 422, never 500. Logged: a bound is missing.
        app.logger.warning("database refused a value on %s %s: %s", request.method, request.path, error.orig)
        with contextlib.suppress(Exception):
            db.session.rollback()
        if is_api_request():
            return error_payload(422, "validation_error", "A value is out of range or malformed.")
        return _render_error(422, str(_l("A value is out of range or malformed.")))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if is_api_request():
            return error_payload(500, "internal_error", "Something went wrong on our side.")
        return _render_error(500, "Something went wrong on our side.")
