"""Benchmark the inbox worker.

1. understanding: messages parsed and understood per second (MIME, HTML to text, quotes,
   language, intents, items, addresses; no database, no sending), over the test corpus;
2. intake -> applied: with one ``shopadmin worker`` running (Redis), each message is
   stored (committed, job enqueued) and timed until its status is ``applied`` in the
   database. Needs the local PostgreSQL (socket) and Redis; uses a scratch database.

    .venv/bin/python bench/inbox_throughput.py [--rounds 20] [--latency 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "inbox" / "corpus"
PG = "postgresql+psycopg://root@/{db}?host=/var/run/postgresql"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def understanding(rounds: int) -> None:
    from shopadmin.inbox import parsing
    from shopadmin.inbox import understanding as nlu

    catalogue = nlu.Catalogue({sku: nlu.Product(sku, name, Decimal(price)) for sku, name, price in (
        ("STD-1", "Standard widget", "10"), ("STD-2", "Second widget", "4.5"), ("MUG-RED", "Red coffee mug", "8"),
        ("LAMP-7", "Desk lamp", "35"), ("BIG-1", "Espresso machine", "900"))})
    order = nlu.OrderView("OWN-000001", "pending", [
        {"sku": "STD-1", "name": "Standard widget", "quantity": 2, "unit_price": Decimal("10")},
        {"sku": "STD-2", "name": "Second widget", "quantity": 1, "unit_price": Decimal("4.5")},
        {"sku": "LAMP-7", "name": "Desk lamp", "quantity": 1, "unit_price": Decimal("35")}],
        {"name": "Ann Lee", "country": "DE"})
    raws = [(CORPUS / e["file"]).read_bytes() for e in json.loads((CORPUS / "expected.json").read_text())]

    def one(raw: bytes) -> None:
        try:
            mail = parsing.parse(raw, cutters=nlu.all_cutters(), signoffs=nlu.all_signoffs())
        except parsing.Unreadable:
            return
        language = nlu.detect_language(f"{mail.envelope.subject}\n{mail.text}")
        numbers = nlu.find_order_numbers(mail.envelope.subject, mail.text) or nlu.find_order_numbers(mail.full_text)
        nlu.understand(mail.text, mail.envelope.subject, language=language, catalogue=catalogue, order=order,
                       order_numbers=numbers, attachments=mail.attachments)

    for raw in raws:  # warm up: rules compiled, language models loaded
        one(raw)
    started = time.perf_counter()
    for _ in range(rounds):
        for raw in raws:
            one(raw)
    elapsed = time.perf_counter() - started
    count = rounds * len(raws)
    print(f"understanding: {count} messages in {elapsed:.2f} s = {count / elapsed:.0f} messages/s "
          f"({elapsed / count * 1000:.2f} ms each; corpus of {len(raws)} x {rounds})")


def end_to_end(latency: int) -> None:
    name = f"bench_inbox_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("dbname=postgres host=/var/run/postgresql user=root", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db_url = PG.format(db=name)
    env = {**os.environ, "SHOPADMIN_DATABASE_URL": db_url, "SHOPADMIN_REDIS_URL": REDIS,
           "SHOPADMIN_SECRET_KEY": "bench", "SHOPADMIN_SMTP_HOST": "127.0.0.1", "SHOPADMIN_SMTP_PORT": "9",
           "SHOPADMIN_RATELIMIT": "0"}
    os.environ.update(env)
    worker: subprocess.Popen[bytes] | None = None
    try:
        from flask_migrate import upgrade

        from shopadmin import create_app
        from shopadmin.catalogue import services as catalogue
        from shopadmin.core.access import system_access
        from shopadmin.core.db import unit_of_work
        from shopadmin.customers import services as customers
        from shopadmin.extensions import db
        from shopadmin.inbox import services as inbox
        from shopadmin.orders import services as orders
        from shopadmin.tenants import services as tenants

        app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SHOPADMIN_REDIS_URL": REDIS})
        platform = system_access("bench")
        with app.app_context():
            upgrade()
            with unit_of_work(platform):
                shop = tenants.create_shop(platform, tenants.ShopInput(code="BENCH", name="Bench",
                                                                       email="service@bench.example"))
                catalogue.create_product(platform, shop, catalogue.ProductInput(sku="TEA-1", name="Green tea",
                                                                                price="4.00"))
                catalogue.set_stock(platform, shop, "TEA-1", warehouse="MAIN", quantity=1_000_000)
                customer = customers.create_customer(platform, customers.CustomerInput(
                    shop="BENCH", email="ann@bench.example", first_name="Ann", last_name="Lee",
                    addresses=[{"kind": "shipping", "name": "Ann Lee", "line1": "Main St 1", "city": "Berlin",
                                "country": "DE"}]))
                customer_id = customer.id
            numbers = []
            for _ in range(latency):
                with unit_of_work(platform):
                    order = orders.place_order(platform, orders.OrderInput(
                        shop="BENCH", customer_id=customer_id, payment_flow="on_delivery",
                        lines=[orders.LineInput(sku="TEA-1", quantity=2)]))
                    numbers.append(order.number)
            db.engine.dispose()
        worker = subprocess.Popen([str(Path(sys.executable).parent / "shopadmin"), "worker", "--queue", "default"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(3)
        latencies = []
        with app.app_context():
            for n, number in enumerate(numbers):
                msg = EmailMessage()
                msg["From"], msg["To"] = "ann@bench.example", "service@bench.example"
                msg["Subject"], msg["Message-ID"] = f"Order {number}", f"<bench-{n}-{uuid.uuid4().hex}@x>"
                msg.set_content(f"Hello,\n\nplease change the quantity of TEA-1 to 3 on order {number}.\n\nAnn")
                with unit_of_work(platform):
                    message, _ = inbox.intake(platform, msg.as_bytes(), source="bench", shop_code="BENCH")
                    message_id = message.id
                committed = time.perf_counter()
                status = "received"
                while status == "received" and time.perf_counter() < committed + 30:
                    time.sleep(0.002)
                    with db.engine.connect() as conn:
                        status = conn.exec_driver_sql(
                            "SELECT status FROM inbox_messages WHERE id = %s", (message_id,)).scalar_one()
                if status != "applied":
                    raise SystemExit(f"message {message_id}: {status}")
                latencies.append((time.perf_counter() - committed) * 1000)
            db.engine.dispose()
        latencies.sort()
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        print(f"intake -> applied with one worker over {len(latencies)} messages: median "
              f"{statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms")
    finally:
        if worker is not None:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=30)
        with psycopg.connect("dbname=postgres host=/var/run/postgresql user=root", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--latency", type=int, default=100)
    parser.add_argument("--skip-worker", action="store_true")
    args = parser.parse_args()
    understanding(args.rounds)
    if not args.skip_worker:
        end_to_end(args.latency)


if __name__ == "__main__":
    main()
