"""Assistance screens: start (from the customer page), the log with its CSV export, the
shop settings, protected customers, and the operator's pending (parked) orders.

Reads go through the scope guard; writes through ``assistance.services``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, abort, redirect, request, stream_with_context
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from shopadmin.assistance import flows, services
from shopadmin.assistance.models import AssistanceSession, AssistanceSettings, ProtectedCustomer
from shopadmin.core.access import Permission
from shopadmin.core.admin import EnumFilter, ScopedModelView
from shopadmin.core.db import acting_as
from shopadmin.core.errors import DomainError, NotFound
from shopadmin.core.web import flash_error, request_access
from shopadmin.customers import services as customers
from shopadmin.extensions import db
from shopadmin.orders.models import Order
from shopadmin.tenants import services as tenants
from shopadmin.tenants.admin import shop_options

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A spreadsheet-safe cell: text a spreadsheet would run as a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- forms ---------------------------------------------------------------------------------------


class StartForm(FlaskForm):
    shop = SelectField(_l("Shop"))
    reason_code = SelectField(_l("Reason"))
    reason = StringField(_l("What the customer needs"), validators=[DataRequired(), Length(max=500)])
    ticket = StringField(_l("Ticket or call id"), validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Sign in as the customer"))


class SettingsForm(FlaskForm):
    shop = SelectField(_l("Shop"), coerce=int)
    session_minutes = IntegerField(_l("Session length (minutes)"), default=30,
                                   validators=[DataRequired(), NumberRange(min=1, max=services.MAX_SESSION_MINUTES)])
    min_role = SelectField(_l("Lowest role that may assist"),
                           choices=[SelectChoice(role, role) for role in ("csr", "supervisor", "manager", "owner")])
    notify_customer = BooleanField(_l("Email the customer when staff signs in to their account"))
    reason_codes = TextAreaField(_l("Reason codes (one 'code: label' per line; empty: the defaults)"),
                                 validators=[Optional(), Length(max=5000)])


class ProtectForm(FlaskForm):
    shop = SelectField(_l("Shop"), coerce=int)
    customer_id = IntegerField(_l("Customer number"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


# -- the log -------------------------------------------------------------------------------------


class AssistanceLogAdmin(ScopedModelView):
    """Who assisted whom, why, where, when, from where, and what was done."""

    view_permission = Permission.ASSISTANCE_LOG_VIEW
    can_view_details = True
    details_template = "assistance/admin/details.html"
    list_template = "assistance/admin/list.html"
    column_list = ("id", "shop", "status", "operator_name", "customer_name", "reason_code", "reason", "ticket",
                   "created_at", "started_at", "ended_at", "end_reason", "refusal", "ip")
    column_default_sort = ("id", True)
    column_searchable_list = ("customer_name", "operator_name", "reason", "ticket")
    column_filters = (EnumFilter(AssistanceSession.status, _l("Status"), "assistance_status"), "refusal",
                      "operator_name")
    column_labels = {  # noqa: RUF012
        "id": _l("No."), "shop": _l("Shop"), "status": _l("Status"), "operator_name": _l("Operator"),
        "customer_name": _l("Customer"), "reason_code": _l("Reason code"), "reason": _l("Reason"),
        "ticket": _l("Ticket"), "created_at": _l("Asked at"), "started_at": _l("From"), "ended_at": _l("To"),
        "end_reason": _l("Ended by"), "refusal": _l("Refused because"), "ip": _l("From where (IP)"),
    }
    column_formatters = {"shop": lambda v, c, m, p: m.shop.code}  # noqa: RUF012

    def _allowed_query(self, query: Any) -> Any:
        allowed = self.access.shops_allowing(Permission.ASSISTANCE_LOG_VIEW)
        return query if allowed is None else query.filter(AssistanceSession.shop_id.in_(sorted(allowed)))

    def get_query(self) -> Any:
        return self._allowed_query(super().get_query())

    def get_count_query(self) -> Any:
        return self._allowed_query(super().get_count_query())

    def render(self, template: str, **kwargs: Any) -> Any:
        kwargs["can_export_log"] = self.access.can_anywhere(Permission.ASSISTANCE_LOG_EXPORT)
        return super().render(template, **kwargs)

    @expose("/export.csv")
    def export_csv(self) -> Any:
        if not self.access.can_anywhere(Permission.ASSISTANCE_LOG_EXPORT):
            abort(403)
        access = self.access

        def generate() -> Iterator[str]:
            with acting_as(access):
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                writer.writerow(services.EXPORT_HEADER)
                for row in services.export_rows(access):
                    writer.writerow([csv_cell(value) for value in row])
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
                yield buffer.getvalue()

        response = Response(stream_with_context(generate()), mimetype="text/csv")
        response.headers["Content-Disposition"] = "attachment; filename=assistance-log.csv"
        return response


# -- starting, and the operator's pending orders ---------------------------------------------------


class AssistanceView(BaseView):  # type: ignore[misc]
    """Start assistance from a customer page; the operator's parked and transferred orders.

    Checked like the scoped views: signed-in staff only, 404 for a customer outside the
    caller's shops, 403 where no shop lets the caller assist.
    """

    __scoped_page__ = True

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        from flask import url_for

        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    def is_visible(self) -> bool:
        return bool(current_user.is_authenticated) and request_access().can_anywhere(Permission.CUSTOMER_ASSIST)


    def _customer_and_shops(self) -> tuple[Any, list[Any]]:
        access = request_access()
        raw = request.values.get("customer_id") or ""
        if not raw.isdigit():
            abort(404)
        try:
            customer = customers.get_customer(access, int(raw))
        except NotFound:
            abort(404)
        except DomainError:
            abort(403)
        visible = [s for s in customers.group_shop_ids(customer) if access.sees(s)]
        if not any(access.can(Permission.CUSTOMER_ASSIST, s) for s in visible):
            abort(403)
        return customer, services.assistable_shops(access, customer)

    def _start_form(self, shops: list[Any]) -> StartForm:
        form = StartForm()
        form.shop.choices = [SelectChoice(shop.code, str(shop)) for shop in shops]
        if request.method == "GET":
            # The shop chosen in the list reloads the form with ``?shop=``: its reason codes.
            form.shop.data = request.args.get("shop")
        chosen = next((shop for shop in shops if shop.code == form.shop.data), shops[0] if shops else None)
        if chosen is not None:
            form.shop.data = chosen.code
        form.reason_code.choices = [SelectChoice("", "—")] + [
            (code.code, code.label) for code in (services.reason_codes(chosen.id) if chosen else [])
        ]
        return form

    def _start_page(self, customer: Any, shops: list[Any], form: StartForm) -> Any:
        return self.render("assistance/admin/start.html", customer=customer, form=form, shops=shops,
                           action_url=self.get_url(".begin_view", customer_id=customer.id),
                           reload_url=self.get_url(".start_view", customer_id=customer.id),
                           return_url=self.get_url("customers.details_view", id=customer.id))

    @expose("/start/")
    def start_view(self) -> Any:
        """The form (choose the shop and the reason); starting is a POST to ``begin``."""
        customer, shops = self._customer_and_shops()
        return self._start_page(customer, shops, self._start_form(shops))

    @expose("/begin/", methods=("POST",))
    def begin_view(self) -> Any:
        """Start: CSRF-checked POST only (a GET answers 405), then off to the hand-off link."""
        customer, shops = self._customer_and_shops()
        form = self._start_form(shops)
        if form.validate_on_submit():
            try:
                _hand_off, url = flows.start(request_access(), services.StartRequest(
                    customer_id=customer.id, shop=form.shop.data or "", reason=form.reason.data,
                    reason_code=form.reason_code.data or None, ticket=form.ticket.data, ip=flows.client_ip(),
                    user_agent=(request.user_agent.string or "")[:200], origin="admin",
                ))
            except DomainError as exc:
                flash_error(exc)
            else:
                return redirect(url)
        elif form.csrf_token.errors:
            abort(400)
        return self._start_page(customer, shops, form)

    @expose("/")
    def index(self) -> Any:
        """My pending orders: parked by me, or transferred to me."""
        access = request_access()
        held = db.session.scalars(
            sa.select(Order).where(Order.held_by_user_id == access.user_id, Order.state.in_(("cart", "quote")))
            .order_by(Order.id.desc()).limit(200)
        ).unique().all()
        return self.render("assistance/admin/pending.html", orders=held)


# -- settings and protected customers --------------------------------------------------------------


class AssistanceSettingsAdmin(ScopedModelView):
    view_permission = Permission.ASSISTANCE_SETTINGS
    create_permission = Permission.ASSISTANCE_SETTINGS
    edit_permission = Permission.ASSISTANCE_SETTINGS

    form = SettingsForm
    column_list = ("shop", "session_minutes", "min_role", "notify_customer", "reason_codes")
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"), "session_minutes": _l("Minutes"), "min_role": _l("Lowest role"),
        "notify_customer": _l("Email the customer"), "reason_codes": _l("Reason codes"),
    }
    column_formatters = {  # noqa: RUF012
        "shop": lambda v, c, m, p: m.shop.code,
        "reason_codes": lambda v, c, m, p: ", ".join(row["code"] for row in m.reason_codes or []),
    }

    def create_form(self, obj: Any = None) -> SettingsForm:
        form = super().create_form(obj)
        form.shop.choices = shop_options(Permission.ASSISTANCE_SETTINGS)
        return form

    def edit_form(self, obj: Any = None) -> SettingsForm:
        form = super().edit_form(obj)
        del form.shop
        if obj is not None and request.method == "GET":
            form.reason_codes.data = "\n".join(f"{r['code']}: {r['label']}" for r in obj.reason_codes or [])
        return form

    def _save(self, shop_id: int, form: SettingsForm) -> AssistanceSettings:
        shop = tenants.get_shop_by_id(self.access, shop_id)
        return services.update_settings(
            self.access, shop, session_minutes=form.session_minutes.data, min_role=form.min_role.data,
            notify_customer=bool(form.notify_customer.data), reason_codes_text=form.reason_codes.data or "",
        )

    def create_record(self, form: SettingsForm) -> AssistanceSettings:
        return self._save(int(form.shop.data), form)

    def update_record(self, form: SettingsForm, model: AssistanceSettings) -> AssistanceSettings:
        return self._save(model.shop_id, form)


class ProtectedCustomerAdmin(ScopedModelView):
    view_permission = Permission.ASSISTANCE_SETTINGS
    create_permission = Permission.ASSISTANCE_SETTINGS
    delete_permission = Permission.ASSISTANCE_SETTINGS

    form = ProtectForm
    column_list = ("shop", "customer_id", "note", "created_at")
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"), "customer_id": _l("Customer number"), "note": _l("Note"), "created_at": _l("Since"),
    }
    column_formatters = {"shop": lambda v, c, m, p: m.shop.code}  # noqa: RUF012

    def create_form(self, obj: Any = None) -> ProtectForm:
        form = super().create_form(obj)
        form.shop.choices = shop_options(Permission.ASSISTANCE_SETTINGS)
        return form

    def create_record(self, form: ProtectForm) -> ProtectedCustomer:
        shop = tenants.get_shop_by_id(self.access, int(form.shop.data))
        return services.protect_customer(self.access, shop, int(form.customer_id.data or 0),
                                         note=form.note.data or "")

    def delete_record(self, model: ProtectedCustomer) -> None:
        services.unprotect_customer(self.access, model)


# -- wiring ----------------------------------------------------------------------------------------


def assistance_start_url(customer: Any) -> str | None:
    """For the customer page: where to start assisting, when the caller may (else None)."""
    from flask import url_for

    access = request_access()
    try:
        if not services.assistable_shops(access, customer):
            return None
    except DomainError:
        return None
    return url_for("assistance.start_view", customer_id=customer.id)


def order_operator_name(order: Any) -> str | None:
    """For the order page: the staff user who placed or changed it as the customer, if any."""
    from shopadmin.staff.models import User

    operator_id = getattr(order, "operator_id", None)
    user = db.session.get(User, operator_id) if operator_id is not None else None
    return (user.name or user.email) if user is not None else None


def register_admin(app: Flask, admin: Any) -> None:
    """Add the assistance screens (called by ``create_app``)."""
    from flask import Blueprint

    app.register_blueprint(Blueprint("assistance_screens", __name__, template_folder="templates"))
    app.jinja_env.globals["assistance_start_url"] = assistance_start_url
    app.jinja_env.globals["order_operator_name"] = order_operator_name
    category = _l("Assistance")
    admin.add_view(AssistanceView(name=_l("Pending orders"), endpoint="assistance", category=category))
    admin.add_view(AssistanceLogAdmin(AssistanceSession, name=_l("Assistance log"), endpoint="assistance_log",
                                      category=category))
    admin.add_view(AssistanceSettingsAdmin(AssistanceSettings, name=_l("Assistance settings"),
                                           endpoint="assistance_settings", category=category))
    admin.add_view(ProtectedCustomerAdmin(ProtectedCustomer, name=_l("Protected customers"),
                                          endpoint="protected_customers", category=category))
