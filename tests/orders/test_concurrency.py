"""Many threads order the last units at once on PostgreSQL: never more sold than stock."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from flask import Flask

from shopadmin.catalogue.models import StockLevel
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Conflict
from shopadmin.extensions import db
from shopadmin.orders import services as orders
from shopadmin.orders.models import Order, StockReservation

PLATFORM = system_access("tests")
THREADS = 16


def test_last_units_are_never_oversold(app: Flask, order_world: dict[str, Any]) -> None:
    customer_id = order_world["OWN"]["customer_id"]
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def buy(quantity: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                with unit_of_work(PLATFORM):
                    orders.place_order(PLATFORM, orders.OrderInput(
                        shop="OWN", customer_id=customer_id,
                        lines=[orders.LineInput(sku="STD-2", quantity=1), orders.LineInput(sku="STD-1",
                                                                                           quantity=quantity)]))
                outcome = f"ok:{quantity}"
            except Conflict as exc:
                outcome = exc.code
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=buy, args=(1 + n % 2,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == THREADS
    sold = sum(int(r.split(":")[1]) for r in results if r.startswith("ok"))
    assert sold <= 5
    assert sold >= 4  # the units were there: someone got them
    assert set(r for r in results if not r.startswith("ok")) <= {"insufficient_stock"}
    with app.app_context(), unit_of_work(PLATFORM):
        level = db.session.scalars(sa.select(StockLevel).join(StockLevel.product)
                                   .where(StockLevel.product.has(sku="STD-1"),
                                          StockLevel.shop_id == order_world["OWN"]["shop_id"])).one()
        held = db.session.scalar(sa.select(sa.func.sum(StockReservation.quantity))
                                 .where(StockReservation.sku == "STD-1",
                                        StockReservation.shop_id == order_world["OWN"]["shop_id"]))
        placed = db.session.scalar(sa.select(sa.func.count()).select_from(Order))
        assert level.reserved == held == sold
        assert level.quantity == 5
        assert placed == sum(1 for r in results if r.startswith("ok"))
