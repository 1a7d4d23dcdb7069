"""Customer screens in the admin: list (search, filters, bulk tags, CSV export), detail page
(profile, addresses, shops, timeline, alerts, why-visible) and the forms around it.

Every write goes through ``customers.services`` / ``customers.activities``. The record
pages (``?id=``) are checked like Flask-Admin's own: 404 outside the caller's scope, then
403 when no shop of the customer's group gives the caller the role for the action.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, request, stream_with_context
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from shopadmin.core import csvsafe
from shopadmin.core.access import Permission
from shopadmin.core.admin import EnumFilter, ScopedModelView
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.core.errors import Conflict, DomainError, Forbidden, NotFound
from shopadmin.core.web import flash_error
from shopadmin.customers import activities, services
from shopadmin.customers.forms import (
    ActivityCodeForm,
    ActivityForm,
    AddressForm,
    AlertForm,
    AttributeDefinitionForm,
    ClearAlertForm,
    CustomerForm,
    PrivateNoteForm,
    RegisterForm,
)
from shopadmin.customers.models import (
    ActivityCode,
    AttributeDefinition,
    CodeKind,
    Customer,
    CustomerAlert,
    CustomerShop,
    CustomerTag,
    CustomerType,
)
from shopadmin.extensions import db
from shopadmin.tenants import services as tenants
from shopadmin.tenants.admin import shop_options
from shopadmin.tenants.explain import why_visible
from shopadmin.tenants.models import Shop

# Routes-free: only makes ``templates/customers/...`` known to Jinja.
templates_bp = Blueprint("customers_screens", __name__, template_folder="templates")


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


# -- list filters -------------------------------------------------------------------------------


class TagFilter(BaseSQLAFilter):  # type: ignore[misc]
    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        tagged = sa.select(CustomerTag.customer_id).where(CustomerTag.tag == str(value).strip().lower())
        return query.filter(Customer.id.in_(tagged))

    def operation(self) -> Any:
        return _l("is")


class ShopFilter(BaseSQLAFilter):  # type: ignore[misc]
    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        shops = sa.select(Shop.id).where(Shop.code == str(value).strip())
        registered = sa.select(CustomerShop.customer_id).where(CustomerShop.shop_id.in_(shops))
        return query.filter(Customer.id.in_(registered))

    def operation(self) -> Any:
        return _l("code is")


class AlertFilter(EnumFilter):
    """Customers with ("1") or without ("0") an open alert."""

    def condition(self, column: Any, value: Any) -> sa.ColumnElement[bool]:
        active = sa.select(CustomerAlert.customer_id).where(CustomerAlert.cleared_at.is_(None))
        return Customer.id.in_(active) if value == "1" else Customer.id.not_in(active)


# -- CSV export ----------------------------------------------------------------------------------

CSV_HEADER = ["id", "email", "first_name", "last_name", "type", "company", "department", "phone", "locale",
              "tags", "shops", "allow_assistance", "created_at"]


def csv_lines(rows: Iterator[list[object]]) -> Iterator[str]:
    return csvsafe.csv_lines(CSV_HEADER, rows)


# -- the customer views ---------------------------------------------------------------------------


class CustomerAdmin(ScopedModelView):
    view_permission = Permission.CUSTOMER_VIEW
    create_permission = Permission.CUSTOMER_CREATE
    edit_permission = Permission.CUSTOMER_EDIT
    activity_permission = Permission.ACTIVITY_ADD
    alert_permission = Permission.ALERT_FLAG
    clear_permission = Permission.ALERT_CLEAR
    register_permission = Permission.CUSTOMER_REGISTER
    notes_permission = Permission.CUSTOMER_PRIVATE_NOTES

    RECORD_VIEWS: ClassVar[dict[str, str]] = {
        **ScopedModelView.RECORD_VIEWS,
        "activity_view": "activity_permission",
        "alert_view": "alert_permission",
        "clear_alert_view": "clear_permission",
        "address_view": "edit_permission",
        "register_view": "register_permission",
        "notes_view": "notes_permission",
    }

    form = CustomerForm
    list_template = "customers/admin/list.html"
    details_template = "customers/admin/details.html"
    column_list = ("id", "name", "email", "company", "phone", "tags", "shops", "alerts")
    column_searchable_list = ("search_text",)
    column_default_sort = ("id", True)
    # No COUNT(*) over a million customers for every page: next/previous only.
    simple_list_pager = True
    page_size = 25
    column_labels = {  # noqa: RUF012
        "id": _l("No."), "name": _l("Name"), "email": _l("Email"), "company": _l("Company"), "phone": _l("Phone"),
        "tags": _l("Tags"), "shops": _l("Shops"), "alerts": _l("Alerts"),
    }
    column_formatters = {  # noqa: RUF012
        "tags": lambda v, c, m, p: ", ".join(m.tags),
        "shops": lambda v, c, m, p: ", ".join(services.shop_codes(m, active_only=True)),
        "alerts": lambda v, c, m, p: Markup('<span class="badge badge-danger">{}</span>').format(
            sum(1 for alert in m.alerts if alert.cleared_at is None)
        ) if any(alert.cleared_at is None for alert in m.alerts) else "",
        "name": lambda v, c, m, p: Markup('<a href="{}" data-testid="customer-link">{}</a>').format(
            v.get_url(".details_view", id=m.id, url=v.get_url(".index_view")), m.name or m.company or m.email
        ),
    }
    column_filters = (
        TagFilter(Customer.id, _l("Tag")),
        ShopFilter(Customer.id, _l("Registered with shop")),
        EnumFilter(Customer.type, _l("Type"), {CustomerType.B2C: "B2C", CustomerType.B2B: "B2B"}),
        AlertFilter(Customer.id, _l("Alerts"), {"1": _l("open"), "0": _l("none")}),
    )

    # -- scope and roles: a customer is checked through the shops of its group ------------------

    def require_on(self, record: Any, permission: Permission | None) -> None:
        if permission is None:
            abort(403)
        try:
            services.acting_shop_id(self.access, record, permission)
        except NotFound:
            abort(404)
        except Forbidden:
            abort(403)

    def _customer(self) -> Customer:
        record_id = request.args.get("id") or request.form.get("id") or ""
        return self.find_record(record_id)  # type: ignore[no-any-return]

    # -- list: trigram search on search_text ----------------------------------------------------

    def _apply_search(self, query: Any, count_query: Any, joins: Any, count_joins: Any, search: str) -> Any:
        for term in search.lower().split():
            condition: sa.ColumnElement[bool] = Customer.search_text.like(
                services.like_pattern(term), escape="\\"
            )
            if term.isdigit() and len(term) < 10:
                condition = sa.or_(condition, Customer.id == int(term))
            query = query.filter(condition)
            if count_query is not None:
                count_query = count_query.filter(condition)
        return query, count_query, joins, count_joins

    @action("add_tags", _l("Add the tags typed above"))
    def add_tags_action(self, ids: list[str]) -> None:
        tags = _split(request.form.get("bulk_tags"))
        if not tags:
            flash(_("Type the tags to add first."), "error")
            return
        try:
            with unit_of_work():
                changed = services.add_tags(self.access, [int(i) for i in ids if i.isdigit()], tags)
        except DomainError as exc:
            flash_error(exc)
            return
        flash(_("Tagged %(count)d customers.", count=changed), "success")

    def is_action_allowed(self, name: str) -> bool:
        return self.can_edit and bool(super().is_action_allowed(name))

    @expose("/export.csv")
    def export_csv(self) -> Any:
        """The visible customers (of the shops where the caller may export) as CSV."""
        if not self.access.can_anywhere(Permission.CUSTOMER_EXPORT):
            abort(403)
        access, search = self.access, request.args.get("search")

        def generate() -> Iterator[str]:
            # The streamed body may run on a fresh session: bind the caller's scope to it.
            with acting_as(access):
                yield from csv_lines(services.export_rows(access, q=search))

        response = Response(stream_with_context(generate()), mimetype="text/csv")
        response.headers["Content-Disposition"] = "attachment; filename=customers.csv"
        return response

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.list_template:
            kwargs["can_export_csv"] = self.access.can_anywhere(Permission.CUSTOMER_EXPORT)
        if template == self.details_template and kwargs.get("model") is not None:
            kwargs.update(self._details_context(kwargs["model"]))
        return super().render(template, **kwargs)

    # -- details --------------------------------------------------------------------------------

    def _details_context(self, customer: Customer) -> dict[str, Any]:
        access = self.access
        shop_ids = services.group_shop_ids(customer)
        visible = [shop_id for shop_id in shop_ids if access.sees(shop_id)]
        acting = visible[0] if visible else customer.home_shop_id
        shops = {shop.id: shop for shop in db.session.scalars(sa.select(Shop).where(Shop.id.in_(visible)))}
        codes = {shop.id: shop.code for shop in shops.values()}
        codes.update({grant.via_shop_id: services.shop_code(grant.via_shop_id) or "?"
                      for grant in access.grants.values()})
        reason = self._why(customer, shops, codes)
        timeline = activities.list_activities(access, customer, limit=100)
        labels = {
            (entry.id, kind): activities.code_label(entry.shop_id, kind, code)
            for entry in timeline
            for kind, code in ((CodeKind.ACTIVITY, entry.activity_code), (CodeKind.RESULT, entry.result_code))
        }
        return {
            "why": reason,
            "timeline": timeline,
            "code_labels": labels,
            "alerts": activities.list_alerts(access, customer),
            "private_notes": services.private_notes(access, customer),
            "registrations": [(link, services.shop_code(link.shop_id)) for link in customer.links],
            "shop_code": services.shop_code,
            "activity_form": self._activity_form(customer, acting),
            "alert_form": AlertForm(),
            "clear_form": ClearAlertForm(),
            "can_add_activity": access.can_anywhere(Permission.ACTIVITY_ADD),
            "can_flag": access.can_anywhere(Permission.ALERT_FLAG),
            "can_clear": any(access.can(Permission.ALERT_CLEAR, shop_id) for shop_id in visible),
            "can_edit_customer": any(access.can(Permission.CUSTOMER_EDIT, shop_id) for shop_id in visible),
            "orders": self._orders(customer),
            "order_shops": self._order_shops(customer),
        }

    def _order_shops(self, customer: Customer) -> list[Shop]:
        """The shops where the caller may capture an order for this customer ("New order")."""
        from shopadmin.orders import lookups  # orders build on customers, not the reverse

        if not self.access.can_anywhere(Permission.ORDER_CAPTURE):
            return []
        return lookups.order_shops(self.access, customer)

    def _orders(self, customer: Customer) -> list[Any]:
        """The customer's latest orders in the shops where the caller may see orders."""
        from shopadmin.orders import services as orders  # orders build on customers, not the reverse

        if not self.access.can_anywhere(Permission.ORDER_VIEW):
            return []
        return orders.customer_orders(self.access, customer.id, limit=20)

    def _why(self, customer: Customer, shops: dict[int, Shop], codes: dict[int, str]) -> str:
        """One line: through which shop (and role) the current user sees this customer."""
        access = self.access
        if access.is_superadmin:
            return _("You see this customer as a superadmin.")
        registered = set(customer.active_shop_ids)
        ordered = sorted(shops.values(), key=lambda shop: (shop.id not in registered, shop.code))
        if not ordered:
            return ""
        shop = ordered[0]
        line = why_visible(access, shop, codes)
        if shop.id in registered:
            return _("Registered with %(shop)s: %(reason)s", shop=shop.code, reason=line)
        group = customer.sharing_group.name if customer.sharing_group else ""
        return _("Shared in sharing group %(group)s through %(shop)s: %(reason)s", group=group, shop=shop.code,
                 reason=line)

    def _activity_form(self, customer: Customer, acting: int, form: ActivityForm | None = None) -> ActivityForm:
        form = form or ActivityForm()
        allowed = [s for s in services.group_shop_ids(customer) if self.access.can(Permission.ACTIVITY_ADD, s)]
        form.shop.choices = [SelectChoice(str(s), services.shop_code(s) or "?") for s in allowed]
        shop_id = int(form.shop.data) if str(form.shop.data or "").isdigit() else (allowed[0] if allowed else acting)
        empty = [SelectChoice("", "—")]
        form.activity_code.choices = empty + [
            SelectChoice(code.code, code.label) for code in activities.codes_for_shop(shop_id, CodeKind.ACTIVITY)
        ]
        form.result_code.choices = empty + [
            SelectChoice(code.code, code.label) for code in activities.codes_for_shop(shop_id, CodeKind.RESULT)
        ]
        return form

    def _back(self, customer_id: int) -> WerkzeugResponse:
        return redirect(self.get_url(".details_view", id=customer_id))

    def _form_page(self, title: str, form: Any, customer: Customer, action_url: str) -> Any:
        return self.render("customers/admin/form_page.html", title=title, form=form, customer=customer,
                           action_url=action_url, return_url=self.get_url(".details_view", id=customer.id))

    @expose("/activity/", methods=("GET", "POST"))
    def activity_view(self) -> Any:
        customer = self._customer()
        form = self._activity_form(customer, customer.home_shop_id)
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    activities.add_activity(
                        self.access, customer, kind=form.kind.data or "", subject=form.subject.data,
                        body=form.body.data, activity_code=form.activity_code.data or None,
                        result_code=form.result_code.data or None, order_id=form.order_id.data or None,
                        shop_id=int(form.shop.data) if str(form.shop.data or "").isdigit() else None,
                    )
                flash(_("Added to the timeline."), "success")
                return self._back(customer.id)
            except DomainError as exc:
                flash_error(exc)
        return self._form_page(_("Add a note or call"), form, customer, self.get_url(".activity_view", id=customer.id))

    @expose("/alert/", methods=("GET", "POST"))
    def alert_view(self) -> Any:
        customer = self._customer()
        form = AlertForm()
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    activities.flag_alert(self.access, customer, message=form.message.data or "",
                                          order_id=form.order_id.data or None)
                flash(_("Alert raised."), "success")
                return self._back(customer.id)
            except DomainError as exc:
                flash_error(exc)
        return self._form_page(_("Flag for review"), form, customer, self.get_url(".alert_view", id=customer.id))

    @expose("/alert/clear/", methods=("GET", "POST"))
    def clear_alert_view(self) -> Any:
        customer = self._customer()
        form = ClearAlertForm()
        if request.method == "GET":
            form.alert_id.data = request.args.get("alert_id", "")
        if form.validate_on_submit():
            try:
                alert_id = int(form.alert_id.data or "0")
                with unit_of_work():
                    activities.clear_alert(self.access, customer, alert_id, note=form.note.data)
                flash(_("Alert cleared."), "success")
                return self._back(customer.id)
            except ValueError:
                abort(404)
            except DomainError as exc:
                flash_error(exc)
        return self._form_page(_("Clear an alert"), form, customer,
                               self.get_url(".clear_alert_view", id=customer.id))

    @expose("/address/", methods=("GET", "POST"))
    def address_view(self) -> Any:
        customer = self._customer()
        form = AddressForm()
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    services.add_address(self.access, customer, {
                        key: form.data[key] for key in
                        ("kind", "name", "company", "line1", "line2", "postcode", "city", "region", "country",
                         "is_default")
                    })
                flash(_("Address added."), "success")
                return self._back(customer.id)
            except DomainError as exc:
                flash_error(exc)
        return self._form_page(_("Add an address"), form, customer, self.get_url(".address_view", id=customer.id))

    @expose("/register/", methods=("GET", "POST"))
    def register_view(self) -> Any:
        customer = self._customer()
        form = RegisterForm()
        registered = {link.shop_id for link in customer.links}
        form.shop.choices = [
            SelectChoice(code, code) for shop_id in services.group_shop_ids(customer)
            if shop_id not in registered and self.access.can(Permission.CUSTOMER_REGISTER, shop_id)
            and (code := services.shop_code(shop_id) or "")
        ]
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    services.register_with_shop(self.access, customer.id, form.shop.data or "")
                flash(_("Registered with %(shop)s.", shop=form.shop.data), "success")
                return self._back(customer.id)
            except DomainError as exc:
                flash_error(exc)
        return self._form_page(_("Register with another shop"), form, customer,
                               self.get_url(".register_view", id=customer.id))

    @expose("/notes/", methods=("GET", "POST"))
    def notes_view(self) -> Any:
        customer = self._customer()
        form = PrivateNoteForm()
        allowed = [s for s in services.group_shop_ids(customer)
                   if self.access.can(Permission.CUSTOMER_PRIVATE_NOTES, s)]
        form.shop.choices = [SelectChoice(str(s), services.shop_code(s) or "?") for s in allowed]
        if request.method == "GET" and allowed:
            note = services.private_note(self.access, customer, allowed[0])
            if note is not None:
                form.notes.data, form.tags.data = note.notes, ", ".join(note.tags)
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    shop = tenants.get_shop_by_id(self.access, int(form.shop.data or "0"))
                    services.set_private_note(self.access, customer, shop, notes=form.notes.data or "",
                                              tags=_split(form.tags.data))
                flash(_("Internal notes saved."), "success")
                return self._back(customer.id)
            except (DomainError, ValueError) as exc:
                if isinstance(exc, DomainError):
                    flash_error(exc)
        return self._form_page(_("Internal notes of your shop"), form, customer,
                               self.get_url(".notes_view", id=customer.id))

    # -- create and edit -----------------------------------------------------------------------

    def create_form(self, obj: Any = None) -> CustomerForm:
        form = super().create_form(obj)
        allowed = self.access.shops_allowing(Permission.CUSTOMER_CREATE)
        stmt = sa.select(Shop).order_by(Shop.code)
        if allowed is not None:
            stmt = stmt.where(Shop.id.in_(sorted(allowed)))
        form.shop.choices = [SelectChoice(shop.code, str(shop)) for shop in db.session.scalars(stmt)]
        return form

    def edit_form(self, obj: Any = None) -> CustomerForm:
        form = super().edit_form(obj)
        del form.shop
        for name in ("address_name", "address_line1", "address_line2", "address_postcode", "address_city",
                     "address_country"):
            delattr(form, name)
        if obj is not None and request.method == "GET":
            form.tags.data = ", ".join(obj.tags)
            form.type.data = obj.type.value
            form.password.data = ""
        return form

    def create_record(self, form: CustomerForm) -> Customer:
        addresses = []
        default_name = f"{form.first_name.data or ''} {form.last_name.data or ''}".strip()
        if form.address_line1.data or form.address_city.data:
            for kind in ("shipping", "billing"):
                addresses.append({
                    "kind": kind,
                    "name": form.address_name.data or default_name,
                    "line1": form.address_line1.data, "line2": form.address_line2.data or "",
                    "postcode": form.address_postcode.data or "", "city": form.address_city.data,
                    "country": form.address_country.data,
                })
        return services.create_customer(self.access, services.CustomerInput(
            shop=form.shop.data or "", email=form.email.data or "", first_name=form.first_name.data or "",
            last_name=form.last_name.data or "", type=form.type.data or "b2c", company=form.company.data or "",
            department=form.department.data or "", phone=form.phone.data or "", locale=form.locale.data or None,
            tags=_split(form.tags.data), addresses=addresses, password=form.password.data or None,
            allow_assistance=bool(form.allow_assistance.data), wants_order_emails=bool(form.wants_order_emails.data),
        ))

    def create_model(self, form: CustomerForm) -> Any:
        try:
            with unit_of_work():
                model = self.create_record(form)
        except Conflict as exc:
            if exc.code == "customer_exists":
                url = self.get_url(".details_view", id=exc.fields["id"])
                flash(Markup('{} <a href="{}" data-testid="open-existing">{}</a>').format(
                    _("A customer with this email already exists in this sharing group."), url,
                    _("Open the existing customer"),
                ), "warning")
                return False
            flash_error(exc)
            return False
        except DomainError as exc:
            flash_error(exc)
            return False
        self.after_model_change(form, model, True)
        return model

    def update_record(self, form: CustomerForm, model: Customer) -> Customer:
        changes: dict[str, Any] = {
            key: form.data[key] or "" for key in
            ("email", "first_name", "last_name", "type", "company", "department", "phone")
        }
        if form.locale.data:
            changes["locale"] = form.locale.data
        changes["tags"] = _split(form.tags.data)
        changes["allow_assistance"] = bool(form.allow_assistance.data)
        changes["wants_order_emails"] = bool(form.wants_order_emails.data)
        if form.password.data:
            changes["password"] = form.password.data
        return services.update_customer(self.access, model, changes)

    def update_model(self, form: CustomerForm, model: Customer) -> bool:
        try:
            with unit_of_work():
                self.update_record(form, model)
        except DomainError as exc:
            flash_error(exc)
            db.session.expire_all()
            return False
        self.after_model_change(form, model, False)
        return True


class ActivityCodeAdmin(ScopedModelView):
    """A shop's activity and result codes (the defaults are listed once a manager adds one)."""

    view_permission = Permission.CUSTOMER_VIEW
    create_permission = Permission.ACTIVITY_CODES_MANAGE
    edit_permission = Permission.ACTIVITY_CODES_MANAGE

    form = ActivityCodeForm
    column_list = ("shop", "kind", "code", "label", "is_active")
    column_default_sort = [("shop_id", False), ("kind", False), ("position", False)]  # noqa: RUF012
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"), "kind": _l("List"), "code": _l("Code"), "label": _l("Label"), "is_active": _l("Active"),
    }
    column_formatters = {"kind": lambda v, c, m, p: m.kind.value}  # noqa: RUF012

    def create_form(self, obj: Any = None) -> ActivityCodeForm:
        form = super().create_form(obj)
        form.shop.choices = shop_options(Permission.ACTIVITY_CODES_MANAGE)
        return form

    def edit_form(self, obj: Any = None) -> ActivityCodeForm:
        form = super().edit_form(obj)
        del form.shop
        del form.kind
        form.code.render_kw = {"readonly": True}
        return form

    def create_record(self, form: ActivityCodeForm) -> ActivityCode:
        shop = tenants.get_shop_by_id(self.access, form.shop.data)
        return activities.add_code(self.access, shop, kind=form.kind.data or "", code=form.code.data or "",
                                   label=form.label.data or "", is_active=bool(form.is_active.data))

    def update_record(self, form: ActivityCodeForm, model: ActivityCode) -> ActivityCode:
        return activities.update_code(self.access, model, label=form.label.data or "",
                                      is_active=bool(form.is_active.data))


class AttributeDefinitionAdmin(ScopedModelView):
    """The custom fields of a shop's customer registration form."""

    view_permission = Permission.CUSTOMER_VIEW
    create_permission = Permission.CUSTOMER_ATTRIBUTES_MANAGE
    delete_permission = Permission.CUSTOMER_ATTRIBUTES_MANAGE

    form = AttributeDefinitionForm
    column_list = ("shop", "name", "label", "type", "is_required", "choices")
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"), "name": _l("Name"), "label": _l("Label"), "type": _l("Type"),
        "is_required": _l("Required"), "choices": _l("Choices"),
    }
    column_formatters = {  # noqa: RUF012
        "type": lambda v, c, m, p: m.type.value,
        "choices": lambda v, c, m, p: ", ".join(m.choices),
    }

    def create_form(self, obj: Any = None) -> AttributeDefinitionForm:
        form = super().create_form(obj)
        form.shop.choices = shop_options(Permission.CUSTOMER_ATTRIBUTES_MANAGE)
        return form

    def create_record(self, form: AttributeDefinitionForm) -> AttributeDefinition:
        shop = tenants.get_shop_by_id(self.access, form.shop.data)
        return activities.define_attribute(
            self.access, shop, name=form.name.data or "", label=form.label.data or None, type=form.type.data or "",
            required=bool(form.required.data), choices=_split(form.choices.data) or None,
        )

    def delete_record(self, model: AttributeDefinition) -> None:
        activities.delete_attribute(self.access, tenants.get_shop_by_id(self.access, model.shop_id), model.name)


def register_admin(app: Any, admin: Any) -> None:
    """Add the customer screens to the admin (called by ``create_app``)."""
    app.register_blueprint(templates_bp)
    admin.add_view(CustomerAdmin(Customer, name=_l("Customers"), endpoint="customers"))
    admin.add_view(ActivityCodeAdmin(ActivityCode, name=_l("Activity codes"), endpoint="activity_codes",
                                     category=_l("Customer settings")))
    admin.add_view(AttributeDefinitionAdmin(AttributeDefinition, name=_l("Custom fields"),
                                            endpoint="customer_attributes", category=_l("Customer settings")))
