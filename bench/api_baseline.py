"""Foundation benchmark: the cost of an authenticated, scoped API request.

Serves the app with gunicorn (2 workers) on PostgreSQL and measures, in one run:

* the floor: ``GET /healthz`` (one ``SELECT 1``, no auth) under the same server;
* ``GET /api/v1/shops/<code>`` with a bearer token (token lookup, access context,
  scoped query, serialisation);
* ``GET /api/v1/shops`` (a scoped list page);

with median / p95 latency and requests per second from 4 client threads, plus the SQL
statements each request issues (counted in-process; must not grow with the data).

Run: ``.venv/bin/python bench/api_baseline.py`` (uses the local PostgreSQL socket, creates
and drops the database ``shopadmin_bench_api``).
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
DB = "shopadmin_bench_api"
URL = f"postgresql+psycopg://root@/{DB}?host=/var/run/postgresql"
PORT = 8765
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
THREADS = 4


def sh(*args: str, env: dict[str, str]) -> None:
    subprocess.run(args, env=env, cwd=REPO, check=True, capture_output=True)


def setup(env: dict[str, str]) -> None:
    with psycopg.connect("dbname=postgres host=/var/run/postgresql", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    cli = str(Path(sys.executable).parent / "shopadmin")
    sh(cli, "db", "upgrade", env=env)
    sh(cli, "demo", env=env)


def token(env: dict[str, str]) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    conn.request("POST", "/api/v1/tokens", json.dumps({"email": "manager@demo.example", "password": "demo-password"}),
                 {"Content-Type": "application/json"})
    body = json.loads(conn.getresponse().read())
    return str(body["token"])


def hammer(path: str, headers: dict[str, str]) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = REQUESTS // THREADS

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        mine = []
        for _ in range(per_thread):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, (path, response.status)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, len(latencies) / (time.perf_counter() - started)


def count_statements(env: dict[str, str], paths: list[str]) -> dict[str, int]:
    os.environ.update(env)
    from shopadmin import create_app
    from shopadmin.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": URL, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    auth = {"Authorization": "Bearer " + client.post(
        "/api/v1/tokens", json={"email": "manager@demo.example", "password": "demo-password"}).get_json()["token"]}
    counts: dict[str, int] = {}
    with app.app_context():
        engine = db.engine
    for path in paths:
        client.get(path, headers=auth)  # warm caches
        seen: list[str] = []

        def listener(*args: object, _seen: list[str] = seen, **kwargs: object) -> None:
            _seen.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", listener)
        client.get(path, headers=auth)
        sa.event.remove(engine, "before_cursor_execute", listener)
        counts[path] = len(seen)
    with app.app_context():
        db.engine.dispose()
    return counts


def main() -> None:
    env = {**os.environ, "SHOPADMIN_DATABASE_URL": URL, "SHOPADMIN_SECRET_KEY": "bench",
           "SHOPADMIN_LOGIN_RATE_LIMIT": "1000 per minute"}
    env.pop("SHOPADMIN_REDIS_URL", None)
    setup(env)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{PORT}",
         "--log-level", "warning", "wsgi:app"], env=env, cwd=REPO)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {token(env)}"}
        rows = []
        for label, path, headers in [("floor: GET /healthz", "/healthz", {}),
                                     ("GET /api/v1/shops/EU-1", "/api/v1/shops/EU-1", auth),
                                     ("GET /api/v1/shops (list)", "/api/v1/shops", auth)]:
            hammer(path, headers)  # warm-up
            latencies, rps = hammer(path, headers)
            latencies.sort()
            rows.append((label, statistics.median(latencies) * 1000, latencies[int(len(latencies) * 0.95)] * 1000,
                         rps))
    finally:
        server.terminate()
        server.wait()
    statements = count_statements(env, ["/api/v1/shops/EU-1", "/api/v1/shops"])
    print(f"{REQUESTS} requests per row, {THREADS} client threads, gunicorn 2 workers, PostgreSQL")
    print(f"{'request':32} {'median ms':>10} {'p95 ms':>8} {'req/s':>8}")
    for label, median, p95, rps in rows:
        print(f"{label:32} {median:10.2f} {p95:8.2f} {rps:8.0f}")
    for path, n in statements.items():
        print(f"SQL statements for {path}: {n}")
    with psycopg.connect("dbname=postgres host=/var/run/postgresql", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
