"""The application factory: extensions, blueprints, admin, CLI, error handling."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shopadmin.config import engine_options, load_config, normalise_database_url
from shopadmin.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    if app.config.get("SHOPADMIN_CHEAP_PASSWORD_HASHING"):
        from shopadmin.core.security import use_cheap_password_hashing

        use_cheap_password_hashing()
    _init_extensions(app)
    _register_blueprints(app)
    _init_admin(app)
    _register_cli(app)
    _register_periodic_jobs(app)
    return app


def _register_periodic_jobs(app: Flask) -> None:
    from shopadmin.notifications.jobs import register_periodic_jobs

    register_periodic_jobs(app)
    from shopadmin.inbox.jobs import register_periodic_jobs as register_inbox_jobs

    register_inbox_jobs(app)
    from shopadmin.orders.jobs import register_periodic_jobs as register_order_jobs

    register_order_jobs(app)
    from shopadmin.reports.jobs import register_periodic_jobs as register_report_jobs

    register_report_jobs(app)


def _init_extensions(app: Flask) -> None:
    # Every model registered before mappers configure; the labels of stored codes for the ``label``
    # filter (orders and inbox keep theirs in labels.py, the other domains beside their enums).
    import shopadmin.inbox.labels
    import shopadmin.models
    import shopadmin.orders.labels  # noqa: F401
    from shopadmin.core import i18n
    from shopadmin.core.i18n import select_locale
    from shopadmin.core.web import register_request_hooks
    from shopadmin.staff.services import load_session_user

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), compare_type=True, render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_session_user)

    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")
    i18n.init_app(app)  # the ``label`` filter
    register_request_hooks(app)


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _register_blueprints(app: Flask) -> None:
    from shopadmin.catalogue import api as catalogue_api
    from shopadmin.core.api import api
    from shopadmin.core.health import bp as health_bp
    from shopadmin.customers import api as customers_api
    from shopadmin.notifications import api as notifications_api
    from shopadmin.orders import api as orders_api
    from shopadmin.staff import api as staff_api
    from shopadmin.staff.views import bp as auth_bp
    from shopadmin.tenants import api as tenants_api

    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)

    api.init_app(app)
    for module in (staff_api, tenants_api, customers_api, catalogue_api, orders_api, notifications_api):
        csrf.exempt(module.blp)  # bearer tokens, never cookies: no CSRF to forge
        api.register_blueprint(module.blp)
    from shopadmin.inbox import api as inbox_api

    csrf.exempt(inbox_api.blp)  # bearer tokens
    api.register_blueprint(inbox_api.blp)
    from shopadmin.assistance import api as assistance_api
    from shopadmin.storefront.session import install as install_storefront_session
    from shopadmin.storefront.views import bp as storefront_bp

    csrf.exempt(assistance_api.blp)  # bearer tokens
    api.register_blueprint(assistance_api.blp)
    install_storefront_session(app)  # the storefront's own session cookie under /store/<shop>/
    app.register_blueprint(storefront_bp)


def _init_admin(app: Flask) -> None:
    from shopadmin.core.admin import SecureIndexView
    from shopadmin.customers.admin import register_admin as register_customer_admin
    from shopadmin.orders.admin import register_admin as register_order_admin
    from shopadmin.staff.admin import MembershipAdmin, UserAdmin
    from shopadmin.staff.models import Membership, User
    from shopadmin.tenants.admin import ShopAdmin, TaxRuleAdmin
    from shopadmin.tenants.models import Shop, TaxRule

    admin = Admin(
        app,
        name="shopadmin",
        index_view=SecureIndexView(name=_l("Dashboard"), url="/admin"),
        theme=Bootstrap4Theme(swatch="cerulean", base_template="admin/shopadmin_base.html"),
    )
    admin.add_view(ShopAdmin(Shop, name=_l("Shops"), endpoint="shops"))
    admin.add_view(TaxRuleAdmin(TaxRule, name=_l("Tax rules"), endpoint="tax_rules"))
    register_customer_admin(app, admin)
    register_order_admin(app, admin)
    from shopadmin.notifications.admin import register_admin as register_notification_admin

    register_notification_admin(app, admin)
    from shopadmin.dashboard.admin import register_admin as register_dashboard_admin

    register_dashboard_admin(app, admin)
    from shopadmin.reports.admin import register_admin as register_reports_admin

    register_reports_admin(app, admin)
    from shopadmin.exchange.admin import register_admin as register_exchange_admin

    register_exchange_admin(app, admin)
    admin.add_view(UserAdmin(User, name=_l("Users"), endpoint="users", category=_l("Staff")))
    admin.add_view(MembershipAdmin(Membership, name=_l("Memberships"), endpoint="memberships", category=_l("Staff")))
    from shopadmin.inbox.admin import register_admin as register_inbox_admin

    register_inbox_admin(app, admin)
    from shopadmin.assistance.admin import register_admin as register_assistance_admin

    register_assistance_admin(app, admin)


def _register_cli(app: Flask) -> None:
    from shopadmin.cli import register_commands

    register_commands(app)
