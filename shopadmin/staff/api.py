"""``/api/v1/tokens``, ``/api/v1/users`` and ``/api/v1/shops/{code}/members``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Permission
from shopadmin.core.api import api_blueprint, page_schema
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Unauthenticated
from shopadmin.core.web import api_route, public, request_access
from shopadmin.extensions import limiter
from shopadmin.staff import services
from shopadmin.staff.schemas import (
    MemberIn,
    MemberOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)
from shopadmin.tenants import services as tenants

blp = api_blueprint("staff_api", __name__, description="Tokens, staff users and shop members")


def _login_limit() -> str:
    return str(current_app.config["SHOPADMIN_LOGIN_RATE_LIMIT"])


@blp.route("/tokens")
class Tokens(MethodView):
    decorators = [limiter.limit(_login_limit, methods=["POST"])]  # noqa: RUF012 - Flask reads it per class

    @public
    @blp.arguments(TokenIn)
    @blp.response(201, TokenOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Exchange email and password for a bearer token."""
        with unit_of_work():
            user = services.authenticate(data["email"], data["password"])
            if user is None:
                raise Unauthenticated(_l("Wrong email or password."), code="invalid_credentials")
            ttl = timedelta(days=current_app.config["SHOPADMIN_TOKEN_TTL_DAYS"])
            token, plain = services.issue_token(user, ttl=ttl, name=data.get("name", ""))
            result = {"token": plain, "expires_at": token.expires_at, "user_id": user.id}
        return result


@blp.route("/tokens/current")
class CurrentToken(MethodView):
    @api_route()
    @blp.response(204)
    def delete(self) -> None:
        """Revoke the token this request was made with."""
        with unit_of_work():
            services.revoke_token(g.api_token)


@blp.route("/users")
class Users(MethodView):
    @api_route(Permission.USER_CREATE)
    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a staff user (superadmin)."""
        with unit_of_work():
            return services.create_user(request_access(), **data)


@blp.route("/users/me")
class Me(MethodView):
    @api_route()
    @blp.response(200, UserOut)
    def get(self) -> Any:
        return g.api_user


@blp.route("/users/<int:user_id>")
class UserById(MethodView):
    @api_route(Permission.USER_VIEW)
    @blp.response(200, UserOut)
    def get(self, user_id: int) -> Any:
        return services.get_user(request_access(), user_id)


@blp.route("/shops/<string:code>/members")
class Members(MethodView):
    @api_route(Permission.MEMBER_VIEW)
    @blp.response(200, page_schema(MemberOut, "MemberPage"))
    def get(self, code: str) -> Any:
        access = request_access()
        shop = tenants.get_shop(access, code)
        return {"items": services.list_members(access, shop), "next": None}

    @api_route(Permission.MEMBER_MANAGE)
    @blp.arguments(MemberIn)
    @blp.response(201, MemberOut)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Give a user a role on the shop (owner of the shop, or superadmin)."""
        access = request_access()
        with unit_of_work():
            shop = tenants.get_shop(access, code)
            return services.add_member(access, shop, **data)
