"""Admin sign-in and sign-out (Flask-Login, CSRF, rate-limited)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from shopadmin.core.db import unit_of_work
from shopadmin.core.security import is_safe_next
from shopadmin.core.web import public, staff_route
from shopadmin.extensions import limiter
from shopadmin.staff import services
from shopadmin.staff.forms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit() -> str:
    return str(current_app.config["SHOPADMIN_LOGIN_RATE_LIMIT"])


def _next_url() -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if target and is_safe_next(target) else url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        with unit_of_work():
            user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
            return redirect(_next_url())
        flash(_("Wrong email or password."), "error")
        status = 401
    return render_template("auth/login.html", form=form, next=request.args.get("next", "")), status


@bp.route("/logout", methods=["POST"])
@staff_route()
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
