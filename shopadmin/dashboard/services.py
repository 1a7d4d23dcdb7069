"""What the dashboard shows a caller: the shop selector, the period, widgets and tiles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shopadmin.core.access import Access, Permission
from shopadmin.dashboard.periods import DEFAULT_RANGE, GRANULARITY_LABELS, RANGES, Granularity, Period, ShopDays
from shopadmin.dashboard.tiles import Tile, allowed_shops, tile_counts
from shopadmin.dashboard.widgets import Widget, WidgetView, registered
from shopadmin.tenants import services as tenants
from shopadmin.tenants.models import Shop


@dataclass(frozen=True)
class Dashboard:
    shop: Shop | None  # the selected shop, or None: every visible shop
    period: Period
    widgets: list[tuple[Widget, dict[str, Any]]]
    tiles: list[tuple[Tile, int]]


def build_dashboard(access: Access, *, shop_code: str | None = None, period: Period | None = None) -> Dashboard:
    """The dashboard over the visible shops, or one of them (``NotFound`` outside the scope).

    Each widget and tile covers only the shops where the caller holds its permission.
    """
    shop = tenants.get_shop(access, shop_code) if shop_code else None
    selected = frozenset({shop.id}) if shop is not None else None
    period = period or Period.last(*RANGES["30d"])
    widgets = []
    for item in registered():
        shop_ids = allowed_shops(access, item.permission, selected)
        if shop_ids:
            widgets.append((item, item.compute(WidgetView(access, shop_ids, period))))
    return Dashboard(shop, period, widgets, tile_counts(access, selected))


def dashboard_context(access: Access, args: Mapping[str, str]) -> dict[str, Any]:
    """Template variables for the admin index (``?shop=CODE&range=30d&by=week``).

    "Today" (the end of a named range) is the shops' own today when they share a time zone.
    """
    shop_code = args.get("shop") or None
    shop = tenants.get_shop(access, shop_code) if shop_code else None
    shown = allowed_shops(access, Permission.DASHBOARD_VIEW, frozenset({shop.id}) if shop is not None else None)
    period = Period.from_args(args, today=ShopDays.of(shown).today())
    dashboard = build_dashboard(access, shop_code=shop_code, period=period)
    return {
        "dashboard": dashboard,
        "ranges": list(RANGES),
        "selected_range": args.get("range") if args.get("range") in RANGES else (
            None if args.get("from") or args.get("to") else DEFAULT_RANGE),
        "granularities": [(g.value, GRANULARITY_LABELS[g]) for g in Granularity],
    }
