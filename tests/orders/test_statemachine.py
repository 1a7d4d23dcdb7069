"""Walks every row of both tables: the row applies when its condition and guards hold, and
each guard, when it fails, refuses with its reason."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from shopadmin.core.access import Access, Grant, Role
from shopadmin.orders import statemachine as sm

SUPER = Access(actor="test", is_superadmin=True)

# Facts that make each guard pass / each routing condition hold.
GUARD_PASS: dict[str, dict[str, Any]] = {
    "not_suspended": {"is_suspended": False},
    "suspended": {"is_suspended": True},
    "not_blocked": {"is_blocked": False},
    "has_lines": {"has_lines": True},
    "stock_available": {"stock_ok": True},
    "quote_valid": {"quote_valid": True},
    "quote_expired": {"quote_valid": False},
    "nothing_shipped": {"any_shipped": False},
    "paid": {"total": Decimal("10"), "paid": Decimal("10")},
    "shipment_paid": {"shipment_covered": True},
    "order_confirmed": {"order_confirmed": True},
    "release_date_passed": {"release_date_passed": True},
}
GUARD_FAIL: dict[str, dict[str, Any]] = {
    "not_suspended": {"is_suspended": True},
    "suspended": {"is_suspended": False},
    "not_blocked": {"is_blocked": True},
    "has_lines": {"has_lines": False},
    "stock_available": {"stock_ok": False},
    "quote_valid": {"quote_valid": False},
    "quote_expired": {"quote_valid": True},
    "nothing_shipped": {"any_shipped": True},
    "paid": {"total": Decimal("10"), "paid": Decimal("0")},
    "shipment_paid": {"shipment_covered": False},
    "order_confirmed": {"order_confirmed": False},
    "release_date_passed": {"release_date_passed": False},
}
WHEN: dict[str, dict[str, Any]] = {
    "always": {},
    "payment_first": {"payment_flow": "prepay", "total": Decimal("10"), "paid": Decimal("0")},
    "payable_now": {"payment_flow": "on_delivery", "total": Decimal("10"), "paid": Decimal("0")},
    "fully_paid": {"total": Decimal("10"), "paid": Decimal("10")},
    "not_fully_paid": {"total": Decimal("10"), "paid": Decimal("4")},
    "has_payments": {"total": Decimal("10"), "paid": Decimal("4")},
    "no_payments": {"total": Decimal("10"), "paid": Decimal("0")},
    "all_shipped": {"all_shipped": True},
    "some_unshipped": {"all_shipped": False},
    "stock_ok": {"stock_ok": True},
    "no_stock": {"stock_ok": False},
}


def _facts(row: sm.Transition, source: str, table: tuple[sm.Transition, ...]) -> sm.Facts:
    values: dict[str, Any] = {"state": source}
    values.update(WHEN[row.when])
    for guard in row.guards:
        for key, value in GUARD_PASS[guard].items():
            if key in ("total", "paid") and key in values:
                continue  # the routing condition decides the payment figures
            values[key] = value
    if table is sm.DELIVERY_TABLE:
        values["delivery_state"] = source
    return sm.Facts(**values)


CASES = [(name, table, row, source) for name, table in (("order", sm.ORDER_TABLE), ("delivery", sm.DELIVERY_TABLE))
         for row in table for source in row.sources]


@pytest.mark.parametrize(("name", "table", "row", "source"), CASES,
                         ids=[f"{n}:{r.event}:{s}->{r.target or s}:{r.when}" for n, _, r, s in CASES])
def test_every_transition(name: str, table: tuple[sm.Transition, ...], row: sm.Transition, source: str) -> None:
    facts = _facts(row, source, table)
    decision = sm.decide(table, facts, row.event, access=SUPER, shop_id=1, system=row.permission is None,
                         state=source)
    assert decision.allowed, decision
    assert decision.transition == row
    assert decision.target == (row.target or source)
    for guard in row.guards:
        failing = dataclasses.replace(facts, **{k: v for k, v in GUARD_FAIL[guard].items()
                                                if k not in ("total", "paid") or row.when == "always"})
        refused = sm.decide(table, failing, row.event, access=SUPER, shop_id=1, system=row.permission is None,
                            state=source)
        if refused.transition == row:  # a payment guard may re-route to a sibling row instead
            assert not refused.allowed
            assert refused.reason == sm.REASONS[guard]


def test_tables_are_consistent() -> None:
    for row in sm.ORDER_TABLE:
        assert set(row.sources) <= set(sm.ORDER_STATES), row
        assert row.target is None or row.target in sm.ORDER_STATES, row
    for row in sm.DELIVERY_TABLE:
        assert set(row.sources) <= set(sm.DELIVERY_STATES), row
        assert row.target is None or row.target in sm.DELIVERY_STATES, row
    for row in (*sm.ORDER_TABLE, *sm.DELIVERY_TABLE):
        assert all(guard in sm.GUARDS and guard in sm.REASONS for guard in row.guards)
        assert row.when in sm.CONDITIONS
    # every state is reachable from a new order, a cart or a quote
    assert sm.all_states_reachable(sm.ORDER_TABLE, sm.ORDER_STATES, (sm.CART, sm.QUOTE, sm.PENDING)) == set(
        sm.ORDER_STATES)
    reach = sm.all_states_reachable(sm.DELIVERY_TABLE, sm.DELIVERY_STATES,
                                    (sm.D_RESERVED, sm.D_WAIT_DATE, sm.D_WAIT_INVENTORY))
    assert reach == set(sm.DELIVERY_STATES)


def test_contract_events_exist() -> None:
    assert {"submit", "confirm", "cancel", "void", "suspend", "resume"} <= set(sm.ORDER_ACTIONS)
    assert {"pack", "ship"} <= set(sm.DELIVERY_ACTIONS)


def test_refusal_order_state_then_role_then_guard() -> None:
    csr = Access(actor="u", user_id=1, grants={1: Grant(Role.CSR, 1)})
    pending = sm.Facts(state=sm.PENDING, any_shipped=True)
    assert sm.decide(sm.ORDER_TABLE, pending, "refund", access=csr, shop_id=1).reason == "state"
    assert sm.decide(sm.ORDER_TABLE, pending, "void", access=csr, shop_id=1).reason == "role"
    assert sm.decide(sm.ORDER_TABLE, pending, "cancel", access=csr, shop_id=1).reason == "already_shipped"
    assert sm.decide(sm.ORDER_TABLE, pending, "nope", access=csr, shop_id=1).reason == "unknown_event"
    assert sm.decide(sm.ORDER_TABLE, pending, "payment_confirmed", access=csr, shop_id=1).reason == "system_only"


def test_mermaid_has_every_row() -> None:
    text = sm.mermaid(sm.ORDER_TABLE, (sm.CART, sm.QUOTE, sm.PENDING), sm.FINAL_ORDER_STATES)
    assert text.startswith("stateDiagram-v2")
    assert sum(len(row.sources) for row in sm.ORDER_TABLE) == text.count(" : ")


def test_generated_doc_is_current() -> None:
    from shopadmin.orders.cli import DOC_PATH, render

    assert DOC_PATH.read_text(encoding="utf-8") == render(), "run: shopadmin orders diagram"
