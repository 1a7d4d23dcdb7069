"""``/api/v1/orders`` and everything under it."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from shopadmin.core.access import Permission
from shopadmin.core.api import api_blueprint, check_if_match, page
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Conflict, Invalid, Malformed
from shopadmin.core.locks import named_lock
from shopadmin.core.web import api_route, request_access
from shopadmin.extensions import db
from shopadmin.orders import services, workflow
from shopadmin.orders.schemas import (
    AnyObject,
    BlockIn,
    CommentIn,
    EventIn,
    HandOverIn,
    OrderIn,
    OrderListArgs,
    OrderPatch,
    PaymentIn,
    block_json,
    comment_json,
    event_json,
    order_json,
    payment_json,
    version_json,
)
from shopadmin.tenants import services as tenants

blp = api_blueprint("orders_api", __name__, "/orders", description="Orders: capture, edit, events, payments")

MAX_KEY_LENGTH = 255


def _etag(order: Any) -> dict[str, str]:
    return {"ETag": f'"{order.version}"'}


def _body_etag(body: dict[str, Any] | None) -> dict[str, str]:
    # From the JSON built inside the transaction: reading the order after the commit would reload it.
    if body is None:
        return {}
    version = body.get("version", body.get("order", {}).get("version"))
    return {"ETag": f'"{version}"'}


def _order_input(data: dict[str, Any]) -> services.OrderInput:
    lines = [services.LineInput(**line) for line in data.pop("lines")]
    return services.OrderInput(lines=lines, **data)


@blp.route("")
class Orders(MethodView):
    @api_route(Permission.ORDER_VIEW)
    @blp.arguments(OrderListArgs, location="query")
    @blp.response(200, AnyObject)
    def get(self, args: dict[str, Any]) -> Any:
        """Find orders: ``q`` (number, customer name or email, ship-to name; prefixes ``#`` number,
        ``@`` email, ``&`` SKU, ``!`` SKU in reservation), ``state``, ``shop``, ``customer_id``,
        ``channel``, ``created_from``/``created_to``, ``worklist``. Newest first."""
        access = request_access()
        query = services.OrderQuery(**{k: args[k] for k in ("q", "state", "shop", "customer_id", "channel",
                                                              "created_from", "created_to", "worklist")})
        result = page(lambda after, limit: services.list_orders(access, query, after_id=after, limit=limit), args)
        result["items"] = [order_json(order, access, actions=False, summary=True) for order in result["items"]]
        return result

    @api_route(Permission.ORDER_CAPTURE)
    @blp.arguments(OrderIn)
    @blp.response(201, AnyObject)
    def post(self, data: dict[str, Any]) -> Any:
        """Capture an order. Send ``Idempotency-Key`` to make retries safe."""
        access = request_access()
        key = request.headers.get("Idempotency-Key")
        if key is None:
            with unit_of_work():
                order = services.place_order(access, _order_input(data))
                body = order_json(order, access)
            return body, 201, _body_etag(body)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise Malformed(_l("Idempotency-Key: 1-255 characters."), code="invalid_idempotency_key")
        digest = services.request_hash(request.get_json(silent=True))
        shop = tenants.get_shop(access, data["shop"])
        access.require(Permission.ORDER_CAPTURE, shop.id)
        with named_lock(f"idempotency:{shop.id}:{key}", wait=0.2):
            known = services.find_idempotent(access, shop, key)
            if known is not None:
                return _replay(known, digest)
            try:
                with unit_of_work():
                    order = services.place_order(access, _order_input(data))
                    body = order_json(order, access)
                    services.remember_idempotent(access, shop, key, digest, order, body)
            except IntegrityError:
                # Another process holds the same key (the unique constraint caught it).
                db.session.rollback()
                known = services.find_idempotent(access, shop, key)
                if known is None:
                    raise Conflict(_l("A request with this Idempotency-Key is still being processed."),
                                   code="idempotency_in_progress") from None
                return _replay(known, digest)
        return body, 201, {**_body_etag(body), "Idempotency-Key": key}


def _replay(known: Any, digest: str) -> Any:
    if known.request_hash != digest:
        raise Invalid(_l("This Idempotency-Key was used with another request body."), code="idempotency_key_reused",
                      fields={"Idempotency-Key": [_l("Used with another body.")]})
    return known.response, known.status_code, {"ETag": f'"{known.response.get("version")}"',
                                               "Idempotent-Replayed": "true"}


@blp.route("/<int:order_id>")
class OrderById(MethodView):
    @api_route(Permission.ORDER_VIEW)
    @blp.response(200, AnyObject)
    def get(self, order_id: int) -> Any:
        access = request_access()
        order = services.get_order(access, order_id)
        return order_json(order, access), 200, _etag(order)

    @api_route(Permission.ORDER_EDIT)
    @blp.arguments(OrderPatch)
    @blp.response(200, AnyObject)
    def patch(self, changes: dict[str, Any], order_id: int) -> Any:
        """Change lines, addresses, ship_together, attributes, charges; send ``If-Match`` and a ``reason``."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, Permission.ORDER_EDIT, for_update=True)
            check_if_match(order.version)
            reason = changes.pop("reason", "")
            services.update_order(access, order, changes, reason=reason)
            body = order_json(order, access)
        return body, 200, _body_etag(body)


@blp.route("/<int:order_id>/events")
class OrderEvents(MethodView):
    @api_route(Permission.ORDER_VIEW)
    @blp.response(200, AnyObject)
    def get(self, order_id: int) -> Any:
        """The order's history: every transition and refused transition, newest first."""
        access = request_access()
        order = services.get_order(access, order_id)
        return {"items": [event_json(e) for e in services.history(access, order)], "next": None}

    @api_route(Permission.ORDER_VIEW)
    @blp.arguments(EventIn)
    @blp.response(200, AnyObject)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Send an event (``submit``, ``confirm``, ``cancel``, ``void``, ``suspend``, ``resume``,
        ``return``, ``refund``). ``dry_run`` answers what would happen and changes nothing."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, for_update=not data["dry_run"])
            outcome = services.fire_event(access, order, data["event"], dry_run=data["dry_run"])
            body = {**outcome.as_json(), "order": order_json(order, access)} if outcome.decision.allowed else None
        workflow.raise_refusal(outcome)
        return body, 200, _body_etag(body)


@blp.route("/<int:order_id>/deliveries/<int:delivery_id>/events")
class DeliveryEvents(MethodView):
    @api_route(Permission.DELIVERY_MOVE)
    @blp.arguments(EventIn)
    @blp.response(200, AnyObject)
    def post(self, data: dict[str, Any], order_id: int, delivery_id: int) -> Any:
        """Move a delivery on: ``pack``, ``ready``, ``ship``."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, for_update=not data["dry_run"])
            outcome = services.fire_delivery_event(access, order, delivery_id, data["event"],
                                                   dry_run=data["dry_run"])
            body = {**outcome.as_json(), "order": order_json(order, access)} if outcome.decision.allowed else None
        workflow.raise_refusal(outcome)
        return body, 200, _body_etag(body)


@blp.route("/<int:order_id>/blocks")
class Blocks(MethodView):
    @api_route(Permission.BLOCK_ADD)
    @blp.arguments(BlockIn)
    @blp.response(201, AnyObject)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Block the order: nothing of it ships while a block is active."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, Permission.BLOCK_ADD, for_update=True)
            block = services.add_block(access, order, data["reason"])
            return block_json(block)


@blp.route("/<int:order_id>/blocks/<int:block_id>")
class BlockById(MethodView):
    @api_route(Permission.BLOCK_RELEASE)
    @blp.response(200, AnyObject)
    def delete(self, order_id: int, block_id: int) -> Any:
        """Release a block (supervisor and up)."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, Permission.BLOCK_RELEASE, for_update=True)
            block = services.release_block(access, order, block_id)
            return block_json(block)


@blp.route("/<int:order_id>/payments")
class Payments(MethodView):
    @api_route(Permission.ORDER_VIEW)
    @blp.response(200, AnyObject)
    def get(self, order_id: int) -> Any:
        access = request_access()
        order = services.get_order(access, order_id)
        return {"items": [payment_json(p) for p in order.payments], "next": None}

    @api_route(Permission.PAYMENT_RECORD)
    @blp.arguments(PaymentIn)
    @blp.response(201, AnyObject)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Record a payment or a gateway's callback (``authorized``, ``captured``, ``failed``)."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, Permission.PAYMENT_RECORD, for_update=True)
            payment = services.record_payment(access, order, **data)
            return {**payment_json(payment), "order": order_json(order, access)}


@blp.route("/<int:order_id>/versions")
class Versions(MethodView):
    @api_route(Permission.ORDER_VIEW)
    @blp.response(200, AnyObject)
    def get(self, order_id: int) -> Any:
        """Every version, newest first: who, when, why and what changed."""
        access = request_access()
        order = services.get_order(access, order_id)
        return {"items": [version_json(v, with_snapshot=False) for v in services.list_versions(access, order)],
                "next": None}


@blp.route("/<int:order_id>/versions/<int:number>")
class VersionByNumber(MethodView):
    @api_route(Permission.ORDER_VIEW)
    @blp.response(200, AnyObject)
    def get(self, order_id: int, number: int) -> Any:
        """The order as it was in that version."""
        access = request_access()
        order = services.get_order(access, order_id)
        return version_json(services.get_version(access, order, number), with_snapshot=True)


@blp.route("/<int:order_id>/comments")
class Comments(MethodView):
    @api_route(Permission.ORDER_VIEW)
    @blp.response(200, AnyObject)
    def get(self, order_id: int) -> Any:
        access = request_access()
        order = services.get_order(access, order_id)
        return {"items": [comment_json(c) for c in services.list_comments(access, order)], "next": None}

    @api_route(Permission.ORDER_COMMENT)
    @blp.arguments(CommentIn)
    @blp.response(201, AnyObject)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Comment on the order; ``notify_customer`` emails it to the customer."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, Permission.ORDER_COMMENT)
            return comment_json(services.add_comment(access, order, data["text"],
                                                     notify_customer=data["notify_customer"]))


@blp.route("/<int:order_id>/clone")
class Clone(MethodView):
    @api_route(Permission.ORDER_CAPTURE)
    @blp.response(201, AnyObject)
    def post(self, order_id: int) -> Any:
        """A new order (a cart) in the same shop with the same customer, lines and addresses."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, Permission.ORDER_CAPTURE)
            clone = services.clone_order(access, order)
            body = order_json(clone, access)
        return body, 201, _body_etag(body)



@blp.route("/<int:order_id>/hand-over")
class HandOver(MethodView):
    @api_route(Permission.ORDER_EDIT)
    @blp.arguments(HandOverIn)
    @blp.response(200, AnyObject)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Hand a saved cart or quote to another staff user of its shop (``held_by``). The holder
        hands over their own, a supervisor anyone's. ``If-Match`` is optional: when sent, a stale
        version is refused (412)."""
        access = request_access()
        with unit_of_work():
            order = services.get_order(access, order_id, Permission.ORDER_EDIT, for_update=True)
            if request.headers.get("If-Match"):
                check_if_match(order.version)
            services.hand_over(access, order, data["user_id"], reason=data["reason"])
            body = order_json(order, access)
        return body, 200, _body_etag(body)
