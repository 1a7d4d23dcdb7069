"""The delivery report: deliveries by state, warehouse and date range, overdue ones first.

A delivery is overdue when it is still open after its due date: the release date of a
preorder, otherwise the day it was created plus ``SHOPADMIN_SHIP_WITHIN_DAYS`` (2).
The warehouse is where its stock is held; a shipped delivery no longer holds any ("—").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from shopadmin.catalogue.models import StockLevel
from shopadmin.extensions import db
from shopadmin.orders import statemachine as sm
from shopadmin.orders.models import Delivery, Order, OrderLine, StockReservation
from shopadmin.reports.base import SHOP_PARAM, Column, Param, Report, ReportContext, days_ago, today

OPEN = "open"
ALL = "all"
STATE_CHOICES = [(OPEN, _l("open (not shipped)")), (ALL, _l("all")), *[(s, s) for s in sm.DELIVERY_STATES]]


def ship_within_days() -> int:
    return int(current_app.config.get("SHOPADMIN_SHIP_WITHIN_DAYS", 2))


class DeliveryReport(Report):
    key = "deliveries"
    slug = "deliveries"
    title = _l("Deliveries")
    description = _l("Deliveries by state, warehouse and date range; overdue ones first.")
    columns = (
        Column("overdue", _l("Days late"), 0.7, numeric=True),
        Column("shop", _l("Shop"), 0.8),
        Column("order", _l("Order"), 1.3),
        Column("delivery", _l("Delivery"), 0.7, numeric=True),
        Column("group", _l("Group"), 0.9),
        Column("state", _l("State"), 1.1),
        Column("warehouse", _l("Warehouse"), 0.9),
        Column("created", _l("Created"), 0.9),
        Column("due", _l("Due"), 0.9),
        Column("shipped", _l("Shipped"), 0.9),
        Column("customer", _l("Customer"), 1.6),
        Column("ship_to", _l("Ship to"), 1.6),
    )
    params = (
        SHOP_PARAM,
        Param("state", _l("State"), "choice", STATE_CHOICES, OPEN),
        Param("warehouse", _l("Warehouse"), "text"),
        Param("date_from", _l("Created from"), "date", default=days_ago(89)),
        Param("date_to", _l("Created to"), "date", default=today),
    )

    def _statement(self, ctx: ReportContext) -> sa.Select[Any]:
        p = ctx.params
        stmt = (
            sa.select(Delivery, Order.number, Order.customer_name, Order.shipping_address)
            .join(Order, sa.and_(Order.shop_id == Delivery.shop_id, Order.id == Delivery.order_id))
            .where(Delivery.shop_id.in_(sorted(ctx.shop_ids)))
        )
        if p["state"] == OPEN:
            stmt = stmt.where(Delivery.state.in_(sm.OPEN_DELIVERY_STATES))
        elif p["state"] != ALL:
            stmt = stmt.where(Delivery.state == p["state"])
        if p.get("date_from"):
            stmt = stmt.where(Delivery.created_at >= _start_of(p["date_from"]))
        if p.get("date_to"):
            stmt = stmt.where(Delivery.created_at < _start_of(p["date_to"] + timedelta(days=1)))
        if p.get("warehouse"):
            held_there = (
                sa.select(OrderLine.delivery_id)
                .join(StockReservation, sa.and_(StockReservation.shop_id == OrderLine.shop_id,
                                                StockReservation.line_id == OrderLine.id))
                .join(StockLevel, sa.and_(StockLevel.shop_id == StockReservation.shop_id,
                                          StockLevel.id == StockReservation.stock_id))
                .where(sa.func.upper(StockLevel.warehouse) == p["warehouse"].upper())
            )
            stmt = stmt.where(Delivery.id.in_(held_there))
        return stmt

    def count(self, ctx: ReportContext) -> int:
        inner = self._statement(ctx).with_only_columns(Delivery.id).subquery()
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0)

    def rows(self, ctx: ReportContext) -> Iterable[Sequence[Any]]:
        found = db.session.execute(self._statement(ctx).order_by(Delivery.created_at, Delivery.id)).all()
        warehouses = _warehouses([row[0].id for row in found])
        now = today()
        grace = timedelta(days=ship_within_days())
        out = []
        for delivery, number, customer_name, address in found:
            due = delivery.release_date or (delivery.created_at.date() + grace)
            is_open = delivery.state in sm.OPEN_DELIVERY_STATES
            late = (now - due).days if is_open and due < now else 0
            address = address or {}
            out.append((late, [
                late or "", ctx.shop_code(delivery.shop_id), number, delivery.id, delivery.group, delivery.state,
                ", ".join(warehouses.get(delivery.id, [])) or "—", delivery.created_at.date().isoformat(),
                due.isoformat(), delivery.shipped_at.date().isoformat() if delivery.shipped_at else "",
                customer_name, " ".join(filter(None, [address.get("name"), address.get("city"),
                                                     address.get("country")])),
            ]))
        # Overdue first (the latest at the top), then the rest oldest first.
        out.sort(key=lambda item: -item[0])
        return [row for _, row in out]


def _start_of(day: date) -> Any:
    from datetime import UTC, datetime, time

    return datetime.combine(day, time.min, tzinfo=UTC)


def _warehouses(delivery_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(delivery_ids), 1000):
        chunk = delivery_ids[start:start + 1000]
        pairs = db.session.execute(
            sa.select(OrderLine.delivery_id, StockLevel.warehouse)
            .join(StockReservation, sa.and_(StockReservation.shop_id == OrderLine.shop_id,
                                            StockReservation.line_id == OrderLine.id))
            .join(StockLevel, sa.and_(StockLevel.shop_id == StockReservation.shop_id,
                                      StockLevel.id == StockReservation.stock_id))
            .where(OrderLine.delivery_id.in_(chunk))
        ).all()
        for delivery_id, warehouse in pairs:
            if delivery_id is not None:
                found[delivery_id].add(warehouse)
    return {key: sorted(value) for key, value in found.items()}
