"""The order and delivery state machines, as tables.

Each row says: on ``event``, from any of ``sources``, go to ``target`` (``None``: stay),
if ``when`` holds (routing: picks between rows of the same event, never a refusal) and
every guard in ``guards`` passes (a guard that fails refuses the event and says why),
for a caller with ``permission`` on the order's shop (``None``: only the system fires it:
payment callbacks, shipments, stock arrival, release dates). ``effects`` name what happens
(the orders services implement them; a dry run describes them without doing them).

Evaluation (``decide``) is pure: it reads ``Facts`` computed from the order and never
touches the database, so the screen, the API's ``"actions"`` and dry runs all explain
the same decision. ``docs/state-machine.md`` is generated from these tables
(``shopadmin orders diagram``), and ``tests/orders/test_statemachine.py`` walks every row.

Modelled on YesCart's split of an order machine and a delivery machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from shopadmin.core.access import Access, Permission

# -- order states ----------------------------------------------------------------------------

CART = "cart"  # saved by a CSR to come back to; nothing held
QUOTE = "quote"  # prices held until the quote's valid-until date; nothing held
PENDING = "pending"  # placed: stock reserved, waiting for confirmation
WAITING_PAYMENT = "waiting_payment"  # confirmed, waiting for (pre)payment
IN_PROGRESS = "in_progress"  # confirmed and payable: deliveries allocated and moving
PARTIALLY_SHIPPED = "partially_shipped"
COMPLETED = "completed"
CANCELLED = "cancelled"
CANCELLED_WAITING_REFUND = "cancelled_waiting_refund"
RETURNED = "returned"
RETURNED_WAITING_REFUND = "returned_waiting_refund"
VOIDED = "voided"

ORDER_STATES = (
    CART, QUOTE, PENDING, WAITING_PAYMENT, IN_PROGRESS, PARTIALLY_SHIPPED, COMPLETED,
    CANCELLED, CANCELLED_WAITING_REFUND, RETURNED, RETURNED_WAITING_REFUND, VOIDED,
)
FINAL_ORDER_STATES = frozenset({CANCELLED, RETURNED, VOIDED, COMPLETED})
OPEN_ORDER_STATES = (PENDING, WAITING_PAYMENT, IN_PROGRESS)  # placed, nothing shipped yet
EDITABLE_ORDER_STATES = frozenset({CART, QUOTE, PENDING, WAITING_PAYMENT, IN_PROGRESS})

# -- delivery states -------------------------------------------------------------------------

D_RESERVED = "reserved"  # stock held for it
D_WAIT_DATE = "wait_date"  # preorder: waiting for the release date
D_WAIT_INVENTORY = "wait_inventory"  # backorder: waiting for stock to arrive
D_ALLOCATED = "allocated"  # the order is confirmed (or paid): it may be packed
D_PACKING = "packing"
D_READY = "ready"  # packed, waiting for the carrier
D_SHIPPED = "shipped"
D_VOIDED = "voided"  # deallocated: the order was cancelled, voided or returned

DELIVERY_STATES = (D_RESERVED, D_WAIT_DATE, D_WAIT_INVENTORY, D_ALLOCATED, D_PACKING, D_READY, D_SHIPPED,
                   D_VOIDED)
OPEN_DELIVERY_STATES = (D_RESERVED, D_WAIT_DATE, D_WAIT_INVENTORY, D_ALLOCATED, D_PACKING, D_READY)


# -- facts: what the guards read ---------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about an order (and, for delivery events, a delivery)."""

    state: str
    payment_flow: str = "prepay"
    is_suspended: bool = False
    is_blocked: bool = False
    has_lines: bool = True
    stock_ok: bool = True  # the stock the event would reserve is there
    total: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")  # captured (and, for external flows, authorized)
    any_shipped: bool = False
    all_shipped: bool = False  # every delivery not voided is shipped (after this one)
    quote_valid: bool = True
    # delivery events
    delivery_state: str | None = None
    release_date_passed: bool = True
    shipment_covered: bool = True  # per-shipment flow: payments cover what ships with this one
    order_confirmed: bool = False  # the order is in_progress or partially_shipped

    @property
    def fully_paid(self) -> bool:
        return (self.total > 0 and self.paid >= self.total) or self.total == 0

    @property
    def has_payments(self) -> bool:
        return self.paid > 0


# A guard returns True when the event may go ahead. ``REASONS`` names the refusal.
GUARDS: dict[str, Callable[[Facts], bool]] = {
    "not_suspended": lambda f: not f.is_suspended,
    "suspended": lambda f: f.is_suspended,
    "not_blocked": lambda f: not f.is_blocked,
    "has_lines": lambda f: f.has_lines,
    "stock_available": lambda f: f.stock_ok,
    "quote_valid": lambda f: f.quote_valid,
    "quote_expired": lambda f: not f.quote_valid,
    "nothing_shipped": lambda f: not f.any_shipped,
    "paid": lambda f: f.fully_paid,
    "shipment_paid": lambda f: f.shipment_covered,
    "order_confirmed": lambda f: f.order_confirmed,
    "release_date_passed": lambda f: f.release_date_passed,
}
REASONS: dict[str, str] = {
    "not_suspended": "suspended",
    "suspended": "not_suspended",
    "not_blocked": "blocked",
    "has_lines": "no_lines",
    "stock_available": "no_stock",
    "quote_valid": "quote_expired",
    "quote_expired": "quote_still_valid",
    "nothing_shipped": "already_shipped",
    "paid": "unpaid",
    "shipment_paid": "unpaid",
    "order_confirmed": "not_confirmed",
    "release_date_passed": "not_released",
}
# Routing conditions: choose among rows of one event; their failure is never a reason.
CONDITIONS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda f: True,
    "payment_first": lambda f: f.payment_flow in ("prepay", "external") and not f.fully_paid,
    "payable_now": lambda f: not (f.payment_flow in ("prepay", "external") and not f.fully_paid),
    "fully_paid": lambda f: f.fully_paid,
    "not_fully_paid": lambda f: not f.fully_paid,
    "has_payments": lambda f: f.has_payments,
    "no_payments": lambda f: not f.has_payments,
    "all_shipped": lambda f: f.all_shipped,
    "some_unshipped": lambda f: not f.all_shipped,
    "stock_ok": lambda f: f.stock_ok,
    "no_stock": lambda f: not f.stock_ok,
}


@dataclass(frozen=True)
class Transition:
    event: str
    sources: tuple[str, ...]
    target: str | None  # None: the state stays (the effects still run)
    permission: Permission | None  # None: fired by the system only
    guards: tuple[str, ...] = ()
    when: str = "always"
    effects: tuple[str, ...] = ()
    note: str = ""


P = Permission
ANY_OPEN = OPEN_ORDER_STATES
BEFORE_SHIPPING = (CART, QUOTE, *OPEN_ORDER_STATES)
RUNNING = (PENDING, WAITING_PAYMENT, IN_PROGRESS, PARTIALLY_SHIPPED)

ORDER_TABLE: tuple[Transition, ...] = (
    Transition("submit", (CART, QUOTE), PENDING, P.ORDER_CAPTURE,
               guards=("has_lines", "quote_valid", "stock_available"),
               effects=("reserve_stock", "notify:order_placed"), note="place a saved cart or an accepted quote"),
    Transition("expire", (QUOTE,), CANCELLED, None, guards=("quote_expired",),
               effects=("release_quote", "deallocate"),
               note="the quote's valid-until date passed (a periodic job, or `shopadmin orders expire-quotes`)"),
    Transition("confirm", (PENDING,), IN_PROGRESS, P.ORDER_CONFIRM, guards=("not_suspended",),
               when="payable_now", effects=("allocate_deliveries", "notify:order_confirmed")),
    Transition("confirm", (PENDING,), WAITING_PAYMENT, P.ORDER_CONFIRM, guards=("not_suspended",),
               when="payment_first", effects=("notify:order_confirmed",)),
    Transition("payment_confirmed", (WAITING_PAYMENT,), IN_PROGRESS, None, when="fully_paid",
               effects=("allocate_deliveries", "notify:payment_confirmed")),
    Transition("payment_confirmed", (WAITING_PAYMENT,), None, None, when="not_fully_paid",
               note="a part payment"),
    Transition("payment_confirmed", (CART, QUOTE, PENDING, IN_PROGRESS, PARTIALLY_SHIPPED, COMPLETED), None, None,
               effects=("notify:payment_confirmed",)),
    Transition("payment_confirmed", (CANCELLED, VOIDED), CANCELLED_WAITING_REFUND, None,
               effects=("notify:payment_confirmed",), note="a late confirmation: the money goes back"),
    Transition("payment_confirmed", (RETURNED,), RETURNED_WAITING_REFUND, None,
               effects=("notify:payment_confirmed",)),
    Transition("payment_confirmed", (CANCELLED_WAITING_REFUND, RETURNED_WAITING_REFUND), None, None),
    Transition("payment_failed", (WAITING_PAYMENT,), CANCELLED, None, when="no_payments",
               effects=("deallocate", "notify:payment_failed")),
    Transition("payment_failed", (WAITING_PAYMENT,), None, None, when="has_payments",
               effects=("notify:payment_failed",), note="an earlier part payment stands"),
    Transition("payment_failed", (CART, QUOTE, PENDING, IN_PROGRESS, PARTIALLY_SHIPPED, COMPLETED), None, None,
               effects=("notify:payment_failed",)),
    Transition("delivery_shipped", (IN_PROGRESS, PARTIALLY_SHIPPED), COMPLETED, None, when="all_shipped"),
    Transition("delivery_shipped", (IN_PROGRESS, PARTIALLY_SHIPPED), PARTIALLY_SHIPPED, None,
               when="some_unshipped"),
    Transition("cancel", BEFORE_SHIPPING, CANCELLED, P.ORDER_CANCEL, guards=("nothing_shipped",),
               when="no_payments", effects=("deallocate", "notify:order_cancelled")),
    Transition("cancel", BEFORE_SHIPPING, CANCELLED_WAITING_REFUND, P.ORDER_CANCEL, guards=("nothing_shipped",),
               when="has_payments", effects=("deallocate", "refund_due", "notify:order_cancelled")),
    Transition("void", BEFORE_SHIPPING, VOIDED, P.ORDER_VOID, guards=("nothing_shipped",), when="no_payments",
               effects=("deallocate",)),
    Transition("void", BEFORE_SHIPPING, CANCELLED_WAITING_REFUND, P.ORDER_VOID, guards=("nothing_shipped",),
               when="has_payments", effects=("deallocate", "refund_due")),
    Transition("refund", (CANCELLED_WAITING_REFUND,), CANCELLED, P.ORDER_RETURN, effects=("record_refund",)),
    Transition("refund", (RETURNED_WAITING_REFUND,), RETURNED, P.ORDER_RETURN, effects=("record_refund",)),
    Transition("return", (PARTIALLY_SHIPPED, COMPLETED), RETURNED, P.ORDER_RETURN, when="no_payments",
               effects=("deallocate",)),
    Transition("return", (PARTIALLY_SHIPPED, COMPLETED), RETURNED_WAITING_REFUND, P.ORDER_RETURN,
               when="has_payments", effects=("deallocate", "refund_due")),
    Transition("suspend", RUNNING, None, P.ORDER_SUSPEND, guards=("not_suspended",), effects=("suspend",),
               note="questionable activity: nothing moves until resumed"),
    Transition("resume", RUNNING, None, P.ORDER_RESUME, guards=("suspended",), effects=("resume",)),
)

DELIVERY_TABLE: tuple[Transition, ...] = (
    Transition("allocate", (D_RESERVED,), D_ALLOCATED, None, guards=("order_confirmed",),
               note="on CSR confirmation or payment"),
    Transition("release", (D_WAIT_DATE,), D_RESERVED, None, guards=("release_date_passed",), when="stock_ok",
               effects=("reserve_delivery",), note="preorder: the release date came"),
    Transition("release", (D_WAIT_DATE,), D_WAIT_INVENTORY, None, guards=("release_date_passed",),
               when="no_stock"),
    Transition("stock_arrived", (D_WAIT_INVENTORY,), D_RESERVED, None, guards=("stock_available",),
               effects=("reserve_delivery",), note="back-order allocation"),
    Transition("pack", (D_ALLOCATED,), D_PACKING, P.DELIVERY_MOVE,
               guards=("order_confirmed", "not_suspended", "not_blocked")),
    Transition("ready", (D_PACKING,), D_READY, P.DELIVERY_MOVE, guards=("not_suspended", "not_blocked")),
    Transition("ship", (D_PACKING, D_READY), D_SHIPPED, P.DELIVERY_MOVE,
               guards=("order_confirmed", "not_suspended", "not_blocked", "shipment_paid"),
               effects=("consume_stock", "notify:delivery_shipped", "order:delivery_shipped")),
    Transition("deallocate", OPEN_DELIVERY_STATES, D_VOIDED, None, effects=("release_delivery",)),
)

ORDER_EVENTS = tuple(dict.fromkeys(t.event for t in ORDER_TABLE))
DELIVERY_EVENTS = tuple(dict.fromkeys(t.event for t in DELIVERY_TABLE))
# Events a caller may send (the others are fired by the system).
ORDER_ACTIONS = tuple(dict.fromkeys(t.event for t in ORDER_TABLE if t.permission is not None))
DELIVERY_ACTIONS = tuple(dict.fromkeys(t.event for t in DELIVERY_TABLE if t.permission is not None))


@dataclass(frozen=True)
class Decision:
    event: str
    allowed: bool
    reason: str | None  # why not: state, role, system_only, unknown_event, or a guard's reason
    source: str
    target: str | None = None  # the state after (equal to source when it stays)
    effects: tuple[str, ...] = ()
    transition: Transition | None = field(default=None, compare=False)


def decide(table: tuple[Transition, ...], facts: Facts, event: str, *, access: Access | None, shop_id: int,
           system: bool = False, state: str | None = None) -> Decision:
    """Which row of ``table`` applies to ``event`` now, or why none does.

    Refusal order: unknown event, then the state, then who may fire it, then the guards.
    """
    source = state if state is not None else facts.state
    rows = [t for t in table if t.event == event]
    if not rows:
        return Decision(event, False, "unknown_event", source)
    rows = [t for t in rows if source in t.sources]
    if not rows:
        return Decision(event, False, "state", source)
    routed = [t for t in rows if CONDITIONS[t.when](facts)]
    if not routed:
        return Decision(event, False, "state", source)
    row = routed[0]
    if row.permission is None:
        if not system:
            return Decision(event, False, "system_only", source, transition=row)
    elif not system and (access is None or not access.can(row.permission, shop_id)):
        return Decision(event, False, "role", source, transition=row)
    for guard in row.guards:
        if not GUARDS[guard](facts):
            return Decision(event, False, REASONS[guard], source, transition=row)
    target = row.target if row.target is not None else source
    return Decision(event, True, None, source, target, row.effects, row)


def all_states_reachable(table: tuple[Transition, ...], states: tuple[str, ...], start: tuple[str, ...]) -> set[str]:
    """The states a walk of the table reaches from ``start`` (for the tests and the docs)."""
    seen = set(start)
    frontier = list(start)
    while frontier:
        state = frontier.pop()
        for row in table:
            if state in row.sources:
                target = row.target or state
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
    return seen & set(states)


def mermaid(table: tuple[Transition, ...], initial: tuple[str, ...], finals: frozenset[str] | tuple[str, ...]) -> str:
    """A Mermaid ``stateDiagram-v2`` of the table: one arrow per row and source."""
    lines = ["stateDiagram-v2"]
    for state in initial:
        lines.append(f"    [*] --> {state}")
    for row in table:
        who = row.permission.value if row.permission is not None else "system"
        label = row.event
        extras = [f"if {row.when}"] if row.when != "always" else []
        extras += [f"[{g}]" for g in row.guards]
        if extras:
            label += " " + " ".join(extras)
        label += f" ({who})"
        for source in row.sources:
            lines.append(f"    {source} --> {row.target or source} : {label}")
    for state in sorted(finals):
        lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"


def markdown_table(table: tuple[Transition, ...]) -> str:
    head = "| event | from | to | who | when | guards (refusal reason) | effects |\n|---|---|---|---|---|---|---|\n"
    rows = []
    for row in table:
        who = row.permission.value if row.permission is not None else "system"
        guards = ", ".join(f"{g} ({REASONS[g]})" for g in row.guards) or "—"
        rows.append(
            f"| {row.event} | {', '.join(row.sources)} | {row.target or '(stays)'} | {who} | {row.when} | "
            f"{guards} | {', '.join(row.effects) or '—'} |"
        )
    return head + "\n".join(rows) + "\n"
