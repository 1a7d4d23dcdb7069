"""``/api/v1/notifications``: the outbox as an email log, and retry; writing to a customer
from an order or a customer (``/api/v1/orders/{id}/emails``, ``/api/v1/customers/{id}/emails``)
and resending an order confirmation (``/api/v1/orders/{id}/resend-confirmation``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Permission
from shopadmin.core.api import api_blueprint, page, page_schema
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Forbidden, Invalid
from shopadmin.core.web import api_route, request_access
from shopadmin.notifications import services
from shopadmin.notifications.schemas import (
    EmailIn,
    NotificationArgs,
    NotificationBatch,
    NotificationDetailOut,
    NotificationOut,
)
from shopadmin.notifications.sources import load_customer, load_order
from shopadmin.tenants import services as tenants

blp = api_blueprint("notifications_api", __name__, description="Email notifications (the outbox), staff emails")


@blp.route("/notifications")
class Notifications(MethodView):
    @api_route(Permission.NOTIFICATION_VIEW)
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, page_schema(NotificationOut, "NotificationPage"))
    def get(self, args: dict[str, Any]) -> Any:
        """Notifications of the caller's shops; filter by ``order_id``, ``customer_id``, ``status``."""
        access = request_access()
        return page(
            lambda after, limit: services.list_notifications(
                access, order_id=args["order_id"], customer_id=args["customer_id"], status=args["status"],
                after_id=after, limit=limit,
            ),
            args,
        )


@blp.route("/notifications/<int:notification_id>")
class NotificationById(MethodView):
    @api_route(Permission.NOTIFICATION_VIEW)
    @blp.response(200, NotificationDetailOut)
    def get(self, notification_id: int) -> Any:
        return services.get_notification(request_access(), notification_id)


@blp.route("/notifications/<int:notification_id>/retry")
class NotificationRetry(MethodView):
    @api_route(Permission.NOTIFICATION_RETRY)
    @blp.response(200, NotificationOut)
    def post(self, notification_id: int) -> Any:
        """Queue a failed notification again (supervisor and up); 409 once it was sent."""
        with unit_of_work():
            return services.retry_notification(request_access(), notification_id)


def _content(access: Any, shop_id: int, body: dict[str, Any], locale: str) -> tuple[str, str, str]:
    """The mail as sent: the edited text, or a copy of the named template."""
    subject, text, html = body.get("subject"), body.get("body_text"), body.get("body_html")
    if body.get("template") and not (subject and text):
        source = services.starting_template(access, shop_id, event=body["template"], locale=locale)
        subject, text, html = subject or source.subject, text or source.text, html or source.html
    if not subject or not text:
        raise Invalid(_l("Send a subject and a body_text, or a template to start from."),
                      fields={"subject": [_l("Required without a template.")]})
    return subject, text, html or ""


@blp.route("/orders/<int:order_id>/emails")
class OrderEmails(MethodView):
    @api_route(Permission.NOTIFICATION_SEND)
    @blp.arguments(EmailIn)
    @blp.response(201, NotificationDetailOut)
    def post(self, body: dict[str, Any], order_id: int) -> Any:
        """Write to the order's customer, regarding the order (``template``: start from that event's mail)."""
        access = request_access()
        with unit_of_work():
            shop_id = services.order_shop_id(access, order_id)
            info = load_order(access, order_id)
            customer = load_customer(access, info.customer_id if info else None)
            locale = (customer.locale if customer else None) or "en"
            subject, text, html = _content(access, shop_id, body, locale)
            return services.send_order_email(access, order_id, subject=subject, body_text=text, body_html=html)


@blp.route("/orders/<int:order_id>/resend-confirmation")
class OrderResendConfirmation(MethodView):
    @api_route(Permission.NOTIFICATION_SEND)
    @blp.response(201, NotificationBatch)
    def post(self, order_id: int) -> Any:
        """The order confirmation once more, to the customer."""
        with unit_of_work():
            rows = services.resend_confirmation_for_order(request_access(), order_id)
            return {"items": rows, "next": None}


@blp.route("/customers/<int:customer_id>/emails")
class CustomerEmails(MethodView):
    @api_route(Permission.NOTIFICATION_SEND)
    @blp.arguments(EmailIn)
    @blp.response(201, NotificationDetailOut)
    def post(self, body: dict[str, Any], customer_id: int) -> Any:
        """Write to a customer from one of its shops (``shop`` code; ``order_id``: regarding that order)."""
        access = request_access()
        with unit_of_work():
            shop_id = tenants.get_shop(access, body["shop"]).id if body.get("shop") else None
            shops = services.customer_send_shop_ids(access, customer_id)
            customer = load_customer(access, customer_id)
            locale = (customer.locale if customer else None) or "en"
            acting = shop_id or (shops[0] if shops else None)
            if acting is None:
                raise Forbidden(_l("Your role does not allow this."), fields={"permission": "notification.send"})
            subject, text, html = _content(access, acting, body, locale)
            return services.send_customer_email(access, customer_id, subject=subject, body_text=text,
                                                body_html=html, shop_id=shop_id, order_id=body.get("order_id"))
