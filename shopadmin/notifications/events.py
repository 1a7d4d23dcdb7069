"""Which events exist and who receives each: a table, not a tangle of ifs."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Role


class Audience(enum.StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    FULFILMENT = "fulfilment"
    # For an order placed while staff assisted the customer: the operator gets a copy.
    OPERATOR = "operator"


@dataclass(frozen=True)
class Rule:
    audience: Audience
    role: Role | None = None  # staff: the lowest role that receives it


@dataclass(frozen=True)
class EventSpec:
    label: object
    rules: tuple[Rule, ...]
    # Confirmation mails follow the customer's preference and the order's one-time override.
    is_confirmation: bool = False
    # Requested at most once per order and recipient (a repeated request is ignored).
    once_per_order: bool = False


CUSTOMER = Rule(Audience.CUSTOMER)
OPERATOR = Rule(Audience.OPERATOR)
FULFILMENT = Rule(Audience.FULFILMENT)


def staff(role: Role) -> Rule:
    return Rule(Audience.STAFF, role)


EVENTS: dict[str, EventSpec] = {
    "order_placed": EventSpec(_l("Order placed"), (CUSTOMER, OPERATOR, staff(Role.CSR)),
                              is_confirmation=True, once_per_order=True),
    "order_confirmed": EventSpec(_l("Order confirmed"), (CUSTOMER, OPERATOR, FULFILMENT), is_confirmation=True),
    "payment_confirmed": EventSpec(_l("Payment confirmed"), (CUSTOMER, OPERATOR, staff(Role.SUPERVISOR))),
    "payment_failed": EventSpec(_l("Payment failed"), (CUSTOMER, OPERATOR, staff(Role.SUPERVISOR))),
    "delivery_allocated": EventSpec(_l("Delivery allocated"), (staff(Role.CSR),)),
    "delivery_packed": EventSpec(_l("Delivery packed"), (staff(Role.CSR),)),
    "delivery_shipped": EventSpec(_l("Delivery shipped"), (CUSTOMER, OPERATOR, staff(Role.CSR))),
    "order_cancelled": EventSpec(_l("Order cancelled"), (CUSTOMER, OPERATOR)),
    "comment_sent": EventSpec(_l("Comment sent"), (CUSTOMER,)),
    "quote_reminder": EventSpec(_l("Reminder: waiting for your confirmation"), (CUSTOMER,)),
    "order_escalated": EventSpec(_l("Order escalated: customer did not answer"), (staff(Role.SUPERVISOR),)),
    # Free mail written by staff from an order or a customer screen.
    "custom": EventSpec(_l("Email from staff"), (CUSTOMER,)),
}


def event_spec(event: str) -> EventSpec | None:
    return EVENTS.get(event)
