"""Notification screens: the outbox (filters, open alerts, retry), one sent message, the
template manager (edit, preview on a real order, test send), per-shop settings, and
writing an email from an order or a customer.

Every read and write goes through ``notifications.services``; record pages (``?id=``)
are 404 outside the caller's scope, then 403 below the role, as everywhere in the admin.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Blueprint, abort, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from shopadmin.core.access import Permission
from shopadmin.core.admin import EnumFilter, ScopedModelView
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import DomainError, Forbidden, Invalid, NotFound
from shopadmin.core.i18n import label
from shopadmin.core.web import flash_error
from shopadmin.notifications import rendering, services
from shopadmin.notifications.events import EVENTS
from shopadmin.notifications.forms import (
    ComposeForm,
    RecordActionForm,
    SettingsForm,
    TemplateForm,
    event_choices,
    locale_choices,
)
from shopadmin.notifications.models import (
    Notification,
    NotificationSettings,
    NotificationStatus,
    NotificationTemplate,
)
from shopadmin.notifications.sources import load_customer, load_order
from shopadmin.tenants.admin import shop_options

templates_bp = Blueprint("notifications_screens", __name__, template_folder="templates")

# Where a service's field errors belong on the editor forms.
FIELD_OF_ERROR = {"subject": "subject", "body_text": "body_text", "text": "body_text", "body_html": "body_html",
                  "html": "body_html", "order_id": "preview_order", "to": "subject"}


def _form_errors(form: Any, exc: DomainError) -> None:
    """Show a service's ``Invalid`` on the form fields it names (the rest as a message)."""
    placed = False
    for key, messages in exc.plain_fields().items():
        field = getattr(form, FIELD_OF_ERROR.get(key, ""), None)
        if field is not None:
            field.errors = [*list(field.errors or []), exc.message,
                            *(messages if isinstance(messages, list) else [messages])]
            placed = True
    if not placed:
        flash_error(exc)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        abort(404)


def _abort_for(exc: DomainError) -> None:
    if isinstance(exc, NotFound):
        abort(404)
    if isinstance(exc, Forbidden):
        abort(403)


# -- the outbox ---------------------------------------------------------------------------------


class OutboxAdmin(ScopedModelView):
    """Queued, sent and failed mails; supervisors retry failed ones and dismiss their alerts."""

    view_permission = Permission.NOTIFICATION_VIEW
    retry_permission = Permission.NOTIFICATION_RETRY

    RECORD_VIEWS: ClassVar[dict[str, str]] = {
        **ScopedModelView.RECORD_VIEWS,
        "retry_view": "retry_permission",
        "dismiss_view": "retry_permission",
    }

    details_template = "notifications/admin/message.html"
    column_list = ("created_at", "shop", "event", "recipient", "subject", "status", "attempts", "last_error",
                   "is_alert_open")
    column_default_sort = ("id", True)
    column_sortable_list = ("created_at", "status")
    simple_list_pager = True
    column_labels = {  # noqa: RUF012
        "created_at": _l("When"), "shop": _l("Shop"), "event": _l("Event"), "recipient": _l("Recipient"),
        "subject": _l("Subject"), "status": _l("Status"), "attempts": _l("Attempts"), "last_error": _l("Reason"),
        "is_alert_open": _l("Alert"),
    }
    column_formatters = {  # noqa: RUF012
        "created_at": lambda v, c, m, p: m.created_at.strftime("%Y-%m-%d %H:%M"),
        "shop": lambda v, c, m, p: m.shop.code,
        "event": lambda v, c, m, p: str(EVENTS[m.event].label) if m.event in EVENTS else m.event,
        "subject": lambda v, c, m, p: Markup('<a href="{}">{}</a>').format(v.get_url(".details_view", id=m.id),
                                                                           m.subject),
        "status": lambda v, c, m, p: label(m.status, "notification_status"),
        "last_error": lambda v, c, m, p: m.last_error if m.status is NotificationStatus.FAILED else "",
        "is_alert_open": lambda v, c, m, p: Markup('<span class="badge badge-danger">{}</span>').format(_("open"))
        if m.is_alert_open else "",
    }
    column_filters = (
        EnumFilter(Notification.status, _l("Status"), "notification_status"),
        EnumFilter(Notification.is_alert_open, _l("Alert"), {"1": _l("open"), "0": _l("none")}),
    )

    def _record(self) -> Notification:
        record_id = request.args.get("id") or request.form.get("id") or ""
        return self.find_record(record_id)  # type: ignore[no-any-return]

    @expose("/details/")
    def details_view(self) -> Any:
        row = self._record()
        try:
            row = services.get_notification(self.access, row.id)
        except DomainError as exc:
            _abort_for(exc)
            raise
        return self.render(self.details_template, row=row, form=RecordActionForm(),
                           can_retry=self.access.can(Permission.NOTIFICATION_RETRY, row.shop_id))

    def _record_action(self, write: Any, done: str) -> WerkzeugResponse | Any:
        if request.method == "GET":
            return self.details_view()
        row = self._record()
        if RecordActionForm().validate_on_submit():
            try:
                with unit_of_work():
                    write(self.access, row.id)
                flash(done, "success")
            except DomainError as exc:
                flash_error(exc)
        return redirect(self.get_url(".details_view", id=row.id))

    @expose("/retry/", methods=("GET", "POST"))
    def retry_view(self) -> Any:
        return self._record_action(services.retry_notification, _("Queued again."))

    @expose("/dismiss/", methods=("GET", "POST"))
    def dismiss_view(self) -> Any:
        return self._record_action(services.dismiss_alert, _("Alert dismissed."))

    def is_action_allowed(self, name: str) -> bool:
        if name == "retry":
            return self.access.can_anywhere(Permission.NOTIFICATION_RETRY)
        return bool(super().is_action_allowed(name))

    @action("retry", _l("Retry"), _l("Queue the selected failed notifications again?"))
    def action_retry(self, ids: list[str]) -> None:
        done = 0
        for record_id in ids:
            try:
                with unit_of_work():
                    services.retry_notification(self.access, int(record_id))
                done += 1
            except (DomainError, ValueError) as exc:
                if isinstance(exc, DomainError):
                    flash_error(exc)
        flash(_("%(count)s notifications queued again.", count=done), "success")

    # -- an email from an order or a customer ----------------------------------------------------

    @expose("/compose/", methods=("GET", "POST"))
    def compose_view(self) -> Any:
        access = self.access
        order_id = _int(request.values.get("order_id"))
        customer_id = _int(request.values.get("customer_id"))
        if order_id is None and customer_id is None:
            abort(404)
        try:
            if order_id is not None:
                shop_ids = [services.order_shop_id(access, order_id)]
                access.require(Permission.NOTIFICATION_SEND, shop_ids[0])
                info = load_order(access, order_id)
                customer_id = info.customer_id if info else None
            else:
                shop_ids = services.customer_send_shop_ids(access, customer_id or 0)
                if not shop_ids:
                    abort(403)
            customer = load_customer(access, customer_id)
        except DomainError as exc:
            _abort_for(exc)
            raise
        form = ComposeForm()
        form.shop.choices = [c for c in shop_options(Permission.NOTIFICATION_SEND) if c.value in shop_ids]
        form.template.choices = [SelectChoice("", "—"), *event_choices()]
        if request.method == "GET":
            form.order_id.data = str(order_id or "")
            form.customer_id.data = str(customer_id or "")
            form.template.data = "custom"
        locale = (customer.locale if customer else None) or "en"
        shop_id = form.shop.data if form.shop.data in shop_ids else shop_ids[0]
        preview = None
        if request.method == "GET" or (form.load.data and form.template.data):
            try:
                source = services.starting_template(access, shop_id, event=form.template.data or "custom",
                                                    locale=locale)
                form.subject.data, form.body_text.data, form.body_html.data = source.subject, source.text, source.html
            except DomainError as exc:
                flash_error(exc)
        elif form.validate_on_submit():
            source = rendering.TemplateSource(form.subject.data or "", form.body_text.data or "",
                                              form.body_html.data or "", locale, False)
            try:
                if form.preview.data:
                    with unit_of_work():
                        preview = services.preview(access, shop_id, event="custom", locale=locale, source=source,
                                                   order_id=order_id, customer_id=customer_id)
                else:
                    with unit_of_work():
                        if order_id is not None:
                            row = services.send_order_email(access, order_id, subject=source.subject,
                                                            body_text=source.text, body_html=source.html)
                        else:
                            row = services.send_customer_email(access, customer_id or 0, subject=source.subject,
                                                               body_text=source.text, body_html=source.html,
                                                               shop_id=shop_id)
                        row_id = row.id
                    flash(_("The email is on its way."), "success")
                    return redirect(self.get_url(".details_view", id=row_id))
            except Invalid as exc:
                _form_errors(form, exc)
            except DomainError as exc:
                flash_error(exc)
        return self.render("notifications/admin/compose.html", form=form, preview=preview, customer=customer,
                           order_id=order_id, customer_id=customer_id)

    @expose("/resend/", methods=("GET", "POST"))
    def resend_view(self) -> Any:
        """Resend the order confirmation (GET asks, POST sends)."""
        order_id = _int(request.values.get("order_id"))
        if order_id is None:
            abort(404)
        try:
            shop_id = services.order_shop_id(self.access, order_id)
            self.access.require(Permission.NOTIFICATION_SEND, shop_id)
        except DomainError as exc:
            _abort_for(exc)
            raise
        form = RecordActionForm()
        if request.method == "POST" and form.validate_on_submit():
            try:
                with unit_of_work():
                    rows = services.resend_confirmation_for_order(self.access, order_id)
                flash(_("Order confirmation sent again to %(to)s.", to=", ".join(r.recipient for r in rows))
                      if rows else _("The customer has no email address."), "success" if rows else "error")
            except DomainError as exc:
                flash_error(exc)
            return redirect(self.get_url(".index_view"))
        return self.render("notifications/admin/confirm.html", form=form,
                           question=_("Send the order confirmation to the customer again?"))


# -- templates ----------------------------------------------------------------------------------


class TemplateAdmin(ScopedModelView):
    """A shop's own templates per event and language; managers edit, preview and test-send."""

    view_permission = Permission.TEMPLATE_MANAGE
    create_permission = Permission.TEMPLATE_MANAGE
    edit_permission = Permission.TEMPLATE_MANAGE
    delete_permission = Permission.TEMPLATE_MANAGE
    can_view_details = False

    column_list = ("shop", "event", "locale", "subject", "updated_by", "updated_at")
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"), "event": _l("Event"), "locale": _l("Language"), "subject": _l("Subject"),
        "updated_by": _l("Changed by"), "updated_at": _l("Changed at"),
    }
    column_formatters = {  # noqa: RUF012
        "shop": lambda v, c, m, p: services.shop_code(m.shop_id),
        "event": lambda v, c, m, p: str(EVENTS[m.event].label) if m.event in EVENTS else m.event,
        "updated_at": lambda v, c, m, p: m.updated_at.strftime("%Y-%m-%d %H:%M"),
    }

    def _editor(self, template: NotificationTemplate | None) -> Any:
        access = self.access
        form = TemplateForm()
        form.shop.choices = shop_options(Permission.TEMPLATE_MANAGE)
        form.event.choices = event_choices()
        form.locale.choices = locale_choices()
        if not form.shop.choices:
            abort(403)
        if template is not None:
            form.shop.data, form.event.data, form.locale.data = template.shop_id, template.event, template.locale
        preview = None
        if request.method == "GET":
            if template is not None:
                form.subject.data, form.body_text.data = template.subject, template.body_text
                form.body_html.data = template.body_html
            else:
                form.shop.data = _int(request.args.get("shop")) or form.shop.choices[0].value
                form.event.data = request.args.get("event") or "order_placed"
                form.locale.data = request.args.get("locale") or "en"
                try:
                    source = services.starting_template(access, form.shop.data, event=form.event.data,
                                                        locale=form.locale.data)
                    form.subject.data, form.body_text.data, form.body_html.data = (source.subject, source.text,
                                                                                   source.html)
                except DomainError as exc:
                    _abort_for(exc)
                    flash_error(exc)
        elif form.validate_on_submit():
            shop_id, event, locale = int(form.shop.data), str(form.event.data), str(form.locale.data)
            source = rendering.TemplateSource(form.subject.data or "", form.body_text.data or "",
                                              form.body_html.data or "", locale, False)
            try:
                if form.save.data:
                    with unit_of_work():
                        services.save_template(access, shop_id, event=event, locale=locale, subject=source.subject,
                                               body_text=source.text, body_html=source.html)
                    flash(_("Template saved."), "success")
                    return redirect(self.get_url(".index_view"))
                if form.test_send.data:
                    with unit_of_work():
                        services.send_test(access, shop_id, event=event, locale=locale, to=current_user.email,
                                           source=source, order_id=form.preview_order.data)
                    flash(_("A test was sent to %(to)s.", to=current_user.email), "success")
                with unit_of_work():
                    preview = services.preview(access, shop_id, event=event, locale=locale, source=source,
                                               order_id=form.preview_order.data)
            except Invalid as exc:
                _form_errors(form, exc)
            except NotFound:
                form.preview_order.errors = [_("No such order in your shops.")]
            except DomainError as exc:
                flash_error(exc)
        return self.render("notifications/admin/editor.html", form=form, preview=preview, record=template,
                           return_url=self.get_url(".index_view"))

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self) -> Any:
        return self._editor(None)

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self) -> Any:
        record_id = request.args.get("id") or ""
        return self._editor(self.find_record(record_id))

    def delete_record(self, model: NotificationTemplate) -> None:
        services.delete_template(self.access, model)


# -- per-shop settings ------------------------------------------------------------------------------


def _parse_days(text: str | None) -> list[int]:
    try:
        return [int(part) for part in (text or "").replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise Invalid(_("Whole numbers, separated by commas."),
                      fields={"reminder_days": [_("Whole numbers, separated by commas.")]}) from None


def _parse_addresses(text: str | None) -> dict[str, str]:
    addresses: dict[str, str] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        warehouse, sep, address = line.partition("=")
        if not sep or not warehouse.strip():
            raise Invalid(_("One line per warehouse: WAREHOUSE = address."),
                          fields={"fulfilment_addresses": [line]})
        addresses[warehouse.strip().upper()] = address.strip()
    return addresses


class SettingsAdmin(ScopedModelView):
    """Reminder schedule, escalation, body retention and fulfilment addresses per shop."""

    view_permission = Permission.SHOP_SETTINGS
    create_permission = Permission.SHOP_SETTINGS
    edit_permission = Permission.SHOP_SETTINGS
    can_view_details = False

    form = SettingsForm
    column_list = ("shop", "reminder_days", "escalate_after_days", "retention_days", "fulfilment_addresses")
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"), "reminder_days": _l("Reminders after (days)"),
        "escalate_after_days": _l("Escalate after (days)"), "retention_days": _l("Body retention (days)"),
        "fulfilment_addresses": _l("Fulfilment centres"),
    }
    column_formatters = {  # noqa: RUF012
        "shop": lambda v, c, m, p: services.shop_code(m.shop_id),
        "reminder_days": lambda v, c, m, p: ", ".join(map(str, m.reminder_days or [])),
        "fulfilment_addresses": lambda v, c, m, p: ", ".join(f"{k}: {a}" for k, a in
                                                           sorted((m.fulfilment_addresses or {}).items())),
    }

    def _form(self, model: NotificationSettings | None) -> SettingsForm:
        initial: dict[str, Any] = {"escalate_after_days": 7, "reminder_days": "2, 5"}
        if model is not None:
            initial = {
                "shop": model.shop_id, "reminder_days": ", ".join(map(str, model.reminder_days or [])),
                "escalate_after_days": model.escalate_after_days, "retention_days": model.retention_days,
                "fulfilment_addresses": "\n".join(f"{k} = {a}" for k, a in
                                                  sorted((model.fulfilment_addresses or {}).items())),
            }
        form = SettingsForm(data=initial)
        form.shop.choices = shop_options(Permission.SHOP_SETTINGS)
        if model is not None:
            form.shop.choices = [c for c in form.shop.choices if c.value == model.shop_id]
        return form

    def create_form(self, obj: Any = None) -> SettingsForm:
        return self._form(None)

    def edit_form(self, obj: Any = None) -> SettingsForm:
        return self._form(obj)

    def _save(self, form: SettingsForm, shop_id: int) -> NotificationSettings:
        return services.update_settings(
            self.access, shop_id, reminder_days=_parse_days(form.reminder_days.data),
            escalate_after_days=form.escalate_after_days.data, retention_days=form.retention_days.data or 0,
            fulfilment_addresses=_parse_addresses(form.fulfilment_addresses.data),
        )

    def create_record(self, form: SettingsForm) -> NotificationSettings:
        return self._save(form, int(form.shop.data))

    def update_record(self, form: SettingsForm, model: NotificationSettings) -> NotificationSettings:
        return self._save(form, model.shop_id)


def register_admin(app: Any, admin: Any) -> None:
    """Add the notification screens to the admin (called by ``create_app``)."""
    app.register_blueprint(templates_bp)
    category = _l("Notifications")
    admin.add_view(OutboxAdmin(Notification, name=_l("Outbox"), endpoint="notifications", category=category))
    admin.add_view(TemplateAdmin(NotificationTemplate, name=_l("Email templates"), endpoint="notification_templates",
                                 category=category))
    admin.add_view(SettingsAdmin(NotificationSettings, name=_l("Notification settings"),
                                 endpoint="notification_settings", category=category))


__all__ = ["OutboxAdmin", "SettingsAdmin", "TemplateAdmin", "register_admin"]
