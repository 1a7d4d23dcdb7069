"""The words screens show for the orders domain's stored codes (the ``label`` filter).

Kinds: ``order_state``, ``delivery_state``, ``channel``, ``payment_flow``, ``payment_status``.
The codes live in ``statemachine.py`` and ``services.py``; a test checks every one has a label.
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
