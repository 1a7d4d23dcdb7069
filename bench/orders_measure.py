"""Order pages and capture over the 1,000,000 orders of ``bench/orders_seed.py``.

In one run, with gunicorn (2 workers) serving the app on the seeded database:

* each page (search by number, by a customer-name fragment, by state + date, the list
  page, the detail page) as the CSR of shop S01, sequentially over keep-alive HTTP:
  median / p95, beside two floors measured in the same run: the page's own order
  statement replayed bare with psycopg (captured from the page's in-process run), and a
  trivial authenticated route (``GET /api/v1/users/me``) under the same server;
* the SQL statements of each page (in-process, ``before_cursor_execute``), total and
  without the per-request authentication (token, memberships, sub-shops, set_config);
* capture throughput: client threads POSTing orders (2 lines, 20 shops, superadmin
  token) for a fixed count, orders/s, beside the trivial route's req/s at the same
  concurrency.

Jobs go to Redis (``BENCH_REDIS_URL``, default database 13 of the local Redis, flushed at
the end), as in production; no worker runs, so no mail leaves.

Run: ``.venv/bin/python bench/orders_seed.py`` once, then ``.venv/bin/python bench/orders_measure.py``
(``BENCH_ROUNDS`` per page, default 40; ``BENCH_CAPTURES``, default 2000; ``BENCH_THREADS``, default 8).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.orders_seed import DSN, PASSWORD, URL, _app  # noqa: E402

PORT = 8791
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")  # flushed at the end
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
CAPTURES = int(os.environ.get("BENCH_CAPTURES", "2000"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
# Threads per gunicorn worker (gthread): a sync worker idles while PostgreSQL answers.
WORKER_THREADS = int(os.environ.get("BENCH_WORKER_THREADS", "1"))
ONLY_CAPTURE = os.environ.get("BENCH_ONLY") == "capture"
AUTH_MARKERS = ("api_tokens", "memberships", "set_config", "shops.master_id IN")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def pages() -> list[tuple[str, str]]:
    with psycopg.connect(DSN) as conn:
        number, order_id, email = conn.execute(
            "SELECT number, id, customer_email FROM orders WHERE number LIKE 'S01-%' ORDER BY id DESC "
            "OFFSET 5000 LIMIT 1").fetchone()
    rare = email.split("@")[0]  # e.g. "felix.becker12340": a handful of orders
    return [
        ("search by number", "/api/v1/orders?" + urlencode({"q": number})),
        ("search: rare fragment (email)", "/api/v1/orders?" + urlencode({"q": rare})),
        ("search: common name fragment", "/api/v1/orders?" + urlencode({"q": "schmidt"})),
        ("search: state + date", "/api/v1/orders?" + urlencode(
            {"state": "pending", "created_from": "2026-03-01T00:00:00+00:00",
             "created_to": "2026-06-01T00:00:00+00:00"})),
        ("list page (50)", "/api/v1/orders?limit=50"),
        ("detail page", f"/api/v1/orders/{order_id}"),
    ]


def in_process(paths: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Statement counts and the page's main order statement (for the bare-SQL floor)."""
    from shopadmin.extensions import db

    app = _app()
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"email": "csr@bench.example", "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    with app.app_context():
        engine = db.engine
    result: dict[str, dict[str, Any]] = {}
    for label, path in paths:
        client.get(path, headers=headers)
        seen: list[tuple[str, Any]] = []

        def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            seen.append((statement, parameters))  # noqa: B023 - read right after the request

        sa.event.listen(engine, "before_cursor_execute", listen)
        response = client.get(path, headers=headers)
        sa.event.remove(engine, "before_cursor_execute", listen)
        assert response.status_code == 200, (path, response.get_json())
        body = response.get_json()
        own = [s for s in seen if not any(marker in s[0] for marker in AUTH_MARKERS)]
        main = next(s for s in own if "FROM orders" in s[0] and "orders.search_text" in s[0])
        result[label] = {"total": len(seen), "own": len(own), "main": main,
                         "rows": len(body.get("items", [body]))}
    with app.app_context():
        db.engine.dispose()
    return result


def bare_sql(statement: str, parameters: Any) -> list[float]:
    times = []
    with psycopg.connect(DSN) as conn:
        conn.execute("SELECT set_config('shopadmin.visible_shops', '1', false)")
        for _ in range(ROUNDS):
            started = time.perf_counter()
            conn.execute(statement, parameters).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times


def http_times(path: str, headers: dict[str, str], rounds: int = ROUNDS) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    times = []
    for n in range(rounds + 3):
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
        if n >= 3:  # warm-up
            times.append((time.perf_counter() - started) * 1000)
    return times


def token(email: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    conn.request("POST", "/api/v1/tokens", json.dumps({"email": email, "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    return str(json.loads(conn.getresponse().read())["token"])


def throughput(make_request: Any, count: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        rng = random.Random(n)
        mine = []
        for _ in range(count // THREADS):
            method, path, body, headers, expected = make_request(rng)
            started = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != expected:
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - started), latencies, failures[0]


def main() -> None:
    paths = [] if ONLY_CAPTURE else pages()
    counts = in_process(paths)
    env = {**os.environ, "SHOPADMIN_DATABASE_URL": URL, "SHOPADMIN_SECRET_KEY": "bench",
           "SHOPADMIN_LOGIN_RATE_LIMIT": "10000 per minute"}
    # As in production: jobs (the notification mails) go to RQ through Redis, not inline in the request.
    env["SHOPADMIN_REDIS_URL"] = REDIS
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--threads", str(WORKER_THREADS),
         "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning", "wsgi:app"], env=env, cwd=REPO)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        csr = {"Authorization": f"Bearer {token('csr@bench.example')}"}
        root = {"Authorization": f"Bearer {token('root@bench.example')}", "Content-Type": "application/json"}
        floor = http_times("/api/v1/users/me", csr)
        print(f"{ROUNDS} rounds per page, CSR of S01 (50,000 of the orders visible), gunicorn 2 workers, "
              f"{WORKER_THREADS} thread(s) each\n")
        print(f"{'page':<30} {'rows':>4} {'SQL':>7} {'median':>8} {'p95':>8} {'bare SQL':>9} {'/users/me':>10} "
              f"{'x SQL':>6} {'x route':>8}")
        for label, path in paths:
            times = http_times(path, csr)
            info = counts[label]
            sql = bare_sql(*info["main"])
            print(f"{label:<30} {info['rows']:>4} {info['own']:>3}/{info['total']:<3} "
                  f"{statistics.median(times):>6.1f}ms {pct(times, .95):>6.1f}ms {statistics.median(sql):>7.1f}ms "
                  f"{statistics.median(floor):>8.1f}ms {statistics.median(times) / statistics.median(sql):>5.1f}x "
                  f"{statistics.median(times) / statistics.median(floor):>7.1f}x")
        with psycopg.connect(DSN) as conn:
            customers = conn.execute(
                "SELECT cs.shop_id, s.code, min(cs.customer_id) FROM customer_shops cs JOIN shops s "
                "ON s.id = cs.shop_id GROUP BY 1, 2").fetchall()

        def capture(rng: random.Random) -> tuple[str, str, str, dict[str, str], int]:
            _, code, customer_id = rng.choice(customers)
            first, second = rng.sample(range(1, 51), 2)
            body = {"shop": code, "customer_id": customer_id, "channel": "api", "payment_flow": "on_delivery",
                    "lines": [{"sku": f"P{first:04d}", "quantity": 1}, {"sku": f"P{second:04d}", "quantity": 2}],
                    "shipping_address": {"name": "Bench Buyer", "line1": "Main St 1", "city": "Berlin",
                                         "country": "DE"}}
            return "POST", "/api/v1/orders", json.dumps(body), root, 201

        def trivial(rng: random.Random) -> tuple[str, str, None, dict[str, str], int]:
            return "GET", "/api/v1/users/me", None, csr, 200

        throughput(trivial, THREADS * 20)  # warm-up
        floor_rps, floor_lat, _ = throughput(trivial, CAPTURES)
        rps, latencies, failed = throughput(capture, CAPTURES)
        print(f"\ncapture: {CAPTURES} orders from {THREADS} client threads: {rps:.0f} orders/s, median "
              f"{statistics.median(latencies):.1f} ms, p95 {pct(latencies, .95):.1f} ms, {failed} failed; "
              f"floor GET /api/v1/users/me at the same concurrency: {floor_rps:.0f} req/s, median "
              f"{statistics.median(floor_lat):.1f} ms")
    finally:
        server.terminate()
        server.wait()
        import redis

        redis.Redis.from_url(REDIS).flushdb()  # the queued mail jobs of the run


if __name__ == "__main__":
    main()
