from __future__ import annotations

from typing import Any


def test_place_and_read(client: Any, place: Any, token: Any) -> None:
    order = place()
    assert order["number"] == "OWN-000001"
    assert order["state"] == "pending"
    assert order["totals"] == {"subtotal": "20.00", "tax": "3.80", "charges": "0.00", "total": "23.80",
                               "paid": "0.00", "refunded": "0.00"}
    got = client.get(f"/api/v1/orders/{order['id']}", headers=token("csr"))
    assert got.status_code == 200
    assert got.headers["ETag"] == f'"{order["version"]}"'
