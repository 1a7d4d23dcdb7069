"""``/api/v1/inbox``: raw emails in, what the worker made of them out; review; KPIs."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from shopadmin.core.access import Permission
from shopadmin.core.api import api_blueprint, page
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import DomainError, Invalid
from shopadmin.core.web import api_route, error_payload, request_access
from shopadmin.extensions import db
from shopadmin.inbox import services
from shopadmin.inbox.schemas import DecisionIn, EditIn, KpiArgs, MessageListArgs, RejectIn
from shopadmin.orders.schemas import AnyObject
from shopadmin.tenants import services as tenants

blp = api_blueprint("inbox_api", __name__, "/inbox", description="The inbox worker: customer emails")

RFC822 = "message/rfc822"


def _shop_id(code: str | None) -> int | None:
    if not code:
        return None
    return tenants.get_shop(request_access(), code).id


@blp.route("/messages")
class Messages(MethodView):
    @api_route(Permission.INBOX_VIEW)
    @blp.arguments(MessageListArgs, location="query")
    @blp.response(200, AnyObject)
    def get(self, args: dict[str, Any]) -> Any:
        """Inbox messages of the caller's shops, newest first; filter by ``status`` and ``shop``."""
        access = request_access()
        shop_id = _shop_id(args.get("shop"))
        result = page(lambda after, limit: services.list_messages(
            access, status=args.get("status"), shop_id=shop_id, after_id=after, limit=limit), args)
        result["items"] = [services.message_json(m) for m in result["items"]]
        return result

    @api_route(Permission.INBOX_INTAKE)
    @blp.response(201, AnyObject)
    def post(self) -> Any:
        """Hand a raw email (``Content-Type: message/rfc822``) to the worker.

        The message is stored first (committed), then processed; the answer says what
        happened: ``applied``, ``review``, ``unmatched`` or ``rejected``. ``?shop=CODE``
        files it under that shop whatever address it was sent to. The same Message-ID
        again answers the stored message (``"duplicate": true``) and changes nothing.
        """
        if request.mimetype != RFC822:
            raise Invalid(_l("Send the raw email with Content-Type: message/rfc822."), code="unsupported_media_type",
                          fields={"Content-Type": [_l("Use %(type)s.", type=RFC822)]})
        raw = request.get_data(cache=False)
        access = request_access()
        try:
            with unit_of_work():
                message, created = services.intake(access, raw, source="api", shop_code=request.args.get("shop"),
                                                   process_after_commit=False)
                message_id = message.id
        except OperationalError:
            # The database is away: keep the mail on disk; the sweep stores it when it is back.
            db.session.rollback()
            from shopadmin.inbox import spool

            spool.spool(raw, "api")
            current_app.logger.warning("inbox: database unavailable, message spooled")
            response = error_payload(503, "unavailable", "The message is kept and will be processed later; "
                                     "sending it again is safe.")
            response.headers["Retry-After"] = "60"
            return response
        if created:
            from shopadmin.inbox.jobs import process_message

            process_message(message_id)
        db.session.expire_all()
        body = services.message_json(services.stored_message(message_id))
        body["duplicate"] = not created
        return body, 201


@blp.route("/messages/<int:message_id>")
class MessageById(MethodView):
    @api_route(Permission.INBOX_VIEW)
    @blp.response(200, AnyObject)
    def get(self, message_id: int) -> Any:
        """One message with its text, what the worker found and the review."""
        return services.message_json(services.get_message(request_access(), message_id), detail=True)

    @api_route(Permission.INBOX_REVIEW)
    @blp.arguments(EditIn)
    @blp.response(200, AnyObject)
    def patch(self, data: dict[str, Any], message_id: int) -> Any:
        """Edit the proposed changes (and the review note) of a message waiting for review."""
        with unit_of_work():
            access = request_access()
            if "changes" in data:
                message = services.edit_changes(access, message_id, data["changes"], note=data.get("note"))
            else:
                message = services.edit_note(access, message_id, data.get("note"))
            return services.message_json(message, detail=True)


@blp.route("/messages/<int:message_id>/approve")
class Approve(MethodView):
    @api_route(Permission.INBOX_REVIEW)
    @blp.arguments(DecisionIn)
    @blp.response(200, AnyObject)
    def post(self, data: dict[str, Any], message_id: int) -> Any:
        """Apply the proposed (or the given) changes as the approving supervisor; ``dry_run`` checks only."""
        access = request_access()
        with unit_of_work():
            message = services.approve(access, message_id, changes=data.get("changes"), note=data.get("note"),
                                       order_id=data.get("order_id"), dry_run=data.get("dry_run", False))
            return services.message_json(message, detail=True)


@blp.route("/messages/<int:message_id>/reject")
class Reject(MethodView):
    @api_route(Permission.INBOX_REVIEW)
    @blp.arguments(RejectIn)
    @blp.response(200, AnyObject)
    def post(self, data: dict[str, Any], message_id: int) -> Any:
        """Apply nothing; the message leaves the review queue."""
        with unit_of_work():
            message = services.reject(request_access(), message_id, note=data.get("note"),
                                      dry_run=data.get("dry_run", False))
            return services.message_json(message, detail=True)


@blp.route("/kpis")
class Kpis(MethodView):
    @api_route(Permission.INBOX_VIEW)
    @blp.arguments(KpiArgs, location="query")
    @blp.response(200, AnyObject)
    def get(self, args: dict[str, Any]) -> Any:
        """Share handled automatically, time from mail to change, review queue size and age."""
        return services.kpis(request_access(), shop_id=_shop_id(args.get("shop")), since=args.get("since"))


__all__ = ["DomainError", "blp"]
