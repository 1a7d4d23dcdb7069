"""Worklist tiles: how many things wait for someone, each a link to the list that shows them.

A tile is a function ``count(shop_ids) -> int | None`` registered with ``@tile``; ``None``
means the module it counts is not installed here, and the tile is left off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from shopadmin.core.access import Access, Permission
from shopadmin.extensions import db

Counter = Callable[[frozenset[int]], int | None]


@dataclass(frozen=True)
class Tile:
    key: str
    label: Any
    count: Counter
    permission: Permission
    order: int
    link: tuple[str, dict[str, Any]] | None = None  # an admin endpoint that lists what is counted

    def url(self) -> str | None:
        """The list behind the tile, when that screen is installed here."""
        if self.link is None:
            return None
        try:
            return url_for(self.link[0], **self.link[1])
        except BuildError:
            return None


TILES: dict[str, Tile] = {}


def tile(key: str, *, label: Any, permission: Permission = Permission.DASHBOARD_VIEW, order: int = 100,
         link: tuple[str, dict[str, Any]] | None = None) -> Callable[[Counter], Counter]:
    """Register a tile counting over the shops where the caller holds ``permission``."""

    def register(func: Counter) -> Counter:
        TILES[key] = Tile(key, label, func, permission, order, link)
        return func

    return register


def _orders_where(shop_ids: frozenset[int], *criteria: Any) -> int:
    from shopadmin.orders.models import Order

    return int(db.session.scalar(
        sa.select(sa.func.count(Order.id)).where(Order.shop_id.in_(sorted(shop_ids)), *criteria)) or 0)


@tile("orders_pending", label=_l("Orders pending confirmation"), permission=Permission.ORDER_VIEW, order=10,
      link=("orders.index_view", {}))
def orders_pending(shop_ids: frozenset[int]) -> int | None:
    from shopadmin.orders import statemachine as sm
    from shopadmin.orders.models import Order

    return _orders_where(shop_ids, Order.state == sm.PENDING)


@tile("orders_blocked", label=_l("Orders blocked"), permission=Permission.ORDER_VIEW, order=20,
      link=("orders.index_view", {"worklist": "blocked"}))
def orders_blocked(shop_ids: frozenset[int]) -> int | None:
    from shopadmin.orders import statemachine as sm
    from shopadmin.orders.models import Order

    return _orders_where(shop_ids, Order.active_blocks > 0, Order.state.not_in(sm.FINAL_ORDER_STATES))


@tile("orders_alerts", label=_l("Orders with alerts"), permission=Permission.ORDER_VIEW, order=30)
def orders_alerts(shop_ids: frozenset[int]) -> int | None:
    from shopadmin.customers.models import CustomerAlert
    from shopadmin.orders import statemachine as sm
    from shopadmin.orders.models import Order

    # An open alert on the order itself, or on its customer in general.
    alerted = sa.exists().where(
        CustomerAlert.cleared_at.is_(None),
        sa.or_(CustomerAlert.order_id == Order.id,
               sa.and_(CustomerAlert.order_id.is_(None), CustomerAlert.customer_id == Order.customer_id)),
    )
    return _orders_where(shop_ids, Order.state.not_in(sm.FINAL_ORDER_STATES), Order.state.not_in((sm.CART, sm.QUOTE)),
                         alerted)


@tile("orders_waiting_payment", label=_l("Orders waiting for payment"), permission=Permission.ORDER_VIEW, order=40,
      link=("orders.index_view", {"worklist": "waiting_payment"}))
def orders_waiting_payment(shop_ids: frozenset[int]) -> int | None:
    from shopadmin.orders import statemachine as sm
    from shopadmin.orders.models import Order

    return _orders_where(shop_ids, Order.state == sm.WAITING_PAYMENT)


def _deliveries_in(shop_ids: frozenset[int], states: tuple[str, ...]) -> int:
    from shopadmin.orders.models import Delivery

    return int(db.session.scalar(sa.select(sa.func.count(Delivery.id)).where(
        Delivery.shop_id.in_(sorted(shop_ids)), Delivery.state.in_(states))) or 0)


@tile("deliveries_to_pack", label=_l("Deliveries to pack"), permission=Permission.ORDER_VIEW, order=50)
def deliveries_to_pack(shop_ids: frozenset[int]) -> int | None:
    from shopadmin.orders import statemachine as sm

    return _deliveries_in(shop_ids, (sm.D_ALLOCATED, sm.D_PACKING))


@tile("deliveries_to_ship", label=_l("Deliveries to ship"), permission=Permission.ORDER_VIEW, order=60)
def deliveries_to_ship(shop_ids: frozenset[int]) -> int | None:
    from shopadmin.orders import statemachine as sm

    return _deliveries_in(shop_ids, (sm.D_READY,))


@tile("notifications_failed", label=_l("Failed notifications"), permission=Permission.NOTIFICATION_VIEW, order=70,
      link=("notifications.index_view", {}))
def notifications_failed(shop_ids: frozenset[int]) -> int | None:
    from shopadmin.notifications.models import Notification, NotificationStatus

    return int(db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.shop_id.in_(sorted(shop_ids)), Notification.status == NotificationStatus.FAILED,
        Notification.is_alert_open.is_(True))) or 0)


@tile("inbox_review", label=_l("Inbox messages waiting for review"), permission=Permission.INBOX_VIEW, order=80,
      link=("inbox.index_view", {}))
def inbox_review(shop_ids: frozenset[int]) -> int | None:
    try:
        from shopadmin.inbox.models import InboxMessage, InboxStatus, ReviewState
    except ImportError:  # the inbox module is not installed here: no tile
        return None
    return int(db.session.scalar(sa.select(sa.func.count(InboxMessage.id)).where(
        InboxMessage.shop_id.in_(sorted(shop_ids)), InboxMessage.status == InboxStatus.REVIEW,
        InboxMessage.review_state == ReviewState.PENDING)) or 0)


def tile_counts(access: Access, selected: frozenset[int] | None) -> list[tuple[Tile, int]]:
    """The tiles the caller may see with their counts, over the selected (visible) shops."""
    out = []
    for item in sorted(TILES.values(), key=lambda t: (t.order, t.key)):
        shop_ids = allowed_shops(access, item.permission, selected)
        if not shop_ids:
            continue
        count = item.count(shop_ids)
        if count is not None:
            out.append((item, count))
    return out


def allowed_shops(access: Access, permission: Permission, selected: frozenset[int] | None) -> frozenset[int]:
    """The shops where ``access`` holds ``permission``, narrowed to ``selected`` when given."""
    if access.sees_all_shops:
        from shopadmin.tenants.models import Shop

        allowed = frozenset(db.session.scalars(sa.select(Shop.id)))
    else:
        allowed = access.shops_allowing(permission) or frozenset()
    return allowed & selected if selected is not None else allowed
