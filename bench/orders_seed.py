"""Seed 1,000,000 orders (2-5 lines each) in 20 shops for 200,000 customers, with COPY.

Creates the database ``shopadmin_bench_orders`` (local PostgreSQL socket), migrates it,
makes the shops, a tax rule and 50 products per shop, a CSR of shop S01 and a superadmin
through the services, then COPYs customers, orders, lines and deliveries (one per order)
with a progress bar, and builds the trigram search index afterwards.

Run: ``.venv/bin/python bench/orders_seed.py`` (``BENCH_ORDERS`` / ``BENCH_CUSTOMERS`` change
the sizes). ``bench/orders_measure.py`` then measures against it.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DB = "shopadmin_bench_orders"
URL = f"postgresql+psycopg://root@/{DB}?host=/var/run/postgresql"
DSN = f"dbname={DB} host=/var/run/postgresql"
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "200000"))
SHOPS = 20
PRODUCTS_PER_SHOP = 50
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway bench database
BATCH = 20_000

FIRST = ["Anna", "Lukas", "Marie", "Paul", "Sophie", "Jonas", "Emma", "Felix", "Léa", "Hugo", "Claire", "Louis",
         "Olivia", "Noah", "Mia", "Elias", "Lina", "Ben", "Clara", "Finn", "Ella", "Leon", "Nora", "Max"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans", "Walker"]
# Most orders are done; the open states are the worklists.
STATES = (["completed"] * 60 + ["cancelled"] * 8 + ["in_progress"] * 8 + ["pending"] * 6 + ["waiting_payment"] * 5
          + ["partially_shipped"] * 4 + ["returned"] * 3 + ["cart"] * 2 + ["quote"] * 2 + ["voided"] * 1
          + ["cancelled_waiting_refund"] * 1)
DELIVERY_STATE = {"completed": "shipped", "partially_shipped": "packing", "in_progress": "allocated",
                  "pending": "reserved", "waiting_payment": "reserved", "returned": "shipped", "cancelled": "voided",
                  "voided": "voided", "cancelled_waiting_refund": "voided"}
TAX = Decimal("0.19")


def _app() -> Any:
    from shopadmin import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": URL, "SHOPADMIN_REDIS_URL": None,
                       "RATELIMIT_STORAGE_URI": "memory://", "SHOPADMIN_LOGIN_RATE_LIMIT": "10000 per minute"})


def _setup_platform() -> list[int]:
    from flask_migrate import upgrade

    from shopadmin.catalogue import services as catalogue
    from shopadmin.core.access import Role, system_access
    from shopadmin.core.db import unit_of_work
    from shopadmin.staff import services as staff
    from shopadmin.tenants import services as tenants

    with psycopg.connect("dbname=postgres host=/var/run/postgresql", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    app = _app()
    platform = system_access("bench")
    shop_ids = []
    with app.app_context():
        upgrade()
        with unit_of_work(platform):
            for n in range(1, SHOPS + 1):
                shop = tenants.create_shop(platform, tenants.ShopInput(code=f"S{n:02d}", name=f"Bench shop {n}"))
                tenants.add_tax_rule(platform, shop, country="DE", region=None, tax_class="standard", rate="0.19")
                for p in range(1, PRODUCTS_PER_SHOP + 1):
                    catalogue.create_product(platform, shop, catalogue.ProductInput(
                        sku=f"P{p:04d}", name=f"Product {p}", price=f"{5 + p % 40}.{p % 100:02d}"))
                    catalogue.set_stock(platform, shop, f"P{p:04d}", warehouse="MAIN", quantity=1_000_000_000)
                shop_ids.append(shop.id)
            staff.create_user(platform, email="csr@bench.example", password=PASSWORD, name="Bench CSR")
            staff.add_member(platform, tenants.get_shop(platform, "S01"), email="csr@bench.example", role=Role.CSR,
                             override_limit_pct="10")
            staff.create_user(platform, email="root@bench.example", password=PASSWORD, superadmin=True)
    return shop_ids


def _copy(cur: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


CUSTOMER_COLUMNS = ("id, group_key, sharing_group_id, home_shop_id, email, first_name, last_name, type, company, "
                    "department, phone, locale, wants_order_emails, allow_assistance, attributes, search_text, "
                    "created_at, updated_at, version")
ORDER_COLUMNS = ("id, shop_id, number, customer_id, state, is_suspended, channel, currency, payment_flow, "
                 "ship_together, attributes, shipping_address, billing_address, customer_name, customer_email, "
                 "ship_to_name, search_text, subtotal, tax, shipping_charge, handling_charge, misc_charge, total, "
                 "paid, refunded, active_blocks, version, created_by_user_id, created_at, updated_at, "
                 "state_changed_at")
LINE_COLUMNS = ("id, shop_id, order_id, position, product_id, delivery_id, sku, name, \"group\", quantity, "
                "unit_price, list_price, tax_class, tax_rate, tax, total")
DELIVERY_COLUMNS = "id, shop_id, order_id, \"group\", state, created_at, shipped_at"


def seed() -> None:
    from shopadmin.customers.services import search_text_for

    started = time.perf_counter()
    shop_ids = _setup_platform()
    print(f"  shops, products and staff in {time.perf_counter() - started:.0f} s")
    rng = random.Random(4)
    with psycopg.connect(DSN) as conn:
        products = {}  # shop_id -> [(id, sku, name, price)]
        for shop_id, product_id, sku, name, price in conn.execute(
                "SELECT shop_id, id, sku, name, price FROM products ORDER BY id"):
            products.setdefault(shop_id, []).append((product_id, sku, name, Decimal(price)))
        codes = dict(conn.execute("SELECT id, code FROM shops").fetchall())
        csr_id = conn.execute("SELECT id FROM users WHERE email = 'csr@bench.example'").fetchone()[0]
        conn.execute("DROP INDEX ix_orders_search_text_trgm")
        conn.execute("DROP INDEX IF EXISTS ix_customers_search_text_trgm")
        now = datetime(2026, 11, 1, tzinfo=UTC)
        customers: list[tuple[int, int, str, str]] = []  # id, shop_id, name, email
        with conn.cursor() as cur:
            rows: list[tuple[Any, ...]] = []
            links: list[tuple[Any, ...]] = []
            with click.progressbar(range(1, CUSTOMERS + 1), label="customers") as bar:
                for i in bar:
                    shop_id = shop_ids[i % SHOPS]
                    first, last = rng.choice(FIRST), rng.choice(LAST)
                    if i == 123_457:
                        last = "Zorbakk"  # one rare name: the selective search
                    email = f"{first.lower()}.{last.lower()}{i}@example.com"
                    fake = SimpleNamespace(first_name=first, last_name=last, email=email, company="", department="",
                                           phone="")
                    key = f"s{shop_id}"
                    rows.append((i, key, None, shop_id, email, first, last, "b2c", "", "", "", "de", True, False,
                                 "{}", search_text_for(fake, []), now, now, 1))  # type: ignore[arg-type]
                    links.append((i, key, i, shop_id, now))
                    customers.append((i, shop_id, f"{first} {last}", email))
                    if len(rows) == BATCH:
                        _copy(cur, "customers", CUSTOMER_COLUMNS, rows)
                        _copy(cur, "customer_shops", "id, group_key, customer_id, shop_id, registered_at", links)
                        rows, links = [], []
            if rows:
                _copy(cur, "customers", CUSTOMER_COLUMNS, rows)
                _copy(cur, "customer_shops", "id, group_key, customer_id, shop_id, registered_at", links)
            by_shop: dict[int, list[tuple[int, int, str, str]]] = {}
            for customer in customers:
                by_shop.setdefault(customer[1], []).append(customer)
            counters = dict.fromkeys(shop_ids, 0)
            orders: list[tuple[Any, ...]] = []
            lines: list[tuple[Any, ...]] = []
            deliveries: list[tuple[Any, ...]] = []
            line_id = 0
            span = timedelta(days=730)
            with click.progressbar(range(1, ORDERS + 1), label="orders") as bar:
                for order_id in bar:
                    shop_id = shop_ids[order_id % SHOPS]
                    customer_id, _, name, email = rng.choice(by_shop[shop_id])
                    counters[shop_id] += 1
                    number = f"{codes[shop_id]}-{counters[shop_id]:06d}"
                    state = rng.choice(STATES)
                    created = now - span + span * (order_id / ORDERS) + timedelta(seconds=rng.randrange(600))
                    subtotal = Decimal("0")
                    tax = Decimal("0")
                    delivery_state = DELIVERY_STATE.get(state)
                    if delivery_state:
                        deliveries.append((order_id, shop_id, order_id, "standard", delivery_state, created,
                                           created + timedelta(days=2) if delivery_state == "shipped" else None))
                    for position, (product_id, sku, pname, price) in enumerate(
                            rng.sample(products[shop_id], rng.randrange(2, 6))):
                        line_id += 1
                        quantity = rng.randrange(1, 4)
                        total = price * quantity
                        line_tax = (total * TAX).quantize(Decimal("0.01"))
                        subtotal += total
                        tax += line_tax
                        lines.append((line_id, shop_id, order_id, position, product_id,
                                      order_id if delivery_state else None, sku, pname, "standard", quantity, price,
                                      price, "standard", TAX, line_tax, total))
                    address = {"name": name, "line1": "Main St 1", "city": "Berlin", "country": "DE", "region": "",
                               "postcode": "10115", "company": "", "line2": "", "phone": ""}
                    total = subtotal + tax
                    paid = total if state in ("completed", "in_progress", "returned", "cancelled_waiting_refund") \
                        else Decimal("0")
                    search = " ".join((number, name, email, name)).lower()
                    orders.append((order_id, shop_id, number, customer_id, state, False, "phone", "EUR", "prepay",
                                   False, "{}", json.dumps(address), json.dumps(address), name, email, name, search,
                                   subtotal, tax, 0, 0, 0, total, paid, 0, 0, 1, csr_id, created, created, created))
                    if len(orders) == BATCH:
                        _flush(cur, orders, deliveries, lines)
                        orders, deliveries, lines = [], [], []
            if orders:
                _flush(cur, orders, deliveries, lines)
            for shop_id, last in counters.items():
                cur.execute("INSERT INTO order_counters (shop_id, last) VALUES (%s, %s)", (shop_id, last))
            for table in ("customers", "customer_shops", "orders", "order_lines", "deliveries"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        print(f"  copied {CUSTOMERS:,} customers, {ORDERS:,} orders, {line_id:,} lines "
              f"in {time.perf_counter() - started:.0f} s")
        index_started = time.perf_counter()
        conn.execute("CREATE INDEX ix_orders_search_text_trgm ON orders USING gin (search_text gin_trgm_ops)")
        conn.execute("CREATE INDEX ix_customers_search_text_trgm ON customers USING gin (search_text gin_trgm_ops)")
        conn.commit()
        print(f"  trigram indexes built in {time.perf_counter() - index_started:.0f} s")
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.0f} s")


def _flush(cur: Any, orders: list[tuple[Any, ...]], deliveries: list[tuple[Any, ...]],
           lines: list[tuple[Any, ...]]) -> None:
    _copy(cur, "orders", ORDER_COLUMNS, orders)
    _copy(cur, "deliveries", DELIVERY_COLUMNS, deliveries)
    _copy(cur, "order_lines", LINE_COLUMNS, lines)


if __name__ == "__main__":
    print(f"seeding {ORDERS:,} orders for {CUSTOMERS:,} customers in {SHOPS} shops into {DB} ...")
    seed()
