"""Request schemas (validated by flask-smorest) and the order's JSON form.

The order JSON is built by ``order_json`` because part of it depends on who reads it
(``"actions"``: what the caller may do next, and why not).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from shopadmin.core.access import Access
from shopadmin.core.api import InputSchema
from shopadmin.core.money import money_str
from shopadmin.orders import statemachine as sm
from shopadmin.orders import workflow
from shopadmin.orders.models import Block, Order, OrderComment, OrderEvent, OrderVersion, Payment

MONEY = {"type": "string", "example": "12.50"}


class LineIn(InputSchema):
    id = fields.Integer(load_default=None, allow_none=True)
    sku = fields.Raw(required=True, metadata={"type": "string"})
    quantity = fields.Raw(required=True, metadata={"type": "integer"})
    unit_price = fields.Raw(load_default=None, allow_none=True, metadata=MONEY)


class OrderIn(InputSchema):
    shop = fields.String(required=True)
    customer_id = fields.Integer(required=True, strict=True)
    channel = fields.String(load_default="api")
    currency = fields.String(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(LineIn), required=True)
    shipping_address = fields.Dict(load_default=None, allow_none=True)
    billing_address = fields.Dict(load_default=None, allow_none=True)
    payment_flow = fields.String(load_default="prepay")
    ship_together = fields.Boolean(load_default=False)
    notify_customer = fields.Boolean(load_default=None, allow_none=True)
    attributes = fields.Dict(keys=fields.String(), load_default=dict)
    quote = fields.Boolean(load_default=False)
    cart = fields.Boolean(load_default=False, metadata={"description": "save as a cart to come back to"})
    quote_valid_until = fields.Date(load_default=None, allow_none=True)
    charges = fields.Dict(load_default=dict, metadata={"description": "{shipping, handling, misc} amounts"})


class OrderPatch(InputSchema):
    lines = fields.List(fields.Nested(LineIn))
    shipping_address = fields.Dict()
    billing_address = fields.Dict()
    ship_together = fields.Boolean()
    attributes = fields.Dict(keys=fields.String())
    charges = fields.Dict()
    notify_customer = fields.Boolean(allow_none=True)
    channel = fields.String()
    payment_flow = fields.String()
    quote_valid_until = fields.Date(allow_none=True)
    reason = fields.String(load_default="")


class OrderListArgs(InputSchema):
    q = fields.String(load_default=None)
    state = fields.String(load_default=None)
    shop = fields.String(load_default=None)
    customer_id = fields.Integer(load_default=None)
    channel = fields.String(load_default=None)
    created_from = fields.AwareDateTime(load_default=None)
    created_to = fields.AwareDateTime(load_default=None)
    worklist = fields.String(load_default=None)
    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EventIn(InputSchema):
    event = fields.String(required=True, validate=validate.Length(min=1, max=32))
    dry_run = fields.Boolean(load_default=False)


class BlockIn(InputSchema):
    reason = fields.String(required=True)


class PaymentIn(InputSchema):
    method = fields.String(required=True)
    amount = fields.Raw(required=True, metadata=MONEY)
    status = fields.String(required=True)
    reference = fields.String(load_default=None, allow_none=True)


class HandOverIn(InputSchema):
    user_id = fields.Integer(required=True, strict=True,
                             metadata={"description": "a staff user of the order's shop (or its master shop)"})
    reason = fields.String(load_default="")


class CommentIn(InputSchema):
    text = fields.String(required=True)
    notify_customer = fields.Boolean(load_default=False)


class AnyObject(Schema):
    """Documented by example in the contract; built by ``order_json`` and friends."""

    class Meta:
        unknown = "include"

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:  # the JSON is already built
        return obj


def _address(value: dict[str, Any] | None) -> dict[str, Any]:
    return dict(value or {})


def line_json(line: Any, currency: str) -> dict[str, Any]:
    return {
        "id": line.id, "sku": line.sku, "name": line.name, "quantity": line.quantity,
        "unit_price": money_str(line.unit_price, currency), "list_price": money_str(line.list_price, currency),
        "tax_rate": format(line.tax_rate, "f"), "tax": money_str(line.tax, currency),
        "total": money_str(line.total, currency), "group": line.group, "delivery_id": line.delivery_id,
        "overridden_by": line.overridden_by_user_id,
    }


def block_json(block: Block) -> dict[str, Any]:
    return {"id": block.id, "reason": block.reason, "active": block.is_active, "created_by": block.created_by_id,
            "created_at": block.created_at.isoformat(), "released_by": block.released_by_id,
            "released_at": block.released_at.isoformat() if block.released_at else None}


def payment_json(payment: Payment) -> dict[str, Any]:
    return {"id": payment.id, "method": payment.method, "amount": money_str(payment.amount, payment.currency),
            "currency": payment.currency, "status": payment.status, "reference": payment.reference,
            "created_at": payment.created_at.isoformat()}


def created_by(order: Order) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if order.created_by_customer_id is not None:
        result["customer_id"] = order.created_by_customer_id
    else:
        result["user_id"] = order.created_by_user_id
    result["operator_id"] = order.operator_id
    return result


def order_json(order: Order, access: Access | None, *, actions: bool = True, summary: bool = False
               ) -> dict[str, Any]:
    """The order as the API shows it; ``summary`` (list items) leaves out payments and blocks."""
    cur = order.currency
    deliveries = []
    for delivery in order.deliveries:
        item: dict[str, Any] = {
            "id": delivery.id, "group": delivery.group, "state": delivery.state,
            "release_date": delivery.release_date.isoformat() if delivery.release_date else None,
            "shipped_at": delivery.shipped_at.isoformat() if delivery.shipped_at else None,
            "lines": [{"line_id": line.id, "sku": line.sku, "quantity": line.quantity}
                      for line in order.lines if line.delivery_id == delivery.id],
        }
        if actions and access is not None and delivery.state in sm.OPEN_DELIVERY_STATES:
            item["actions"] = workflow.delivery_actions(access, order, delivery)
        deliveries.append(item)
    result: dict[str, Any] = {
        "id": order.id,
        "number": order.number,
        "shop": order.shop.code,
        "customer_id": order.customer_id,
        "customer_name": order.customer_name,
        "customer_email": order.customer_email,
        "state": order.state,
        "suspended": order.is_suspended,
        "blocked": order.active_blocks > 0,
        "channel": order.channel,
        "currency": cur,
        "payment_flow": order.payment_flow,
        "ship_together": order.ship_together,
        "notify_customer": order.notify_customer,
        "attributes": dict(order.attributes or {}),
        "shipping_address": _address(order.shipping_address),
        "billing_address": _address(order.billing_address),
        "lines": [line_json(line, cur) for line in order.lines],
        "deliveries": deliveries,
        "charges": {"shipping": money_str(order.shipping_charge, cur),
                    "handling": money_str(order.handling_charge, cur), "misc": money_str(order.misc_charge, cur)},
        "totals": {"subtotal": money_str(order.subtotal, cur), "tax": money_str(order.tax, cur),
                   "charges": money_str(order.charges, cur), "total": money_str(order.total, cur),
                   "paid": money_str(order.paid, cur), "refunded": money_str(order.refunded, cur)},
        **({} if summary else {"payments": [payment_json(p) for p in order.payments],
                                "blocks": [block_json(b) for b in order.blocks]}),
        "quote_valid_until": order.quote_valid_until.isoformat() if order.quote_valid_until else None,
        "held_by": order.held_by_user_id,
        "source_order_id": order.source_order_id,
        "version": order.version,
        "created_by": created_by(order),
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
    }
    if actions and access is not None:
        result["actions"] = workflow.order_actions(access, order)
    return result


def version_json(version: OrderVersion, *, with_snapshot: bool) -> dict[str, Any]:
    result = {"number": version.number, "created_at": version.created_at.isoformat(), "user_id": version.user_id,
              "operator_id": version.operator_id, "actor": version.actor, "reason": version.reason,
              "changes": version.changes}
    if with_snapshot:
        result["order"] = version.snapshot
    return result


def event_json(event: OrderEvent) -> dict[str, Any]:
    return {"id": event.id, "event": event.event, "delivery_id": event.delivery_id, "from": event.from_state,
            "to": event.to_state, "allowed": event.allowed, "reason": event.reason, "effects": event.effects,
            "actor": event.actor, "user_id": event.user_id, "operator_id": event.operator_id,
            "created_at": event.created_at.isoformat()}


def comment_json(comment: OrderComment) -> dict[str, Any]:
    return {"id": comment.id, "text": comment.text, "notify_customer": comment.notify_customer,
            "user_id": comment.user_id, "created_at": comment.created_at.isoformat()}
