"""KPIs over the dashboard's period, for managers.

* **Order response time**: from placing an order to its first confirmation (median, 90th
  percentile), over orders placed in the period that were confirmed.
* **Handled without a person**: orders that came in through the storefront or the API
  (channels ``web`` and ``api``), and customer mails the inbox worker applied by itself
  (status ``applied`` with no reviewer).
* **Manual corrections**: order versions written by staff after capture (edits of lines,
  addresses, options) in the period, and per 100 orders placed.
* **Time saved** is an estimate, and says so: each order that needed nobody saves
  ``SHOPADMIN_MINUTES_PER_ORDER`` (default 4: a phone capture of a typical order) and each
  mail applied automatically saves ``SHOPADMIN_MINUTES_PER_MAIL`` (default 3: reading,
  finding the order, changing it, replying). Shops set their own figures in the config.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from shopadmin.dashboard.charts import NOT_PLACED, placed_orders
from shopadmin.dashboard.widgets import WidgetView, widget
from shopadmin.extensions import db
from shopadmin.orders.models import Order, OrderEvent, OrderVersion

AUTOMATIC_CHANNELS = ("web", "api")
MAX_SAMPLES = 50_000


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value / 3600, 1)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def response_time(view: WidgetView) -> dict[str, Any]:
    confirmed = (
        sa.select(OrderEvent.order_id, sa.func.min(OrderEvent.created_at).label("confirmed_at"))
        .where(OrderEvent.shop_id.in_(sorted(view.shop_ids)), OrderEvent.event == "confirm",
               OrderEvent.allowed.is_(True))
        .group_by(OrderEvent.order_id)
        .subquery()
    )
    pairs = db.session.execute(
        sa.select(Order.created_at, confirmed.c.confirmed_at)
        .join(confirmed, confirmed.c.order_id == Order.id)
        .where(*placed_orders(view))
        .limit(MAX_SAMPLES)
    ).all()
    seconds = [max(0.0, (_aware(at) - _aware(placed)).total_seconds()) for placed, at in pairs]
    return {"count": len(seconds), "median_hours": _hours(percentile(seconds, 0.5)),
            "p90_hours": _hours(percentile(seconds, 0.9))}


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def inbox_counts(view: WidgetView) -> tuple[int, int] | None:
    """(mails processed, applied with nobody reviewing) in the period; None without an inbox."""
    try:
        from shopadmin.inbox.models import InboxMessage, InboxStatus
    except ImportError:
        return None
    processed, automatic = db.session.execute(
        sa.select(sa.func.count(InboxMessage.id),
                  sa.func.count(InboxMessage.id).filter(InboxMessage.status == InboxStatus.APPLIED,
                                                        InboxMessage.reviewed_by_id.is_(None)))
        .where(InboxMessage.shop_id.in_(sorted(view.shop_ids)), InboxMessage.status != InboxStatus.RECEIVED,
               view.days.within(InboxMessage.received_at, InboxMessage.shop_id, view.period))
    ).one()
    return int(processed or 0), int(automatic or 0)


@widget("kpis", title=_l("Key figures"), template="dashboard/widgets/kpis.html", order=5)
def kpis(view: WidgetView) -> dict[str, Any]:
    placed, automatic = db.session.execute(
        sa.select(sa.func.count(Order.id), sa.func.count(Order.id).filter(Order.channel.in_(AUTOMATIC_CHANNELS)))
        .where(*placed_orders(view))
    ).one()
    placed, automatic = int(placed or 0), int(automatic or 0)
    corrections = int(db.session.scalar(
        sa.select(sa.func.count(OrderVersion.id))
        .join(Order, sa.and_(Order.shop_id == OrderVersion.shop_id, Order.id == OrderVersion.order_id))
        .where(OrderVersion.shop_id.in_(sorted(view.shop_ids)), OrderVersion.number > 1,
               OrderVersion.user_id.is_not(None), Order.state.not_in(NOT_PLACED),
               view.days.within(OrderVersion.created_at, OrderVersion.shop_id, view.period))
    ) or 0)
    mails = inbox_counts(view)
    minutes_per_order = float(current_app.config.get("SHOPADMIN_MINUTES_PER_ORDER", 4))
    minutes_per_mail = float(current_app.config.get("SHOPADMIN_MINUTES_PER_MAIL", 3))
    saved_minutes = automatic * minutes_per_order + (mails[1] if mails else 0) * minutes_per_mail
    return {
        "response": response_time(view),
        "orders": {"placed": placed, "automatic": automatic, "share": _share(automatic, placed)},
        "mails": None if mails is None else {"processed": mails[0], "automatic": mails[1],
                                             "share": _share(mails[1], mails[0])},
        "corrections": {"count": corrections, "per_100_orders": round(100 * corrections / placed, 1) if placed
                        else None},
        "time_saved": {"hours": round(saved_minutes / 60, 1), "minutes_per_order": minutes_per_order,
                       "minutes_per_mail": minutes_per_mail},
    }
