"""The words screens show for the inbox's stored codes (the ``label`` filter).

Kinds: ``inbox_status`` (``InboxStatus``), ``review_state`` (``ReviewState``),
``inbox_reason`` (why a message was not applied: ``InboxMessage.reason``, set by the
services and by ``parsing.Unreadable``) and ``inbox_change`` (the kinds of change a mail
asks for, ``understanding.INTENTS``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shopadmin.core.i18n import register_labels
from shopadmin.inbox.models import InboxStatus, ReviewState

register_labels("inbox_status", {
    InboxStatus.RECEIVED: _l("received"),
    InboxStatus.APPLIED: _l("applied"),
    InboxStatus.REVIEW: _l("to review"),
    InboxStatus.UNMATCHED: _l("unmatched"),
    InboxStatus.REJECTED: _l("rejected"),
})

register_labels("review_state", {
    ReviewState.PENDING: _l("pending"),
    ReviewState.APPROVED: _l("approved"),
    ReviewState.REJECTED: _l("rejected"),
})

register_labels("inbox_reason", {
    # the mail itself (parsing.Unreadable, automatic mail)
    "too_large": _l("The message is too large."),
    "not_an_email": _l("This is not an email (no headers)."),
    "malformed": _l("The message cannot be read."),
    "no_sender": _l("The message has no sender address."),
    "too_many_parts": _l("The message has too many parts."),
    "automatic": _l("An automatic mail (auto-reply, bounce or list)."),
    # who and which order
    "no_shop": _l("No shop has the address this mail was sent to."),
    "unknown_sender": _l("The sender is not a customer of this shop's sharing group."),
    "several_orders": _l("The mail names more than one order."),
    "no_order": _l("No order of this customer could be found."),
    "which_order": _l("The customer has several open orders."),
    "not_order_customer": _l("The sender is not the order's customer."),
    # what is asked, and whether the worker may do it alone
    "not_understood": _l("No request was recognised."),
    "automation_off": _l("This shop applies no changes from mail automatically."),
    "forwarded": _l("A forwarded mail: who wrote the request is not certain."),
    "unclear": _l("Not sure what is asked."),
    "intent_not_automatic": _l("Not applied automatically in this shop."),
    "blocked": _l("The order has an active block."),
    "suspended": _l("The order is suspended."),
    "over_limit": _l("The change of value is over the shop's limit."),
    "not_applicable": _l("The changes could not be applied."),
    # purchase orders
    "purchase_order": _l("A new purchase order: check the draft order."),
    "purchase_order_unclear": _l("A purchase order without readable lines."),
    "purchase_order_draft_failed": _l("The draft order could not be made."),
})

# Reasons whose stored text (``reason_text``) says more than the label: screens show it too.
DETAILED_REASONS = frozenset({"too_large", "malformed", "too_many_parts", "unclear", "intent_not_automatic",
                              "over_limit", "not_applicable", "purchase_order_draft_failed"})

register_labels("inbox_change", {
    "cancel": _l("cancel the order"),
    "shipping_address": _l("new shipping address"),
    "quantity": _l("change a quantity"),
    "add_item": _l("add an item"),
    "remove_item": _l("remove an item"),
    "confirm": _l("confirm the order"),
    "status": _l("order status"),
    "purchase_order": _l("purchase order"),
})
