"""The inventory report: on hand, reserved, available and back-ordered stock per warehouse and SKU.

Back-ordered units (lines waiting for stock) are promised from no warehouse yet: they are
shown on the SKU's first warehouse row, or on a row with warehouse "—" when the SKU has
no stock anywhere, so a column total counts each unit once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from shopadmin.catalogue.models import Product, StockLevel
from shopadmin.extensions import db
from shopadmin.orders import statemachine as sm
from shopadmin.orders.models import Delivery, OrderLine
from shopadmin.reports.base import SHOP_PARAM, Column, Param, Report, ReportContext

ALL = "all"
SHORT = "short"  # nothing available, or back-orders waiting
STOCK_CHOICES = [(ALL, _l("all products with stock or back-orders")), (SHORT, _l("out of stock or back-ordered"))]


class InventoryReport(Report):
    key = "inventory"
    slug = "available-stock"
    title = _l("Available stock")
    description = _l("On hand, reserved, available and back-ordered units per warehouse and SKU.")
    columns = (
        Column("shop", _l("Shop"), 0.8),
        Column("warehouse", _l("Warehouse"), 1.0),
        Column("sku", _l("SKU"), 1.2),
        Column("name", _l("Product"), 2.4),
        Column("quantity", _l("On hand"), 0.8, numeric=True),
        Column("reserved", _l("Reserved"), 0.8, numeric=True),
        Column("available", _l("Available"), 0.8, numeric=True),
        Column("backordered", _l("Back-ordered"), 0.9, numeric=True),
    )
    params = (
        SHOP_PARAM,
        Param("warehouse", _l("Warehouse"), "text"),
        Param("sku", _l("SKU contains"), "text"),
        Param("stock", _l("Show"), "choice", STOCK_CHOICES, ALL),
    )

    def rows(self, ctx: ReportContext) -> Iterable[Sequence[Any]]:
        p = ctx.params
        shop_ids = sorted(ctx.shop_ids)
        waiting = (
            sa.select(OrderLine.shop_id, OrderLine.product_id, sa.func.sum(OrderLine.quantity).label("units"))
            .join(Delivery, sa.and_(Delivery.shop_id == OrderLine.shop_id, Delivery.id == OrderLine.delivery_id))
            .where(OrderLine.shop_id.in_(shop_ids), Delivery.state == sm.D_WAIT_INVENTORY)
            .group_by(OrderLine.shop_id, OrderLine.product_id)
            .subquery()
        )
        stmt = (
            sa.select(Product.shop_id, StockLevel.warehouse, Product.sku, Product.name, StockLevel.quantity,
                      StockLevel.reserved, sa.func.coalesce(waiting.c.units, 0))
            .outerjoin(StockLevel, sa.and_(StockLevel.shop_id == Product.shop_id,
                                           StockLevel.product_id == Product.id))
            .outerjoin(waiting, sa.and_(waiting.c.shop_id == Product.shop_id, waiting.c.product_id == Product.id))
            .where(Product.shop_id.in_(shop_ids))
            .where(sa.or_(StockLevel.id.is_not(None), waiting.c.units > 0))
        )
        if p.get("warehouse"):
            stmt = stmt.where(sa.func.upper(StockLevel.warehouse) == p["warehouse"].upper())
        if p.get("sku"):
            stmt = stmt.where(Product.sku.ilike(f"%{_escape_like(p['sku'])}%", escape="\\"))
        if p.get("stock") == SHORT:
            stmt = stmt.where(sa.or_(sa.func.coalesce(StockLevel.quantity - StockLevel.reserved, 0) <= 0,
                                     waiting.c.units > 0))
        found = db.session.execute(stmt.order_by(Product.shop_id, Product.sku, StockLevel.warehouse)).all()
        rows = []
        seen: set[tuple[int, str]] = set()
        for shop_id, warehouse, sku, name, quantity, reserved, backordered in found:
            first = (shop_id, sku) not in seen
            seen.add((shop_id, sku))
            quantity, reserved = int(quantity or 0), int(reserved or 0)
            rows.append([ctx.shop_code(shop_id), warehouse or "—", sku, name, quantity, reserved,
                         quantity - reserved, int(backordered) if first else 0])
        rows.sort(key=lambda row: (row[0], row[1], row[2]))
        return rows


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
