"""The storefront's own session, its access context, and the ``@customer_route`` decorator.

Flask has one session cookie; the storefront must not share it with the admin. Under
``/store/<shop>/`` the session lives in a cookie of its own (``shopadmin_store``) whose
path is that shop's storefront and whose signature is salted with the shop's code: an
admin cookie is never read there, a storefront cookie never in the admin, and one
shop's storefront cookie is worthless on another's.

Who is calling is resolved once per request (``resolve``, called by ``core.web``): a
signed-in customer, or staff assisting one. Either way the access context is a
``customer_access`` on that one shop; staff identity never reaches a storefront request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from shopadmin.core.access import ANONYMOUS, Access, customer_access, system_access
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.core.web import declare

F = TypeVar("F", bound=Callable[..., Any])

STORE_PREFIX = "/store/"
STORE_COOKIE = "shopadmin_store"
CUSTOMER = "customer"  # the declaration of a storefront route for a signed-in customer


def store_code_of(path: str) -> str | None:
    """``/store/EU1/cart`` -> ``EU1``."""
    if not path.startswith(STORE_PREFIX):
        return None
    code = path[len(STORE_PREFIX):].split("/", 1)[0]
    return code or None


class SplitSessionInterface(SecureCookieSessionInterface):
    """The admin's session everywhere, a storefront session per shop under ``/store/<shop>/``."""

    def _store_code(self) -> str | None:
        return store_code_of(request.path) if has_request_context() else None

    def get_cookie_name(self, app: Flask) -> str:
        return STORE_COOKIE if self._store_code() else super().get_cookie_name(app)

    def get_cookie_path(self, app: Flask) -> str:
        code = self._store_code()
        return f"{STORE_PREFIX}{code}/" if code else super().get_cookie_path(app)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        code = self._store_code()
        if code is None:
            return super().get_signing_serializer(app)
        if not app.secret_key:
            return None
        return URLSafeTimedSerializer(
            app.secret_key, salt=f"storefront-session:{code}", serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
        )


def admin_user_id() -> int | None:
    """The staff user this browser is signed in to the admin as (read, never written)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cookie = request.cookies.get(app.config.get("SESSION_COOKIE_NAME", "session"))
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    if not cookie or serializer is None:
        return None
    try:
        data = serializer.loads(cookie, max_age=int(app.permanent_session_lifetime.total_seconds()))
    except BadSignature:
        return None
    user_id, _, epoch = str(data.get("_user_id") or "").partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    from shopadmin.staff.services import load_session_user

    user = load_session_user(f"{user_id}:{epoch}")
    return user.id if user is not None else None


@dataclass(frozen=True)
class StoreCaller:
    shop_id: int
    shop_code: str
    customer_id: int | None = None
    assistance_id: int | None = None
    operator_id: int | None = None
    operator_name: str = ""
    customer_name: str = ""


def resolve() -> Access:
    """The access context of a storefront request (called by ``core.web`` once per request)."""
    from flask_login import AnonymousUserMixin

    from shopadmin.assistance import services as assistance
    from shopadmin.storefront import services

    g._login_user = AnonymousUserMixin()  # Flask-Login must never load staff here
    g.store = None
    code = store_code_of(request.path)
    if code is None:
        return ANONYMOUS
    platform = system_access("storefront")
    with acting_as(platform):
        shop = services.storefront_shop(platform, code)
        if shop is None:
            return ANONYMOUS
        g.store = StoreCaller(shop_id=shop.id, shop_code=shop.code)
        customer_id = session.get("customer_id")
        if not isinstance(customer_id, int) or session.get("shop_id") != shop.id:
            return ANONYMOUS
        assistance_id = session.get("assistance_id")
        if assistance_id is not None:
            with unit_of_work(platform):
                live = assistance.live_session(int(assistance_id), shop_id=shop.id, customer_id=customer_id,
                                               admin_user_id=admin_user_id())
                ended = live is None
                if live is not None:
                    operator_id, operator_name, customer_name = live.operator_id, live.operator_name, \
                        live.customer_name
            if ended:
                session.clear()
                g.assistance_over = True
                return ANONYMOUS
            g.store = StoreCaller(shop.id, shop.code, customer_id, int(assistance_id), operator_id, operator_name,
                                  customer_name)
            return customer_access(customer_id, shop.id, operator_id=operator_id)
        customer = services.signed_in_customer(platform, shop, customer_id, session.get("auth"))
        if customer is None:
            session.clear()
            return ANONYMOUS
        g.store = StoreCaller(shop.id, shop.code, customer.id, customer_name=str(customer))
    return customer_access(customer_id, shop.id)


def store_caller() -> StoreCaller | None:
    caller: StoreCaller | None = g.get("store")
    return caller


def customer_route(view: F) -> F:
    """A storefront page for a signed-in customer (or staff assisting one); others sign in."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        caller = store_caller()
        if caller is None or caller.customer_id is None:
            shop_code = kwargs.get("shop_code") or ""
            return redirect(url_for("storefront.sign_in", shop_code=shop_code, next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return declare(CUSTOMER)(guarded)  # type: ignore[return-value]


def install(app: Flask) -> None:
    app.session_interface = SplitSessionInterface()
