"""Benchmark: emails per minute by one RQ worker, and latency from a change to the mail.

Needs the local PostgreSQL (socket) and Redis. Creates a scratch database, migrates it,
starts a real SMTP server (aiosmtpd) and one ``shopadmin worker`` process, then

1. throughput: writes N notifications (one per order, in transactions of 100) with the
   worker stopped, starts it and times until the SMTP server has all N;
2. latency: with the worker running, makes M changes one by one (each its own
   transaction) and measures commit -> message accepted by the SMTP server.

    .venv/bin/python bench/notifications_throughput.py [--count 2000] [--latency 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import psycopg
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgresql+psycopg://root@/{db}?host=/var/run/postgresql"
# Never flushed: test sessions use databases 1-15 of the same server.
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


class Sink:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        subject = str(message_from_bytes(envelope.content, policy=policy.default)["Subject"])
        with self.lock:
            self.arrived[subject] = time.perf_counter()
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--latency", type=int, default=200)
    args = parser.parse_args()

    name = f"bench_notif_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("dbname=postgres host=/var/run/postgresql user=root", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db_url = PG.format(db=name)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {**os.environ, "SHOPADMIN_DATABASE_URL": db_url, "SHOPADMIN_REDIS_URL": REDIS,
           "SHOPADMIN_SECRET_KEY": "bench", "SHOPADMIN_SMTP_HOST": "127.0.0.1",
           "SHOPADMIN_SMTP_PORT": str(port), "SHOPADMIN_RATELIMIT": "0"}
    os.environ.update(env)
    worker: subprocess.Popen[bytes] | None = None
    try:
        from flask_migrate import upgrade

        from shopadmin import create_app
        from shopadmin.core.access import system_access
        from shopadmin.core.db import unit_of_work
        from shopadmin.extensions import db
        from shopadmin.notifications.services import request_notification
        from shopadmin.tenants import services as tenants

        app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SHOPADMIN_REDIS_URL": REDIS})
        platform = system_access("bench")
        with app.app_context():
            upgrade()
            with unit_of_work(platform):
                shop_id = tenants.create_shop(platform, tenants.ShopInput(code="BENCH", name="Bench", locale="de")).id

        def change(number: str) -> None:
            request_notification(platform, event="order_placed", shop_id=shop_id, payload={
                "order": {"number": number, "currency": "EUR", "totals": {"total": "12.50"},
                          "lines": [{"sku": "S", "name": "Tea", "quantity": 1, "total": "12.50"}]},
                "customer": {"email": f"{number}@bench.example", "locale": "de", "first_name": "B"}})

        # 1. throughput
        with app.app_context():
            for start in range(0, args.count, 100):
                with unit_of_work(platform):
                    for i in range(start, min(start + 100, args.count)):
                        change(f"T-{i}")
        started = time.perf_counter()
        worker = subprocess.Popen([str(Path(sys.executable).parent / "shopadmin"), "worker"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        while sum(1 for s in list(sink.arrived) if s.startswith("Ihre Bestellung T-")) < args.count:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        print(f"throughput: {args.count} mails in {elapsed:.1f} s (incl. worker start) = "
              f"{args.count / elapsed * 60:.0f} mails/minute")

        # 2. latency with the worker running
        latencies = []
        with app.app_context():
            for i in range(args.latency):
                number = f"L-{i}"
                with unit_of_work(platform):
                    change(number)
                committed = time.perf_counter()
                subject = f"Ihre Bestellung {number} bei Bench"
                deadline = committed + 30
                while subject not in sink.arrived and time.perf_counter() < deadline:
                    time.sleep(0.001)
                latencies.append((sink.arrived[subject] - committed) * 1000)
            db.engine.dispose()
        latencies.sort()
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        print(f"latency change->mail over {len(latencies)} changes: median {statistics.median(latencies):.0f} ms, "
              f"p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms")
    finally:
        if worker is not None:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=30)
        controller.stop()
        with psycopg.connect("dbname=postgres host=/var/run/postgresql user=root", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
