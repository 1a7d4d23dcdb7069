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


class CustomerPolicy(enum.StrEnum):
    """When the customer (and an assisting operator's copy) gets an event's mail."""

    # Order placed/confirmed: the order's one-time ``notify_customer`` override decides,
    # else the customer's ``wants_order_emails`` preference.
    CONFIRMATION = "confirmation"
    # Shipped, cancelled, payment, reminders: the customer must know; neither applies.
    ALWAYS = "always"
    # Comments and staff mails: requested one by one (a comment's own ``notify_customer``
    # flag is why it is requested at all), so the order's override and the preference do not apply.
    ON_REQUEST = "on_request"


@dataclass(frozen=True)
class Rule:
    audience: Audience
    role: Role | None = None  # staff: the lowest role that receives it


@dataclass(frozen=True)
class EventSpec:
    label: object
    rules: tuple[Rule, ...]
    customer_policy: CustomerPolicy = CustomerPolicy.ALWAYS
    # Requested at most once per order and recipient (a repeated request is ignored).
    once_per_order: bool = False


CUSTOMER = Rule(Audience.CUSTOMER)
OPERATOR = Rule(Audience.OPERATOR)
FULFILMENT = Rule(Audience.FULFILMENT)


def staff(role: Role) -> Rule:
    return Rule(Audience.STAFF, role)


EVENTS: dict[str, EventSpec] = {
    "order_placed": EventSpec(_l("Order placed"), (CUSTOMER, OPERATOR, staff(Role.CSR)),
                              customer_policy=CustomerPolicy.CONFIRMATION, once_per_order=True),
    "order_confirmed": EventSpec(_l("Order confirmed"), (CUSTOMER, OPERATOR, FULFILMENT),
                                 customer_policy=CustomerPolicy.CONFIRMATION),
    "payment_confirmed": EventSpec(_l("Payment confirmed"), (CUSTOMER, OPERATOR, staff(Role.SUPERVISOR))),
    "payment_failed": EventSpec(_l("Payment failed"), (CUSTOMER, OPERATOR, staff(Role.SUPERVISOR))),
    "delivery_allocated": EventSpec(_l("Delivery allocated"), (staff(Role.CSR),)),
    "delivery_packed": EventSpec(_l("Delivery packed"), (staff(Role.CSR),)),
    "delivery_shipped": EventSpec(_l("Delivery shipped"), (CUSTOMER, OPERATOR, staff(Role.CSR))),
    "order_cancelled": EventSpec(_l("Order cancelled"), (CUSTOMER, OPERATOR)),
    "comment_sent": EventSpec(_l("Comment sent"), (CUSTOMER,), customer_policy=CustomerPolicy.ON_REQUEST),
    "quote_reminder": EventSpec(_l("Reminder: waiting for your confirmation"), (CUSTOMER,)),
    "order_escalated": EventSpec(_l("Order escalated: customer did not answer"), (staff(Role.SUPERVISOR),)),
    # Free mail written by staff from an order or a customer screen.
    "custom": EventSpec(_l("Email from staff"), (CUSTOMER,), customer_policy=CustomerPolicy.ON_REQUEST),
    # The inbox worker's answers to a customer's mail (sent to the mail's sender, threaded).
    "inbox_applied": EventSpec(_l("Inbox: your request was carried out"), (CUSTOMER,),
                               customer_policy=CustomerPolicy.ON_REQUEST),
    "inbox_review": EventSpec(_l("Inbox: your request is being reviewed"), (CUSTOMER,),
                              customer_policy=CustomerPolicy.ON_REQUEST),
    "inbox_unmatched": EventSpec(_l("Inbox: we could not find your order"), (CUSTOMER,),
                                 customer_policy=CustomerPolicy.ON_REQUEST),
    # The storefront (issue 6): a password-reset link, and "staff signed in to your account".
    "password_reset": EventSpec(_l("Storefront: choose a new password"), (CUSTOMER,),
                                customer_policy=CustomerPolicy.ALWAYS),
    "assistance_started": EventSpec(_l("Storefront: staff signed in to your account"), (CUSTOMER,),
                                    customer_policy=CustomerPolicy.ALWAYS),
}


def event_spec(event: str) -> EventSpec | None:
    return EVENTS.get(event)
