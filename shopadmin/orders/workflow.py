"""Runs the state machine tables of ``statemachine``: facts, effects, history.

``fire_order_event`` and ``fire_delivery_event`` decide with the table, then (unless it
is a dry run) apply the effects, move the state, bump the order's version and write the
history. Refused events are written to the history too; the caller commits that and
then answers 409/403 (``raise_refusal``).

Effects describe themselves (``Effect.describe``), so a dry run answers exactly what
would happen: stock released, refund due, emails that would go out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from shopadmin.catalogue import services as catalogue
from shopadmin.catalogue.models import Availability, StockLevel
from shopadmin.core.access import Access
from shopadmin.core.db import utcnow
from shopadmin.core.errors import Conflict, Forbidden, Invalid, Message
from shopadmin.core.money import money_str
from shopadmin.extensions import db
from shopadmin.orders import statemachine as sm
from shopadmin.orders.models import Delivery, Order, OrderEvent, OrderLine, Payment, StockReservation

GROUP_ORDER = ("digital", "standard", "backorder", "preorder")  # a shared delivery takes the slowest
# The history keeps effects in English and the API answers them in English (ADR 0006); a
# screen reads the same messages in its reader's language.
RECORD_LOCALE = "en"


def in_record_language(messages: list[Message]) -> list[str]:
    """The messages as text in English: what the history stores and the API answers."""
    with force_locale(RECORD_LOCALE):
        return [str(message) for message in messages]


@dataclass
class Run:
    """One event being decided or applied."""

    access: Access
    order: Order
    apply: bool
    delivery: Delivery | None = None
    described: list[Message] = field(default_factory=list)  # lazy: read in the reader's language
    notifications: list[str] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)  # order events the system fires next

    def say(self, text: Message) -> None:
        self.described.append(text)


@dataclass(frozen=True)
class Outcome:
    decision: sm.Decision
    messages: list[Message]  # the effects, lazy: a screen shows them in its reader's language
    notifications: list[str]
    dry_run: bool
    delivery_id: int | None = None

    @property
    def effects(self) -> list[str]:
        """The effects in English, as the API answers them and the history keeps them."""
        return in_record_language(self.messages)

    def as_json(self) -> dict[str, Any]:
        return {
            "event": self.decision.event,
            "allowed": self.decision.allowed,
            "reason": self.decision.reason,
            "from": self.decision.source,
            "to": self.decision.target,
            "effects": self.effects,
            "notifications": self.notifications,
            "dry_run": self.dry_run,
            "delivery_id": self.delivery_id,
        }


# -- facts -----------------------------------------------------------------------------------


def today(shop: Any = None, now: datetime | None = None) -> date:
    """The calendar day in the shop's time zone: an order's dates (a quote's valid-until, a
    preorder's release) are the shop's days. Without a shop, the UTC day."""
    moment = now or utcnow()
    zone = ZoneInfo(shop.timezone) if shop is not None and getattr(shop, "timezone", None) else UTC
    return moment.astimezone(zone).date()


def open_deliveries(order: Order) -> list[Delivery]:
    return [d for d in order.deliveries if d.state in sm.OPEN_DELIVERY_STATES]


def lines_of(order: Order, delivery: Delivery) -> list[OrderLine]:
    return [line for line in order.lines if line.delivery_id == delivery.id]


def reservations_of(order: Order) -> list[StockReservation]:
    if order.id is None:
        return []
    return list(db.session.scalars(
        sa.select(StockReservation).where(StockReservation.shop_id == order.shop_id,
                                          StockReservation.order_id == order.id).order_by(StockReservation.id)
    ))


def _needs_stock(line: OrderLine) -> bool:
    return line.group in (Availability.STANDARD.value, Availability.BACKORDER.value, Availability.PREORDER.value)


def stock_covers(order: Order, lines: list[OrderLine], *, only_standard: bool) -> bool:
    """Whether stock (read without locks) covers these lines: for advice; reservation rechecks."""
    wanted: dict[int, int] = {}
    for line in lines:
        if _needs_stock(line) and (line.group == Availability.STANDARD.value or not only_standard):
            wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
    if not wanted:
        return True
    rows = db.session.execute(
        sa.select(StockLevel.product_id, sa.func.sum(StockLevel.quantity - StockLevel.reserved))
        .where(StockLevel.shop_id == order.shop_id, StockLevel.product_id.in_(sorted(wanted)))
        .group_by(StockLevel.product_id)
    ).all()
    have = {product_id: int(amount or 0) for product_id, amount in rows}
    return all(have.get(product_id, 0) >= quantity for product_id, quantity in wanted.items())


def shipped_value(order: Order, extra: Delivery | None = None) -> Decimal:
    total = Decimal("0")
    for delivery in order.deliveries:
        if delivery.state == sm.D_SHIPPED or delivery is extra:
            for line in lines_of(order, delivery):
                total += line.total + line.tax
    return total


def order_facts(order: Order, *, delivery: Delivery | None = None, event: str | None = None,
                on: date | None = None) -> sm.Facts:
    """What the guards read; ``on``: the day to judge dates by (default today, UTC)."""
    delivery_events_after = [d for d in order.deliveries if d.state != sm.D_VOIDED]
    all_shipped = all(d.state == sm.D_SHIPPED or d is delivery for d in delivery_events_after)
    stock_ok = True
    if event == "submit" or (event is None and order.state in (sm.CART, sm.QUOTE)):
        stock_ok = stock_covers(order, list(order.lines), only_standard=True)
    elif delivery is not None and event in ("stock_arrived", "release"):
        stock_ok = stock_covers(order, lines_of(order, delivery), only_standard=False)
    shipment_covered = True
    if delivery is not None and order.payment_flow == "per_shipment":
        shipment_covered = order.paid >= shipped_value(order, delivery)
    elif delivery is not None and order.payment_flow in ("prepay", "external"):
        shipment_covered = order.paid >= order.total
    return sm.Facts(
        state=order.state,
        payment_flow=order.payment_flow,
        is_suspended=order.is_suspended,
        is_blocked=order.active_blocks > 0,
        has_lines=bool(order.lines),
        stock_ok=stock_ok,
        total=order.total,
        paid=order.paid,
        any_shipped=any(d.state == sm.D_SHIPPED for d in order.deliveries),
        all_shipped=all_shipped,
        quote_valid=order.quote_valid_until is None or order.quote_valid_until >= (on or today(order.shop)),
        delivery_state=delivery.state if delivery is not None else None,
        release_date_passed=(delivery is None or delivery.release_date is None
                             or delivery.release_date <= today(order.shop)),
        shipment_covered=shipment_covered,
        order_confirmed=order.state in (sm.IN_PROGRESS, sm.PARTIALLY_SHIPPED),
    )


def order_actions(access: Access, order: Order) -> list[dict[str, Any]]:
    facts = order_facts(order)
    result = []
    for event in sm.ORDER_ACTIONS:
        decision = sm.decide(sm.ORDER_TABLE, facts, event, access=access, shop_id=order.shop_id)
        result.append({"event": event, "allowed": decision.allowed, "reason": decision.reason,
                       "to": decision.target if decision.allowed else None})
    return result


def delivery_actions(access: Access, order: Order, delivery: Delivery) -> list[dict[str, Any]]:
    result = []
    for event in sm.DELIVERY_ACTIONS:
        facts = order_facts(order, delivery=delivery, event=event)
        decision = sm.decide(sm.DELIVERY_TABLE, facts, event, access=access, shop_id=order.shop_id,
                             state=delivery.state)
        result.append({"event": event, "allowed": decision.allowed, "reason": decision.reason})
    return result


# -- inventory -------------------------------------------------------------------------------


def delivery_group(lines: list[OrderLine]) -> str:
    return max((line.group for line in lines), key=GROUP_ORDER.index)


def plan_deliveries(run: Run, *, new_order: bool = False) -> None:
    """Split the lines into deliveries by group (one delivery if ship_together), then hold stock.

    Standard lines must be covered (``insufficient_stock``, nothing kept); back-orders take
    what is there and otherwise wait for stock; preorders wait for their release date.
    A ``new_order`` holds nothing yet (no need to read its reservations).
    """
    order = run.order
    buckets: dict[str, list[OrderLine]] = {}
    for line in order.lines:
        key = "together" if order.ship_together else line.group
        buckets.setdefault(key, []).append(line)
    if not run.apply:
        for key, lines in buckets.items():
            run.say(_l("delivery %(group)s: %(lines)s", group=delivery_group(lines) if key == "together" else key,
                       lines=", ".join(f"{line.quantity} × {line.sku}" for line in lines)))
        for line in order.lines:
            if line.group == Availability.STANDARD.value:
                run.say(_l("reserve %(quantity)s × %(sku)s", quantity=line.quantity, sku=line.sku))
        return
    locked = catalogue.lock_stock(order.shop_id, [line.product_id for line in order.lines if _needs_stock(line)])
    held = {} if new_order else holdings(order)
    short = []
    for line in order.lines:
        if line.group == Availability.STANDARD.value and catalogue.available(locked[line.product_id]) < line.quantity:
            short.append(line.sku)
        elif line.group == Availability.STANDARD.value:
            _reserve_line(order, line, locked[line.product_id], held)
    if short:
        raise Conflict(_l("Not enough stock for %(skus)s.", skus=", ".join(short)), code="insufficient_stock",
                       fields={"lines": [_l("%(sku)s: not enough stock", sku=sku) for sku in short]})
    # States first (holding stock flushes), then the deliveries in one INSERT.
    plans: list[tuple[str, date | None, str, list[OrderLine]]] = []
    for key, lines in buckets.items():
        group = delivery_group(lines) if key == "together" else key
        dates = [day for day in (_release_date(line) for line in lines) if day is not None]
        release = max(dates, default=None)
        if release is not None and release > today(order.shop):
            state = sm.D_WAIT_DATE
        elif not _hold_waiting_lines(order, lines, locked, held):
            state = sm.D_WAIT_INVENTORY
        else:
            state = sm.D_RESERVED
        plans.append((group, release, state, lines))
    planned: list[tuple[Delivery, list[OrderLine]]] = []
    for group, release, state, lines in plans:
        delivery = Delivery(shop_id=order.shop_id, group=group, state=state, release_date=release)
        order.deliveries.append(delivery)
        planned.append((delivery, lines))
    db.session.flush()
    for delivery, lines in planned:
        for line in lines:
            line.delivery_id = delivery.id
        run.say(_l("delivery %(id)s (%(group)s): %(state)s", id=delivery.id, group=delivery.group,
                   state=delivery.state))
    db.session.flush()


def _release_date(line: OrderLine) -> date | None:
    if line.group != Availability.PREORDER.value:
        return None
    from shopadmin.catalogue.models import Product

    # Capture read the products already: usually no SQL.
    product = db.session.get(Product, line.product_id)
    return product.release_date if product is not None else None


def holdings(order: Order) -> dict[int, int]:
    """Units held per line id (one query)."""
    held: dict[int, int] = {}
    for reservation in reservations_of(order):
        held[reservation.line_id] = held.get(reservation.line_id, 0) + reservation.quantity
    return held


def _reserve_line(order: Order, line: OrderLine, levels: list[StockLevel], held: dict[int, int]) -> None:
    missing = line.quantity - held.get(line.id, 0)
    if missing <= 0:
        return
    if line.id is None:
        db.session.flush()  # a line added by this edit needs its id
    for level, quantity in catalogue.take(levels, missing):
        db.session.add(StockReservation(shop_id=order.shop_id, order_id=order.id, line_id=line.id,
                                        stock_id=level.id, sku=line.sku, quantity=quantity))
    held[line.id] = line.quantity


def _hold_waiting_lines(order: Order, lines: list[OrderLine], locked: dict[int, list[StockLevel]],
                        held: dict[int, int]) -> bool:
    """Reserve back-order/preorder lines if the stock is there; False when some must wait."""
    db.session.flush()
    waiting = [line for line in lines if line.group in (Availability.BACKORDER.value, Availability.PREORDER.value)]
    if all(catalogue.available(locked.get(line.product_id, [])) >= line.quantity for line in waiting):
        for line in waiting:
            _reserve_line(order, line, locked[line.product_id], held)
        return True
    return False


def release_reservations(run: Run, deliveries: list[Delivery]) -> None:
    """Give back the stock held for these deliveries."""
    order = run.order
    line_ids = {line.id for d in deliveries for line in lines_of(order, d)}
    held = [r for r in reservations_of(order) if r.line_id in line_ids]
    for reservation in held:
        run.say(_l("release %(quantity)s × %(sku)s", quantity=reservation.quantity, sku=reservation.sku))
    if not run.apply or not held:
        return
    levels = catalogue.lock_levels_by_id(r.stock_id for r in held)
    for reservation in held:
        catalogue.release(levels[reservation.stock_id], reservation.quantity)
        db.session.delete(reservation)
    db.session.flush()


def consume_reservations(run: Run, delivery: Delivery) -> None:
    order = run.order
    line_ids = {line.id for line in lines_of(order, delivery)}
    held = [r for r in reservations_of(order) if r.line_id in line_ids]
    for reservation in held:
        run.say(_l("ship %(quantity)s × %(sku)s out of stock", quantity=reservation.quantity, sku=reservation.sku))
    if not run.apply:
        return
    levels = catalogue.lock_levels_by_id(r.stock_id for r in held)
    for reservation in held:
        catalogue.consume(levels[reservation.stock_id], reservation.quantity)
        db.session.delete(reservation)
    db.session.flush()


def reserve_delivery(run: Run, delivery: Delivery) -> None:
    order = run.order
    lines = [line for line in lines_of(order, delivery) if _needs_stock(line)]
    for line in lines:
        run.say(_l("reserve %(quantity)s × %(sku)s", quantity=line.quantity, sku=line.sku))
    if not run.apply:
        return
    locked = catalogue.lock_stock(order.shop_id, [line.product_id for line in lines])
    held = holdings(order)
    for line in lines:
        if catalogue.available(locked[line.product_id]) < line.quantity - held.get(line.id, 0):
            raise Conflict(_l("Not enough stock for %(skus)s.", skus=line.sku), code="insufficient_stock")
        _reserve_line(order, line, locked[line.product_id], held)
    db.session.flush()


# -- effects ---------------------------------------------------------------------------------


def _effect_reserve_stock(run: Run) -> None:
    plan_deliveries(run)


def _effect_allocate(run: Run) -> None:
    for delivery in run.order.deliveries:
        if delivery.state == sm.D_RESERVED:
            run.say(_l("allocate delivery %(id)s", id=delivery.id))
            if run.apply:
                delivery.state = sm.D_ALLOCATED


def _effect_deallocate(run: Run) -> None:
    deliveries = open_deliveries(run.order)
    release_reservations(run, deliveries)
    for delivery in deliveries:
        run.say(_l("void delivery %(id)s", id=delivery.id))
        if run.apply:
            delivery.state = sm.D_VOIDED


def _effect_refund_due(run: Run) -> None:
    order = run.order
    run.say(_l("refund due: %(amount)s %(currency)s", amount=money_str(order.paid - order.refunded, order.currency),
               currency=order.currency))


def _effect_record_refund(run: Run) -> None:
    order = run.order
    due = order.paid - order.refunded
    run.say(_l("refund %(amount)s %(currency)s", amount=money_str(due, order.currency), currency=order.currency))
    if run.apply and due > 0:
        order.payments.append(Payment(shop_id=order.shop_id, method="refund", amount=due, currency=order.currency,
                                      status="refunded", user_id=run.access.user_id))
        order.refunded += due


def _effect_release_quote(run: Run) -> None:
    order = run.order
    until = order.quote_valid_until.isoformat() if order.quote_valid_until else "-"
    run.say(_l("quoted prices no longer held (valid until %(date)s)", date=until))


def _effect_suspend(run: Run) -> None:
    run.say(_l("suspend the order: nothing moves until it is resumed"))
    if run.apply:
        run.order.is_suspended = True


def _effect_resume(run: Run) -> None:
    run.say(_l("resume the order"))
    if run.apply:
        run.order.is_suspended = False


def _effect_reserve_delivery(run: Run) -> None:
    assert run.delivery is not None  # noqa: S101 - a delivery-table effect
    reserve_delivery(run, run.delivery)


def _effect_release_delivery(run: Run) -> None:
    assert run.delivery is not None  # noqa: S101
    release_reservations(run, [run.delivery])


def _effect_consume_stock(run: Run) -> None:
    assert run.delivery is not None  # noqa: S101
    consume_reservations(run, run.delivery)
    if run.apply:
        run.delivery.shipped_at = utcnow()


EFFECTS: dict[str, Callable[[Run], None]] = {
    "reserve_stock": _effect_reserve_stock,
    "allocate_deliveries": _effect_allocate,
    "deallocate": _effect_deallocate,
    "refund_due": _effect_refund_due,
    "record_refund": _effect_record_refund,
    "release_quote": _effect_release_quote,
    "suspend": _effect_suspend,
    "resume": _effect_resume,
    "reserve_delivery": _effect_reserve_delivery,
    "release_delivery": _effect_release_delivery,
    "consume_stock": _effect_consume_stock,
}


def run_effects(run: Run, names: tuple[str, ...]) -> None:
    for name in names:
        kind, _, arg = name.partition(":")
        if kind == "notify":
            run.notifications.append(arg)
            run.say(_l("email: %(notification)s", notification=arg))
        elif kind == "order":
            run.follow_up.append(arg)
        else:
            EFFECTS[name](run)


# -- firing ----------------------------------------------------------------------------------

# Set by services: (access, order, changes, reason) -> None, writes the version; and the notifier.
VersionWriter = Callable[[Access, Order, list[dict[str, Any]], str], None]
Notifier = Callable[[Access, Order, str, dict[str, Any]], None]


@dataclass
class Hooks:
    write_version: VersionWriter | None = None
    notify: Notifier | None = None


hooks = Hooks()


def _history(access: Access, order: Order, decision: sm.Decision, effects: list[Message],
             delivery: Delivery | None) -> None:
    db.session.add(OrderEvent(
        shop_id=order.shop_id, order_id=order.id, delivery_id=delivery.id if delivery else None,
        event=decision.event, from_state=decision.source, to_state=decision.target if decision.allowed else None,
        allowed=decision.allowed, reason=decision.reason, effects=in_record_language(effects[:50]),
        actor=access.actor,
        user_id=access.user_id, operator_id=access.operator_id,
    ))


def fire_order_event(access: Access, order: Order, event: str, *, dry_run: bool = False, system: bool = False,
                     payload: dict[str, Any] | None = None, on: date | None = None) -> Outcome:
    facts = order_facts(order, event=event, on=on)
    decision = sm.decide(sm.ORDER_TABLE, facts, event, access=access, shop_id=order.shop_id, system=system)
    return _carry_out(access, order, decision, None, dry_run=dry_run, payload=payload)


def fire_delivery_event(access: Access, order: Order, delivery: Delivery, event: str, *, dry_run: bool = False,
                        system: bool = False) -> Outcome:
    facts = order_facts(order, delivery=delivery, event=event)
    decision = sm.decide(sm.DELIVERY_TABLE, facts, event, access=access, shop_id=order.shop_id, system=system,
                         state=delivery.state)
    return _carry_out(access, order, decision, delivery, dry_run=dry_run)


def _carry_out(access: Access, order: Order, decision: sm.Decision, delivery: Delivery | None, *, dry_run: bool,
               payload: dict[str, Any] | None = None) -> Outcome:
    if not decision.allowed:
        if not dry_run and decision.reason != "unknown_event":
            _history(access, order, decision, [], delivery)
            db.session.flush()
        return Outcome(decision, [], [], dry_run, delivery.id if delivery else None)
    run = Run(access=access, order=order, apply=not dry_run, delivery=delivery)
    run_effects(run, decision.effects)
    target = decision.target
    if dry_run:
        if delivery is None and target is not None and target != decision.source:
            run.say(_l("order: %(source)s → %(target)s", source=decision.source, target=target))
        return Outcome(decision, run.described, run.notifications, True, delivery.id if delivery else None)
    changes: list[dict[str, Any]] = []
    if delivery is not None:
        if target and target != delivery.state:
            changes.append({"field": f"deliveries[{delivery.id}].state", "from": delivery.state, "to": target})
            delivery.state = target
    elif target and target != order.state:
        changes.append({"field": "state", "from": order.state, "to": target})
        order.state = target
        order.state_changed_at = utcnow()
    _history(access, order, decision, run.described, delivery)
    db.session.flush()
    for name in run.notifications:
        if hooks.notify is not None:
            hooks.notify(access, order, name, {**(payload or {}), "delivery_id": delivery.id if delivery else None})
    for follow in run.follow_up:
        fire_order_event(access, order, follow, system=True)
    if changes and hooks.write_version is not None:
        hooks.write_version(access, order, changes, f"event: {decision.event}")
    elif decision.effects and hooks.write_version is not None and delivery is None:
        hooks.write_version(access, order, [{"field": "event", "from": None, "to": decision.event}],
                            f"event: {decision.event}")
    return Outcome(decision, run.described, run.notifications, False, delivery.id if delivery else None)


def raise_refusal(outcome: Outcome) -> None:
    """Turn a refused event into the API's answer: 403 for the role, else 409 (422 unknown)."""
    decision = outcome.decision
    if decision.allowed:
        return
    fields = {"event": decision.event, "state": decision.source, "reason": decision.reason}
    if decision.reason == "unknown_event":
        unknown = _l("Unknown event %(event)s.", event=repr(decision.event))
        raise Invalid(unknown, code="unknown_event", fields={"event": [unknown]})
    if decision.reason == "role":
        raise Forbidden(_l("Your role does not allow this."), fields=fields)
    raise Conflict(_l("%(event)s is not possible now (%(reason)s).", event=repr(decision.event),
                      reason=decision.reason), code="invalid_transition", fields=fields)


def settle_deliveries(access: Access, order: Order) -> None:
    """System moves after the order changed: allocate confirmed deliveries."""
    if order.state in (sm.IN_PROGRESS, sm.PARTIALLY_SHIPPED):
        for delivery in list(order.deliveries):
            if delivery.state == sm.D_RESERVED:
                fire_delivery_event(access, order, delivery, "allocate", system=True)
