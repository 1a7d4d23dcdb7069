"""The widget registry: a chart is one function (its data, computed in SQL) and one template.

::

    @widget("orders_revenue", title=_l("Orders and revenue"), template="dashboard/widgets/orders_revenue.html")
    def orders_revenue(view: WidgetView) -> dict[str, Any]:
        ...

``view.shop_ids`` holds the shops the widget may show: those where the caller holds the
widget's permission, narrowed by the shop selector. The function filters on them
explicitly, and the ORM guard scopes the statement again (two rings). Widgets with no
shop to show are left off the page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from shopadmin.core.access import Access, Permission
from shopadmin.dashboard.periods import Period, ShopDays


@dataclass(frozen=True)
class WidgetView:
    """What a widget computes over: who asks, which shops, which period."""

    access: Access
    shop_ids: frozenset[int]
    period: Period

    @cached_property
    def days(self) -> ShopDays:
        """How the widget's shops read calendar days (their time zones)."""
        return ShopDays.of(self.shop_ids)


@dataclass(frozen=True)
class Widget:
    key: str
    title: Any  # a lazy string
    template: str
    compute: Callable[[WidgetView], dict[str, Any]]
    permission: Permission
    order: int


WIDGETS: dict[str, Widget] = {}
BUILT_IN = ("shopadmin.dashboard.kpis", "shopadmin.dashboard.charts")


Compute = Callable[[WidgetView], dict[str, Any]]


def widget(key: str, *, title: Any, template: str, permission: Permission = Permission.REPORT_VIEW,
           order: int = 100) -> Callable[[Compute], Compute]:
    """Register a widget function under ``key`` (a second registration replaces the first)."""

    def register(func: Compute) -> Compute:
        WIDGETS[key] = Widget(key, title, template, func, permission, order)
        return func

    return register


def registered() -> list[Widget]:
    for module in BUILT_IN:  # the built-in widgets register on import
        importlib.import_module(module)

    return sorted(WIDGETS.values(), key=lambda w: (w.order, w.key))
