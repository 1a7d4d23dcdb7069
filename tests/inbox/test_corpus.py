"""The corpus: 69 messages of our own making in English, German, French and Spanish, each
with the outcome a careful CSR would expect. The worker must never auto-apply what it
should not (precision of ``applied``: 100%); its accuracy is printed (run with ``-s``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.inbox import services
from shopadmin.inbox.jobs import process_message
from shopadmin.orders import services as orders
from tests.inbox.conftest import make_order

CORPUS = Path(__file__).parent / "corpus"
PLATFORM = system_access("tests")
MIN_ACCURACY = 0.9


def _manifest() -> list[dict[str, Any]]:
    return list(json.loads((CORPUS / "expected.json").read_text(encoding="utf-8")))


def _check(order_id: int, check: dict[str, Any]) -> list[str]:
    problems = []
    with unit_of_work(PLATFORM):
        order = orders.get_order(PLATFORM, order_id)
        quantities = {line.sku: line.quantity for line in order.lines}
        if "state" in check and order.state != check["state"]:
            problems.append(f"state {order.state} != {check['state']}")
        for sku, qty in check.get("qty", {}).items():
            if quantities.get(sku, 0) != qty:
                problems.append(f"{sku}: {quantities.get(sku, 0)} != {qty}")
        for key in ("city", "line1", "country"):
            if key in check and order.shipping_address.get(key) != check[key]:
                problems.append(f"{key} {order.shipping_address.get(key)!r} != {check[key]!r}")
    return problems


def _tidy(order_ids: list[int]) -> None:
    """Cancel what a message left open, so the next one starts from no open orders."""
    with unit_of_work(PLATFORM):
        for order_id in order_ids:
            order = orders.get_order(PLATFORM, order_id)
            if order.active_blocks:
                for block in order.blocks:
                    if block.is_active:
                        orders.release_block(PLATFORM, order, block.id)
            orders.fire_event(PLATFORM, order, "cancel")


def test_corpus_precision_and_accuracy(app: Flask, inbox_world: dict[str, Any]) -> None:
    manifest = _manifest()
    assert len(manifest) >= 60
    customers = inbox_world["customers"]
    rows = []
    with app.app_context():
        for entry in manifest:
            order_ids = []
            for spec in entry["orders"]:
                order_id, number = make_order(customers[spec["customer"]], [tuple(x) for x in spec["lines"]],
                                              state=spec.get("state", "pending"))
                assert number == spec["number"], "the corpus expects orders numbered in this sequence"
                order_ids.append(order_id)
            raw = (CORPUS / entry["file"]).read_bytes()
            with unit_of_work(PLATFORM):
                message, _ = services.intake(PLATFORM, raw, source="corpus", process_after_commit=False)
                message_id = message.id
            process_message(message_id)
            with unit_of_work(PLATFORM):
                message = services.stored_message(message_id)
                got, types = message.status.value, [c["type"] for c in message.changes or []]
                order_id, language = message.order_id, message.language
                why = f"{message.reason}: {message.reason_text} {message.changes}"
            problems = []
            if got == "applied" and entry.get("check") and order_id is not None:
                problems = _check(order_id, entry["check"])
            rows.append({"file": entry["file"], "expect": entry["expect"], "got": got, "changes": types,
                         "want_changes": entry["changes"], "problems": problems, "language": language,
                         "why": why})
            _tidy(order_ids)
    applied = [r for r in rows if r["got"] == "applied"]
    wrong_applied = [r for r in applied if r["expect"] != "applied" or r["changes"] != r["want_changes"]
                     or r["problems"]]
    correct = [r for r in rows if r["got"] == r["expect"] and not r["problems"]
               and (r["got"] != "applied" or r["changes"] == r["want_changes"])]
    accuracy = len(correct) / len(rows)
    should_apply = [r for r in rows if r["expect"] == "applied"]
    print(f"\ninbox corpus: {len(rows)} messages, accuracy {accuracy:.1%} ({len(correct)}/{len(rows)}), "
          f"auto-applied {len(applied)}, precision of applied "
          f"{(len(applied) - len(wrong_applied)) / len(applied):.1%}, recall of applied "
          f"{sum(1 for r in should_apply if r in applied and r not in wrong_applied) / len(should_apply):.1%}")
    for r in rows:
        if r not in correct:
            print(f"  {r['file']}: expected {r['expect']} {r['want_changes']}, got {r['got']} {r['changes']} "
                  f"{r['problems']} {r['why']}")
    assert not wrong_applied, wrong_applied
    assert accuracy >= MIN_ACCURACY
