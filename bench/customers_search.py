"""Customer search over 1,000,000 customers on PostgreSQL: the endpoint vs its bare SQL.

Seeds a dedicated database (``shopadmin_bench_customers``) with COPY: 12 shops (a sharing
group of 4, one of 2, 6 shops on their own), 1,000,000 customers with a registration
each, tags on a fifth of them. Then, for a set of searches, measures in the same run:

* the endpoint: ``GET /api/v1/customers?q=...`` as a CSR of one shop of the 4-shop group
  (token lookup, access context, scoped query, selectin loads, JSON), through the Flask
  test client in-process, sequentially;
* the bare SQL: the exact search statement the endpoint sent (captured from the
  endpoint's own run), replayed with psycopg on one connection.

Prints median / p95 per search and overall, and the plan of each search statement.

Run: ``.venv/bin/python bench/customers_search.py`` (local PostgreSQL socket). The seeded
database is kept for reruns; ``--reseed`` rebuilds it, ``BENCH_ROUNDS`` sets the rounds
per search (default 30).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DB = "shopadmin_bench_customers"
URL = f"postgresql+psycopg://root@/{DB}?host=/var/run/postgresql"
DSN = f"dbname={DB} host=/var/run/postgresql"
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway bench database

FIRST = ["Anna", "Lukas", "Marie", "Paul", "Sophie", "Jonas", "Emma", "Felix", "Léa", "Hugo", "Claire", "Louis",
         "Olivia", "Noah", "Mia", "Elias", "Lina", "Ben", "Clara", "Finn", "Ella", "Leon", "Nora", "Max"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans", "Walker"]
COMPANIES = ["Gartenbau", "Baumarkt", "Jardinerie", "Outillage", "Holzhandel", "Logistik", "Bricolage", "Agrar"]
TAGS = ["vip", "newsletter", "trade", "returns", "key-account", "wholesale", "b2b-lead"]

# (label, q): common and rare names, email, company, phone digits, tag, id
SEARCHES = [
    ("common last name", "schmidt"),
    ("first name fragment", "sophi"),
    ("rare surname token", "zorbakk"),
    ("email fragment", "anna.weber12"),
    ("company", "holzhandel 77"),
    ("phone digits", "4930555123"),
    ("tag", "#key-account"),
    ("customer id", "123457"),
]


def _app(url: str = URL) -> Any:
    from shopadmin import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SHOPADMIN_REDIS_URL": None,
                       "RATELIMIT_STORAGE_URI": "memory://", "SHOPADMIN_LOGIN_RATE_LIMIT": "10000 per minute"})


def seeded() -> bool:
    try:
        with psycopg.connect(DSN) as conn:
            row = conn.execute("SELECT count(*) FROM customers").fetchone()
            return bool(row and row[0] >= CUSTOMERS)
    except psycopg.Error:
        return False


def seed() -> None:
    from flask_migrate import upgrade

    from shopadmin.core.access import Role, system_access
    from shopadmin.core.db import unit_of_work
    from shopadmin.customers.services import search_text_for
    from shopadmin.staff import services as staff
    from shopadmin.tenants import services as tenants

    with psycopg.connect("dbname=postgres host=/var/run/postgresql", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    app = _app()
    platform = system_access("bench")
    shops: list[tuple[int, str]] = []  # (id, group_key)
    with app.app_context():
        upgrade()
        with unit_of_work(platform):
            for n in range(12):
                group = "bench-eu" if n < 4 else "bench-b2b" if n < 6 else None
                shop = tenants.create_shop(platform, tenants.ShopInput(code=f"B{n:02d}", name=f"Bench {n}",
                                                                      sharing_group=group))
                key = f"g{shop.sharing_group_id}" if shop.sharing_group_id else f"s{shop.id}"
                shops.append((shop.id, key))
            staff.create_user(platform, email="csr@bench.example", password=PASSWORD, name="Bench CSR")
            staff.add_member(platform, tenants.get_shop(platform, "B00"), email="csr@bench.example", role=Role.CSR)
        sharing = {key: [sid for sid, k in shops if k == key] for _, key in shops}
    rng = random.Random(42)
    started = time.perf_counter()
    with psycopg.connect(DSN) as conn:
        conn.execute("DROP INDEX ix_customers_search_text_trgm")
        with conn.cursor() as cur:
            groups = sorted({key for _, key in shops})
            customer_rows: list[tuple[Any, ...]] = []
            link_rows: list[tuple[Any, ...]] = []
            tag_rows: list[tuple[Any, ...]] = []
            now = "2026-11-01 10:00:00+00"
            for i in range(1, CUSTOMERS + 1):
                shop_id, key = shops[rng.randrange(len(shops))] if i % 3 else shops[rng.randrange(4)]
                first, last = rng.choice(FIRST), rng.choice(LAST)
                if i == 777_777:
                    last = "Zorbakk"  # one rare name: the selective search
                company = f"{rng.choice(COMPANIES)} {i % 1000}" if i % 5 == 0 else ""
                phone = f"+49 30 {rng.randrange(1000000, 9999999)}"
                email = f"{first.lower()}.{last.lower()}{i}@example.com"
                tags = sorted(rng.sample(TAGS, rng.randrange(1, 3))) if i % 5 == 1 else []
                fake = SimpleNamespace(first_name=first, last_name=last, email=email, company=company,
                                       department="", phone=phone)
                group_id = None if key.startswith("s") else int(key[1:])
                customer_rows.append((i, key, group_id, shop_id, email, first, last, "b2b" if company else "b2c",
                                      company, "", phone, "de", True, False, "{}",
                                      search_text_for(fake, tags), now, now, 1))  # type: ignore[arg-type]
                link_rows.append((i, key, i, shop_id, now))
                tag_rows.extend((i, key, tag) for tag in tags)
                if len(customer_rows) == 50_000 or i == CUSTOMERS:
                    _copy(cur, customer_rows, link_rows, tag_rows)
                    customer_rows, link_rows, tag_rows = [], [], []
            print(f"  copied {CUSTOMERS:,} customers in {time.perf_counter() - started:.0f} s "
                  f"({len(groups)} group keys, sharing {sum(len(v) > 1 for v in sharing.values())} groups)")
        for table in ("customers", "customer_shops"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        index_started = time.perf_counter()
        conn.execute("CREATE INDEX ix_customers_search_text_trgm ON customers USING gin (search_text gin_trgm_ops)")
        conn.commit()
        print(f"  trigram index built in {time.perf_counter() - index_started:.0f} s")
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _copy(cur: Any, customers: list[tuple[Any, ...]], links: list[tuple[Any, ...]], tags: list[tuple[Any, ...]]
          ) -> None:
    columns = ("id, group_key, sharing_group_id, home_shop_id, email, first_name, last_name, type, company, "
               "department, phone, locale, wants_order_emails, allow_assistance, attributes, search_text, "
               "created_at, updated_at, version")
    with cur.copy(f"COPY customers ({columns}) FROM STDIN") as copy:
        for row in customers:
            copy.write_row(row)
    with cur.copy("COPY customer_shops (id, group_key, customer_id, shop_id, registered_at) FROM STDIN") as copy:
        for row in links:
            copy.write_row(row)
    with cur.copy("COPY customer_tags (customer_id, group_key, tag) FROM STDIN") as copy:
        for row in tags:
            copy.write_row(row)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def measure() -> None:
    from shopadmin.extensions import db

    app = _app()
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"email": "csr@bench.example", "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "FROM customers" in statement and "search_text LIKE" in statement:
            captured.append((statement, parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
    all_api: list[float] = []
    all_sql: list[float] = []
    print(f"\n{'search':<22} {'q':<16} {'hits':>5} {'API median':>11} {'API p95':>9} {'SQL median':>11} "
          f"{'SQL p95':>9} {'ratio':>6}")
    with psycopg.connect(DSN) as conn:
        for label, q in SEARCHES:
            captured.clear()
            first = client.get("/api/v1/customers", query_string={"q": q}, headers=headers)
            assert first.status_code == 200, first.get_json()
            hits = len(first.get_json()["items"])
            statement, params = captured[-1]
            api_times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                response = client.get("/api/v1/customers", query_string={"q": q}, headers=headers)
                api_times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            sql_times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                conn.execute(statement, params).fetchall()
                sql_times.append((time.perf_counter() - started) * 1000)
            all_api += api_times
            all_sql += sql_times
            ratio = statistics.median(api_times) / statistics.median(sql_times)
            print(f"{label:<22} {q:<16} {hits:>5} {statistics.median(api_times):>9.1f}ms {pct(api_times, .95):>7.1f}ms "
                  f"{statistics.median(sql_times):>9.1f}ms {pct(sql_times, .95):>7.1f}ms {ratio:>5.1f}x")
            if os.environ.get("BENCH_PLANS"):
                plan = conn.execute("EXPLAIN " + statement, params).fetchall()
                print("    " + "\n    ".join(line for (line,) in plan))
    ratio = statistics.median(all_api) / statistics.median(all_sql)
    print(f"{'all searches':<39} {statistics.median(all_api):>9.1f}ms {pct(all_api, .95):>7.1f}ms "
          f"{statistics.median(all_sql):>9.1f}ms {pct(all_sql, .95):>7.1f}ms {ratio:>5.1f}x")


def main() -> None:
    if "--reseed" in sys.argv or not seeded():
        print(f"seeding {CUSTOMERS:,} customers into {DB} ...")
        seed()
    with psycopg.connect(DSN) as conn:
        count = conn.execute("SELECT count(*) FROM customers").fetchone()
        visible = conn.execute(
            "SELECT count(*) FROM customers WHERE group_key = (SELECT 'g' || sharing_group_id FROM shops "
            "WHERE code = 'B00')"
        ).fetchone()
    print(f"{count[0] if count else 0:,} customers; the CSR of B00 sees {visible[0] if visible else 0:,} "
          f"(its sharing group); {ROUNDS} rounds per search")
    measure()


if __name__ == "__main__":
    main()
