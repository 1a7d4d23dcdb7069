"""``/api/v1/notifications``: the outbox as an email log, and retry."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from shopadmin.core.access import Permission
from shopadmin.core.api import api_blueprint, page, page_schema
from shopadmin.core.db import unit_of_work
from shopadmin.core.web import api_route, request_access
from shopadmin.notifications import services
from shopadmin.notifications.schemas import NotificationArgs, NotificationDetailOut, NotificationOut

blp = api_blueprint("notifications_api", __name__, "/notifications", description="Email notifications (the outbox)")


@blp.route("")
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


@blp.route("/<int:notification_id>")
class NotificationById(MethodView):
    @api_route(Permission.NOTIFICATION_VIEW)
    @blp.response(200, NotificationDetailOut)
    def get(self, notification_id: int) -> Any:
        return services.get_notification(request_access(), notification_id)


@blp.route("/<int:notification_id>/retry")
class NotificationRetry(MethodView):
    @api_route(Permission.NOTIFICATION_RETRY)
    @blp.response(200, NotificationOut)
    def post(self, notification_id: int) -> Any:
        """Queue a failed notification again (supervisor and up); 409 once it was sent."""
        with unit_of_work():
            return services.retry_notification(request_access(), notification_id)
