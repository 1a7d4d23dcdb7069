"""The review queue in the admin: the mail, the proposed changes and the order side by side.

Reading needs ``inbox.view``; approving, editing and rejecting need ``inbox.review``
(supervisor and up). Every decision goes through ``inbox.services``.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from flask import Blueprint, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from shopadmin.core.access import Permission
from shopadmin.core.admin import EnumFilter, ScopedModelView
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import DomainError
from shopadmin.core.i18n import label
from shopadmin.core.web import flash_error
from shopadmin.inbox import services
from shopadmin.inbox.forms import ReviewForm
from shopadmin.inbox.labels import DETAILED_REASONS
from shopadmin.inbox.models import InboxMessage, InboxStatus, ReviewState

templates_bp = Blueprint("inbox_screens", __name__, template_folder="templates")

STATUS_BADGES = {"applied": "success", "review": "warning", "unmatched": "secondary", "rejected": "dark",
                 "received": "info"}


def _status(view: Any, context: Any, model: InboxMessage, name: str) -> Any:
    value = model.status.value
    return Markup('<span class="badge badge-{}" data-status="{}">{}</span>').format(
        STATUS_BADGES.get(value, "light"), value, label(model.status, "inbox_status"))


class InboxAdmin(ScopedModelView):
    view_permission = Permission.INBOX_VIEW
    review_permission = Permission.INBOX_REVIEW

    RECORD_VIEWS: ClassVar[dict[str, str]] = {**ScopedModelView.RECORD_VIEWS, "review_view": "review_permission"}

    details_template = "inbox/admin/details.html"
    can_edit = False
    column_list = ("id", "received_at", "shop_id", "sender", "subject", "status", "reason", "language", "review_state")
    column_default_sort = ("id", True)
    column_searchable_list = ("subject", "sender")
    column_filters = (
        EnumFilter(InboxMessage.status, _l("Status"), "inbox_status"),
        EnumFilter(InboxMessage.review_state, _l("Review"), "review_state"),
        "language",
    )
    column_labels = {  # noqa: RUF012
        "id": _l("No."), "received_at": _l("Received"), "shop_id": _l("Shop"), "sender": _l("From"),
        "subject": _l("Subject"), "status": _l("Status"), "reason": _l("Reason"), "language": _l("Language"),
        "review_state": _l("Review"),
    }
    column_formatters = {  # noqa: RUF012
        "status": _status,
        "review_state": lambda v, c, m, n: label(m.review_state, "review_state"),
        "reason": lambda v, c, m, n: Markup('<span data-reason="{}">{}</span>').format(
            m.reason, label(m.reason, "inbox_reason")) if m.reason else "",
        "received_at": lambda v, c, m, n: m.received_at.strftime("%Y-%m-%d %H:%M") if m.received_at else "",
        "subject": lambda v, c, m, n: Markup('<a href="{}" data-testid="inbox-link">{}</a>').format(
            v.get_url(".details_view", id=m.id), m.subject or _("(no subject)")),
        "shop_id": lambda v, c, m, n: services_shop_code(m.shop_id),
    }

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.details_template and kwargs.get("model") is not None:
            kwargs.update(self._details_context(kwargs["model"]))
        return super().render(template, **kwargs)

    def _details_context(self, message: InboxMessage, form: ReviewForm | None = None) -> dict[str, Any]:
        access = self.access
        order = None
        if message.order_id is not None:
            from shopadmin.orders import services as orders

            try:
                order = orders.get_order(access, message.order_id)
            except DomainError:
                order = None
        pending = message.status is InboxStatus.REVIEW and message.review_state is ReviewState.PENDING
        can_review = pending and message.shop_id is not None and access.can(Permission.INBOX_REVIEW, message.shop_id)
        if form is None:
            form = ReviewForm()
            form.changes.data = json.dumps(message.changes or [], indent=2, ensure_ascii=False)
            form.order_id.data = message.order_id
        detail = message.reason_text if message.reason in DETAILED_REASONS else None
        return {"message": message, "order": order, "form": form, "can_review": can_review,
                "shop_code": services_shop_code(message.shop_id), "summary": services.summary(message),
                "reason_detail": detail}

    @expose("/review/", methods=("GET", "POST"))
    def review_view(self) -> Any:
        message = self.find_record(request.args.get("id") or request.form.get("id") or "")
        form = ReviewForm()
        status = 200
        if request.method == "POST" and not form.validate_on_submit():
            status = 422
            for field_name, errors in form.errors.items():
                field_label = getattr(form, field_name).label.text if hasattr(form, field_name) else field_name
                flash(f"{field_label}: {' '.join(map(str, errors))}", "error")
        elif request.method == "POST":
            try:
                changes = json.loads(form.changes.data) if (form.changes.data or "").strip() else None
            except ValueError:
                flash(_("The changes are not valid JSON."), "error")
                changes, status = False, 422
            if changes is not False:
                try:
                    with unit_of_work():
                        if form.decision.data == "reject":
                            services.reject(self.access, message.id, note=form.note.data or None)
                            flash(_("Rejected: nothing was applied."), "success")
                        elif form.decision.data == "save":
                            services.edit_changes(self.access, message.id, changes or [], note=form.note.data or None)
                            flash(_("The changes were saved."), "success")
                        else:
                            services.approve(self.access, message.id, changes=changes, note=form.note.data or None,
                                             order_id=form.order_id.data or None)
                            flash(_("Approved: the changes were applied."), "success")
                    return redirect(self.get_url(".details_view", id=message.id))
                except DomainError as exc:
                    flash_error(exc)
                    status = exc.status
        page = self.render(self.details_template, model=message, form=form,
                           **{k: v for k, v in self._details_context(message, form).items() if k != "form"})
        return page, status


def services_shop_code(shop_id: int | None) -> str:
    from shopadmin.customers.services import shop_code

    return shop_code(shop_id) or "—"


def register_admin(app: Any, admin: Any) -> None:
    """Add the inbox screens to the admin (called by ``create_app``)."""
    app.register_blueprint(templates_bp)
    admin.add_view(InboxAdmin(InboxMessage, name=_l("Inbox"), endpoint="inbox"))
