"""Every route declares its permission; every admin view uses the scoped base views.

A new route without ``@public`` / ``@staff_route(...)`` / ``@api_route(...)``, or a new
Flask-Admin view not derived from the scoped bases, fails here.
"""

from __future__ import annotations

from flask import Flask
from flask_admin import BaseView

from shopadmin.core.access import Permission
from shopadmin.core.admin import ScopedModelView, SecureIndexView
from shopadmin.core.web import AUTHENTICATED, PUBLIC
from shopadmin.storefront.session import CUSTOMER

LIBRARY_ENDPOINTS = {"static", "admin.static", "api-docs.openapi_json"}  # static files, the public OpenAPI document
DECLARATIONS = {PUBLIC, AUTHENTICATED, CUSTOMER, *Permission}  # CUSTOMER: @customer_route (storefront)


def _admin_views(app: Flask) -> dict[str, BaseView]:
    admin = app.extensions["admin"][0]
    return {view.endpoint: view for view in admin._views}


def test_every_route_declares_its_permission(app: Flask) -> None:
    admin_views = _admin_views(app)
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in LIBRARY_ENDPOINTS:
            continue
        blueprint = rule.endpoint.split(".")[0]
        if blueprint in admin_views:
            continue  # checked below, by class
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "__permission__", None) or getattr(getattr(view, "view_class", None),
                                                                    "__permission__", None)
        if declared is None and hasattr(view, "view_class"):
            method_views = [getattr(view.view_class, m.lower(), None) for m in rule.methods or ()]
            declared_all = [getattr(m, "__permission__", None) for m in method_views if m is not None]
            declared = declared_all[0] if declared_all and all(declared_all) else None
        if declared not in DECLARATIONS:
            undeclared.append(f"{rule.endpoint} {rule.rule}")
    assert not undeclared, "routes without a declared permission:\n" + "\n".join(undeclared)


def test_every_admin_view_uses_the_scoped_bases(app: Flask) -> None:
    offenders = [
        f"{endpoint}: {type(view).__name__}"
        for endpoint, view in _admin_views(app).items()
        if not isinstance(view, ScopedModelView | SecureIndexView) and not getattr(view, "__scoped_page__", False)
    ]
    assert not offenders, "admin views outside the scoped bases:\n" + "\n".join(offenders)
