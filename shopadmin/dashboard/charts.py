"""The built-in chart widgets: "Orders and revenue" and "Customers" (new and returning)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shopadmin.dashboard.widgets import WidgetView, widget
from shopadmin.extensions import db
from shopadmin.orders import statemachine as sm
from shopadmin.orders.models import Order

# Saved carts and quotes are not orders yet; undone orders count as placed but earn nothing.
NOT_PLACED = (sm.CART, sm.QUOTE)
NO_REVENUE = (sm.CANCELLED, sm.CANCELLED_WAITING_REFUND, sm.VOIDED, sm.RETURNED, sm.RETURNED_WAITING_REFUND)
PALETTE = ("#2fa4e7", "#73a839", "#dd5600", "#c71c22", "#033c73", "#6f42c1")


def placed_orders(view: WidgetView) -> list[sa.ColumnElement[bool]]:
    """The filter every order figure shares: placed orders of the widget's shops in the period
    (its days read in each order's shop's time zone)."""
    return [
        Order.shop_id.in_(sorted(view.shop_ids)),
        Order.state.not_in(NOT_PLACED),
        view.days.within(Order.created_at, Order.shop_id, view.period),
    ]


@widget("orders_revenue", title=_l("Orders and revenue"), template="dashboard/widgets/orders_revenue.html", order=10)
def orders_revenue(view: WidgetView) -> dict[str, Any]:
    """Orders placed and revenue per bucket, one series per currency (never added up)."""
    bucket = view.days.bucket(Order.created_at, Order.shop_id, view.period).label("bucket")
    revenue = sa.func.coalesce(sa.func.sum(sa.case((Order.state.in_(NO_REVENUE), 0), else_=Order.total)), 0)
    rows = db.session.execute(
        sa.select(bucket, Order.currency, sa.func.count(Order.id), revenue)
        .where(*placed_orders(view))
        .group_by(bucket, Order.currency)
    ).all()
    labels = view.period.buckets()
    position = {label: index for index, label in enumerate(labels)}
    series: dict[str, dict[str, list[Any]]] = {}
    for label, currency, count, amount in rows:
        if label not in position:
            continue
        entry = series.setdefault(currency, {"orders": [0] * len(labels), "revenue": [Decimal(0)] * len(labels)})
        entry["orders"][position[label]] += int(count)
        entry["revenue"][position[label]] += Decimal(amount)
    currencies = []
    for index, (currency, entry) in enumerate(sorted(series.items())):
        revenue_values = [value.quantize(Decimal("0.01")) for value in entry["revenue"]]
        currencies.append({
            "currency": currency,
            "orders": entry["orders"],
            "revenue": [str(value) for value in revenue_values],
            "total_orders": sum(entry["orders"]),
            "total_revenue": str(sum(revenue_values, Decimal(0))),
            "chart": {
                "type": "bar",
                "data": {
                    "labels": labels,
                    "datasets": [
                        {"type": "bar", "label": _("Revenue (%(currency)s)", currency=currency),
                         "data": [float(value) for value in revenue_values], "yAxisID": "revenue",
                         "backgroundColor": PALETTE[index % len(PALETTE)]},
                        {"type": "line", "label": _("Orders"), "data": entry["orders"], "yAxisID": "orders",
                         "borderColor": "#333333", "backgroundColor": "#333333"},
                    ],
                },
                "options": {
                    "animation": False, "maintainAspectRatio": False,
                    "scales": {
                        "revenue": {"type": "linear", "position": "left", "beginAtZero": True,
                                    "title": {"display": True, "text": currency}},
                        "orders": {"type": "linear", "position": "right", "beginAtZero": True,
                                   "grid": {"drawOnChartArea": False}, "ticks": {"precision": 0}},
                    },
                },
            },
        })
    return {"labels": labels, "currencies": currencies}


@widget("customers", title=_l("Customers"), template="dashboard/widgets/customers.html", order=20)
def customers(view: WidgetView) -> dict[str, Any]:
    """Customers who ordered per bucket: new (first order in these shops) and returning."""
    first_orders = (
        sa.select(Order.customer_id, sa.func.min(Order.created_at).label("first_at"))
        .where(Order.shop_id.in_(sorted(view.shop_ids)), Order.state.not_in(NOT_PLACED))
        .group_by(Order.customer_id)
        .subquery()
    )
    bucket = view.days.bucket(Order.created_at, Order.shop_id, view.period)
    # The first order's bucket, read in the time zone of the order counted (the same as its
    # own when a customer stays with shops of one zone).
    first_bucket = view.days.bucket(first_orders.c.first_at, Order.shop_id, view.period)
    rows = db.session.execute(
        sa.select(
            bucket.label("bucket"),
            sa.func.count(sa.distinct(Order.customer_id)),
            sa.func.count(sa.distinct(sa.case((first_bucket == bucket, Order.customer_id)))),
        )
        .join(first_orders, first_orders.c.customer_id == Order.customer_id)
        .where(*placed_orders(view))
        .group_by(bucket)
    ).all()
    labels = view.period.buckets()
    new = dict.fromkeys(labels, 0)
    returning = dict.fromkeys(labels, 0)
    for label, total, first in rows:
        if label in new:
            new[label] = int(first)
            returning[label] = int(total) - int(first)
    chart = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {"label": _("New"), "data": list(new.values()), "backgroundColor": "#73a839", "stack": "c"},
                {"label": _("Returning"), "data": list(returning.values()), "backgroundColor": "#2fa4e7",
                 "stack": "c"},
            ],
        },
        "options": {"animation": False, "maintainAspectRatio": False,
                    "scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True,
                                                            "ticks": {"precision": 0}}}},
    }
    rows_out = [{"bucket": label, "new": new[label], "returning": returning[label]} for label in labels]
    return {"labels": labels, "rows": rows_out, "total_new": sum(new.values()),
            "total_returning": sum(returning.values()), "chart": chart}
