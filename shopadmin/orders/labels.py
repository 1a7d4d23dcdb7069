"""The words screens show for the orders domain's stored codes (the ``label`` filter).

Kinds: ``order_state``, ``delivery_state``, ``channel``, ``payment_flow``, ``payment_status``,
``order_event`` (the events of both state machines and the history's own entries: buttons and
history), ``refusal_reason`` (why an event is not possible: the ``reason`` of ``decide``, kept
as a code in the API and the history) and ``version_reason`` (the fixed reasons a version is
written for). The codes live in ``statemachine.py`` and ``services.py``; a test checks every
one has a label.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shopadmin.core.i18n import register_labels
from shopadmin.orders import statemachine as sm

register_labels("order_state", {
    sm.CART: _l("Cart"),
    sm.QUOTE: _l("Quote"),
    sm.PENDING: _l("Pending"),
    sm.WAITING_PAYMENT: _l("Waiting for payment"),
    sm.IN_PROGRESS: _l("In progress"),
    sm.PARTIALLY_SHIPPED: _l("Partially shipped"),
    sm.COMPLETED: _l("Completed"),
    sm.CANCELLED: _l("Cancelled"),
    sm.CANCELLED_WAITING_REFUND: _l("Cancelled, waiting for refund"),
    sm.RETURNED: _l("Returned"),
    sm.RETURNED_WAITING_REFUND: _l("Returned, waiting for refund"),
    sm.VOIDED: _l("Voided"),
})

register_labels("delivery_state", {
    sm.D_RESERVED: _l("Reserved"),
    sm.D_WAIT_DATE: _l("Waiting for the release date"),
    sm.D_WAIT_INVENTORY: _l("Waiting for stock"),
    sm.D_ALLOCATED: _l("Allocated"),
    sm.D_PACKING: _l("Packing"),
    sm.D_READY: _l("Ready for pickup"),
    sm.D_SHIPPED: _l("Shipped"),
    sm.D_VOIDED: _l("Voided"),
})

register_labels("channel", {
    "phone": _l("Phone"),
    "web": _l("Web shop"),
    "email": _l("Email"),
    "store": _l("In store"),
    "api": _l("API"),
})

register_labels("payment_flow", {
    "prepay": _l("Prepayment"),
    "on_delivery": _l("Payment on delivery"),
    "per_shipment": _l("Payment per shipment"),
    "external": _l("External (gateway)"),
})

register_labels("payment_status", {
    "authorized": _l("authorized"),
    "captured": _l("captured"),
    "failed": _l("failed"),
    "refunded": _l("refunded"),
})

register_labels("order_event", {
    # order events (the buttons and the history)
    "submit": _l("Submit"),
    "expire": _l("Expire"),
    "confirm": _l("Confirm"),
    "payment_confirmed": _l("Payment confirmed"),
    "payment_failed": _l("Payment failed"),
    "delivery_shipped": _l("Delivery shipped"),
    "cancel": _l("Cancel order"),
    "void": _l("Void"),
    "refund": _l("Refund"),
    "return": _l("Return"),
    "suspend": _l("Suspend"),
    "resume": _l("Resume"),
    # delivery events
    "allocate": _l("Allocate"),
    "release": _l("Release for shipping"),  # a preorder's date has come
    "stock_arrived": _l("Stock arrived"),
    "pack": _l("Pack"),
    "ready": _l("Ready for pickup"),
    "ship": _l("Ship"),
    "deallocate": _l("Deallocate"),
    # written to the history by the services
    "place": _l("Order placed"),
    "hand_over": _l("Handed over"),
    "block": _l("Block added"),
    "release_block": _l("Block released"),
})

register_labels("refusal_reason", {
    "state": _l("not in this state"),
    "role": _l("your role does not allow it"),
    "system_only": _l("done by the system"),
    "unknown_event": _l("unknown event"),
    "unpaid": _l("not paid"),
    "blocked": _l("blocked"),
    "no_stock": _l("not enough stock"),
    "suspended": _l("suspended"),
    "not_suspended": _l("not suspended"),
    "already_shipped": _l("something has shipped"),
    "no_lines": _l("no lines"),
    "quote_expired": _l("the quote has expired"),
    "quote_still_valid": _l("the quote is still valid"),
    "not_confirmed": _l("the order is not confirmed"),
    "not_released": _l("not released yet"),
})

register_labels("version_reason", {
    "created": _l("created"),
    "edited": _l("edited"),
})

register_labels("version_field", {
    # the parts of a version's change path (``lines.STD-1.quantity``); SKUs and ids stay as they are
    "state": _l("State"),
    "is_suspended": _l("Suspended"),
    "channel": _l("Channel"),
    "payment_flow": _l("Payment"),
    "ship_together": _l("Ship together"),
    "notify_customer": _l("Confirmation email"),
    "attributes": _l("Attributes"),
    "shipping_address": _l("Shipping address"),
    "billing_address": _l("Billing address"),
    "lines": _l("Line"),
    "deliveries": _l("Delivery"),
    "charges": _l("Charges"),
    "totals": _l("Totals"),
    "blocks": _l("Active blocks"),
    "quote_valid_until": _l("Quote valid until"),
    "held_by": _l("Held by"),
    "quantity": _l("Quantity"),
    "unit_price": _l("Unit price"),
    "total": _l("Total"),
    "subtotal": _l("Subtotal"),
    "tax": _l("Tax"),
    "name": _l("Name"),
    "sku": _l("SKU"),
    "group": _l("Group"),
    "shipping": _l("Shipping charge"),
    "handling": _l("Handling charge"),
    "misc": _l("Other charges"),
})
