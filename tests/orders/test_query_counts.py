"""SQL statements per page must not grow with the number of rows or lines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

from shopadmin.extensions import db


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _api_statements(statements: list[str]) -> list[str]:
    # Authentication (token, memberships) is the same for every route; count the page's own.
    return [s for s in statements if "api_tokens" not in s and "memberships" not in s and "set_config" not in s
            and "FROM shops" not in s[:400]]


def test_list_and_detail_statement_counts(app: Flask, client: Any, place: Any, token: Any) -> None:
    headers = token("csr")
    few = [place(lines=[{"sku": "STD-2", "quantity": 1}]) for _ in range(2)]
    with counting(app) as small:
        assert client.get("/api/v1/orders?limit=50", headers=headers).status_code == 200
    for _ in range(10):
        place(lines=[{"sku": "STD-2", "quantity": 1}, {"sku": "DIG-1", "quantity": 1}, {"sku": "BO-1", "quantity": 1}])
    with counting(app) as large:
        response = client.get("/api/v1/orders?limit=50", headers=headers)
    assert len(response.get_json()["items"]) == 12
    assert len(_api_statements(large)) == len(_api_statements(small))
    assert len(_api_statements(large)) <= 6, _api_statements(large)

    with counting(app) as one_line:
        client.get(f"/api/v1/orders/{few[0]['id']}", headers=headers)
    many = place(lines=[{"sku": s, "quantity": 1} for s in ("STD-1", "STD-2", "BO-1", "PRE-1", "DIG-1")])
    with counting(app) as five_lines:
        client.get(f"/api/v1/orders/{many['id']}", headers=headers)
    assert len(_api_statements(five_lines)) <= 10, _api_statements(five_lines)
    assert len(_api_statements(one_line)) <= len(_api_statements(five_lines))
    print("list:", len(_api_statements(large)), "detail:", len(_api_statements(five_lines)),
          "all incl. auth:", len(large), len(five_lines))


def test_capture_statement_count_does_not_grow_with_lines(redis_app: Flask, order_world: Any, token: Any) -> None:
    """``POST /api/v1/orders``: the same statements for one line as for six (stock, reservations,
    deliveries and lines each go in one statement), and a ceiling for the whole capture.
    With Redis, as in production: the mails are sent by jobs, not in the request."""
    app, client = redis_app, redis_app.test_client()
    from tests.orders.conftest import order_body
    from tests.orders.factories import make_product

    skus = [f"CNT-{n}" for n in range(6)]
    with app.app_context():
        for sku in skus:
            make_product("OWN", sku)
    headers = token("csr")
    client.post("/api/v1/orders", json=order_body(order_world, lines=[{"sku": "CNT-0", "quantity": 1}]),
                headers=headers)  # warm caches (templates, codes)
    with counting(app) as one:
        response = client.post("/api/v1/orders", json=order_body(order_world, lines=[{"sku": "CNT-1", "quantity": 1}]),
                               headers=headers)
    assert response.status_code == 201, response.get_json()
    with counting(app) as six:
        response = client.post("/api/v1/orders", json=order_body(
            order_world, lines=[{"sku": sku, "quantity": 2} for sku in skus]), headers=headers)
    assert response.status_code == 201, response.get_json()
    assert len(six) == len(one), "\n".join(s[:80] for s in six)
    assert len(six) <= 25, "\n".join(s[:80] for s in six)
    print("capture statements incl. auth:", len(six))
