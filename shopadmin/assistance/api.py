"""``POST /api/v1/customers/{id}/assist``: the hand-off link for customer assistance."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask.views import MethodView
from marshmallow import Schema, fields

from shopadmin.assistance import flows, services
from shopadmin.core.access import Permission
from shopadmin.core.api import InputSchema, api_blueprint
from shopadmin.core.web import api_route, request_access

blp = api_blueprint("assistance_api", __name__, description="Customer assistance (staff signed in as the customer)")


class AssistIn(InputSchema):
    shop = fields.String(required=True, metadata={"description": "code of the shop whose storefront opens"})
    reason = fields.String(load_default=None, allow_none=True, metadata={"description": "why (required)"})
    reason_code = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "a code from the shop's list"})
    ticket = fields.String(load_default=None, allow_none=True, metadata={"description": "ticket or call id"})


class AssistOut(Schema):
    url = fields.String(required=True, metadata={"description": "single-use, opens the storefront as the customer"})
    expires_at = fields.DateTime(required=True)
    session_id = fields.Integer()


@blp.route("/customers/<int:customer_id>/assist")
class Assist(MethodView):
    @api_route(Permission.CUSTOMER_ASSIST)
    @blp.arguments(AssistIn)
    @blp.response(201, AssistOut)
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Start assisting a customer: a link (about a minute, once) to the shop's storefront.

        Refused (403 ``assistance_refused``, recorded) when the shop's switch is off, the
        customer does not allow it, is outside the shop's group or disabled there, is
        protected, or the caller's role is too low; 404 outside the caller's shops; 422
        without a reason.
        """
        token = g.get("api_token")
        hand_off, url = flows.start(request_access(), services.StartRequest(
            customer_id=customer_id, shop=data["shop"], reason=data.get("reason"),
            reason_code=data.get("reason_code"), ticket=data.get("ticket"), ip=flows.client_ip(),
            user_agent=(request.user_agent.string or "")[:200], origin="api",
            api_token_id=token.id if token is not None else None,
        ))
        return {"url": url, "expires_at": hand_off.expires_at, "session_id": hand_off.session.id}
