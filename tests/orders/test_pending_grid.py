"""The pending-orders grid (carts and quotes): lines, who holds each, who is editing it now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.db import utcnow
from shopadmin.orders import leases
from tests.conftest import csrf_token_from
from tests.factories import login
from tests.orders.test_query_counts import counting

GRID = "/admin/orders/?worklist=carts_and_quotes"


def _signed_in(app: Flask, email: str = "csr@test.example") -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def test_grid_shows_holder_lines_and_who_is_editing(app: Flask, place: Any) -> None:
    cart = place("csr", cart=True, lines=[{"sku": "STD-1", "quantity": 1}, {"sku": "STD-2", "quantity": 2}])
    quote = place("supervisor", quote=True, quote_valid_until="2099-12-31")
    csr = _signed_in(app)
    grid = csr.get(GRID).get_data(as_text=True)
    assert cart["number"] in grid
    assert quote["number"] in grid
    assert f'data-testid="hand-over-{cart["number"]}"' in grid  # the holder may hand it over
    assert "supervisor" in grid
    assert "locked-" not in grid
    # the supervisor opens the cart for editing: the grid says so, with the name
    supervisor = _signed_in(app, "supervisor@test.example")
    form = supervisor.get(f"/admin/orders/edit/?id={cart['id']}").get_data(as_text=True)
    assert 'data-testid="other-editor"' not in form
    grid = csr.get(GRID).get_data(as_text=True)
    assert f'data-testid="locked-{cart["number"]}"' in grid
    assert f'data-testid="locked-{quote["number"]}"' not in grid
    # the CSR opening it too is told who else is in it
    mine = csr.get(f"/admin/orders/edit/?id={cart['id']}").get_data(as_text=True)
    assert 'data-testid="other-editor"' in mine
    assert "supervisor has this order open" in mine
    # cancel releases the supervisor's lease (a POST with the form's CSRF token)
    supervisor.post(f"/admin/orders/edit/?id={cart['id']}", data={
        "csrf_token": csrf_token_from(form), "version": str(cart["version"]), "cancel": "1"})
    assert f'data-testid="locked-{cart["number"]}"' not in csr.get(GRID).get_data(as_text=True)


def test_save_releases_the_lease_and_leases_expire(app: Flask, place: Any) -> None:
    order = place("csr")
    csr = _signed_in(app)
    form = csr.get(f"/admin/orders/edit/?id={order['id']}").get_data(as_text=True)
    with app.app_context():
        held = leases.current([order["id"]])
        assert held[order["id"]].name == "csr"
        assert leases.current([order["id"]], now=utcnow() + timedelta(seconds=leases.LEASE_SECONDS + 1)) == {}
    line_id = order["lines"][0]["id"]
    csr.get(f"/admin/orders/edit/?id={order['id']}")
    saved = csr.post(f"/admin/orders/edit/?id={order['id']}", follow_redirects=True, data={
        "csrf_token": csrf_token_from(form), "version": str(order["version"]), f"qty-{line_id}": "1"})
    assert "Saved as version" in saved.get_data(as_text=True)
    with app.app_context():
        assert leases.current([order["id"]]) == {}


def test_leases_in_redis(redis_app: Flask) -> None:
    with redis_app.app_context():
        first = leases.take(1, 10, "Ann", seconds=60)
        assert first.user_id == 10
        assert leases.take(1, 11, "Bob").user_id == 10  # Ann holds it
        assert leases.take(1, 10, "Ann").user_id == 10  # renewed
        leases.release(1, 11)  # not Bob's to give back
        assert set(leases.current([1, 2])) == {1}
        leases.release(1, 10)
        assert leases.current([1, 2]) == {}
        assert leases.take(1, 11, "Bob", seconds=1).user_id == 11


def test_grid_statement_count_does_not_grow(app: Flask, place: Any) -> None:
    for _ in range(2):
        place("csr", cart=True)
    csr = _signed_in(app)
    supervisor = _signed_in(app, "supervisor@test.example")
    csr.get(GRID)
    with counting(app) as small:
        assert csr.get(GRID).status_code == 200
    holders = ["csr", "supervisor", "manager", "owner"]
    made = [place(holders[n % 4], cart=n % 2 == 0, quote=n % 2 == 1, quote_valid_until="2099-01-01",
                  lines=[{"sku": "STD-2", "quantity": 1}, {"sku": "DIG-1", "quantity": 1}]) for n in range(10)]
    for order in made[:5]:
        supervisor.get(f"/admin/orders/edit/?id={order['id']}")
    with counting(app) as large:
        page = csr.get(GRID).get_data(as_text=True)
    assert page.count('data-testid="locked-') == 5
    assert len(large) == len(small), large
    print("pending grid statements:", len(large))
