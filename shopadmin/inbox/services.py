"""The inbox worker's services: intake, understanding and acting, review, KPIs.

Plain functions: they check access, flush and never commit. Intake stores the raw mail
before anything else; ``process`` reads it, decides and acts through the orders,
customers and notifications services, always as the worker's own system user.

Errors: ``NotFound`` (a message or shop outside the caller's scope), ``Forbidden``
(beyond the role), ``Invalid`` (bad input, e.g. edited changes of the wrong shape),
``Conflict`` (a decision on a message that is not waiting for review).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from shopadmin.core import audit
from shopadmin.core.access import Access, Permission
from shopadmin.core.db import utcnow
from shopadmin.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from shopadmin.core.i18n import label
from shopadmin.core.jobs import enqueue
from shopadmin.extensions import db
from shopadmin.inbox import labels as _labels  # noqa: F401 - the kinds summary() uses
from shopadmin.inbox import parsing
from shopadmin.inbox import understanding as nlu
from shopadmin.inbox.models import InboxMessage, InboxStatus, ReviewState
from shopadmin.tenants.models import Shop

log = logging.getLogger(__name__)

WORKER_EMAIL = "inbox-worker@system.invalid"
WORKER_NAME = "inbox worker"
WORKER_ACTOR = "system:inbox"
MAX_ATTEMPTS = 3
DEFAULT_INTENTS = ("cancel", "shipping_address", "quantity", "add_item", "remove_item", "confirm", "status")
DEFAULT_MAX_VALUE_CHANGE = Decimal("250")
OPEN_FOR_MAIL = ("quote", "pending", "waiting_payment", "in_progress")
CATALOGUE_LIMIT = 2000


# -- who the worker is -------------------------------------------------------------------------


def worker_access() -> Access:
    """The worker's identity: a system user of its own, seeing every shop (it stays in the mail's shop)."""
    from shopadmin.staff import services as staff

    user = staff.system_user(WORKER_EMAIL, WORKER_NAME)
    return Access(actor=WORKER_ACTOR, user_id=user.id, is_system=True)


# -- per-shop automation rules -----------------------------------------------------------------


@dataclass(frozen=True)
class Automation:
    """What the worker may do by itself in a shop (``Shop.attributes``, managers set them):

    * ``inbox_auto_apply``: false turns automatic changes off (everything goes to review);
    * ``inbox_auto_intents``: comma-separated intents it may apply;
    * ``inbox_max_value_change``: the largest change of the order's value (a cancel counts
      the whole order) it may make alone, in the order's currency.
    """

    enabled: bool
    intents: frozenset[str]
    max_value_change: Decimal


def automation_for(shop: Shop) -> Automation:
    attrs = shop.attributes or {}
    enabled = attrs.get("inbox_auto_apply", True)
    raw_intents = attrs.get("inbox_auto_intents")
    intents = (frozenset(i.strip() for i in str(raw_intents).split(",") if i.strip())
               if raw_intents is not None else frozenset(DEFAULT_INTENTS))
    try:
        limit = Decimal(str(attrs.get("inbox_max_value_change", DEFAULT_MAX_VALUE_CHANGE)))
    except InvalidOperation:
        limit = Decimal("0")
    return Automation(enabled=enabled is not False and str(enabled).lower() not in ("false", "0", "no"),
                      intents=intents, max_value_change=limit)


# -- intake ----------------------------------------------------------------------------------


def _dedupe_key(shop_id: int | None, message_id: str) -> str:
    return hashlib.sha256(f"{shop_id or '-'}|{message_id}".encode()).hexdigest()


def shop_for_recipients(recipients: Sequence[str]) -> Shop | None:
    """The shop whose customer-service address received the mail (a platform lookup)."""
    if not recipients:
        return None
    rows = db.session.scalars(
        sa.select(Shop).where(sa.func.lower(Shop.email).in_(list(recipients)), Shop.is_active.is_(True))
        .execution_options(all_shops=True)
    ).all()
    by_email = {(shop.email or "").lower(): shop for shop in rows}
    return next((by_email[r] for r in recipients if r in by_email), None)


def intake(access: Access, raw: bytes, *, source: str = "api", shop_code: str | None = None,
           process_after_commit: bool = True) -> tuple[InboxMessage, bool]:
    """Store a raw email; returns (message, created). A Message-ID already stored for the
    shop returns the stored message and ``created=False`` (nothing happens twice).

    The shop is ``shop_code`` when given (the caller needs ``inbox.intake`` there), else the
    shop whose address received it, among those the caller may feed; none: stored without
    a shop (``unmatched``; only the platform sees those).
    """
    if not isinstance(raw, bytes | bytearray) or not raw:
        raise Invalid(_l("Send the raw email as the request body (Content-Type: message/rfc822)."),
                      code="empty_message", fields={"body": [_l("Empty.")]})
    raw = bytes(raw)
    env = parsing.envelope(raw)
    if shop_code is not None:
        from shopadmin.tenants import services as tenants

        shop: Shop | None = tenants.get_shop(access, shop_code)
        access.require(Permission.INBOX_INTAKE, shop.id if shop is not None else None)
    else:
        if not access.can_anywhere(Permission.INBOX_INTAKE):
            raise Forbidden(_l("Your role does not allow this."), fields={"permission": str(Permission.INBOX_INTAKE)})
        found = shop_for_recipients(env.recipients)
        shop = found if found is not None and access.can(Permission.INBOX_INTAKE, found.id) else None
    shop_id = shop.id if shop is not None else None
    key = _dedupe_key(shop_id, env.message_id)
    existing = _by_key(key)
    if existing is not None:
        return existing, False
    message = InboxMessage(
        shop_id=shop_id, dedupe_key=key, message_id=env.message_id[:255], raw=raw, raw_sha256=parsing.digest(raw),
        size=len(raw), source=source[:16], sender=env.sender[:254],
        recipient=_recipient(shop, env.recipients),
        subject=env.subject[:300], received_at=utcnow(), received_by=access.actor[:64],
        status=InboxStatus.RECEIVED, intents=[], changes=[], result={}, attempts=0,
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # the same message arrived twice at once
        existing = _by_key(key)
        if existing is None:
            raise
        return existing, False
    audit.record(access, "inbox.intake", message, shop_id=shop_id, message_id=message.message_id, source=source)
    if process_after_commit:
        from shopadmin.inbox.jobs import process_message

        enqueue(process_message, message.id)
    return message, True


def _recipient(shop: Shop | None, recipients: list[str]) -> str:
    if shop is not None and shop.email:
        return shop.email[:254]
    return recipients[0][:254] if recipients else ""


def _by_key(key: str) -> InboxMessage | None:
    return db.session.scalars(
        sa.select(InboxMessage).where(InboxMessage.dedupe_key == key).execution_options(all_shops=True)
    ).one_or_none()


# -- reading ---------------------------------------------------------------------------------


def get_message(access: Access, message_id: int, permission: Permission = Permission.INBOX_VIEW) -> InboxMessage:
    message = db.session.scalars(sa.select(InboxMessage).where(InboxMessage.id == message_id)).one_or_none()
    if message is None:
        raise NotFound(_l("No such inbox message."))
    if message.shop_id is None:
        if not access.sees_all_shops:
            raise NotFound(_l("No such inbox message."))
    else:
        access.require(permission, message.shop_id)
    return message


def stored_message(message_id: int) -> InboxMessage:
    """The message intake just stored for its caller, who may not see it afterwards (no shop)."""
    message = db.session.scalars(sa.select(InboxMessage).where(InboxMessage.id == message_id)
                                 .execution_options(all_shops=True)).one_or_none()
    if message is None:
        raise NotFound(_l("No such inbox message."))
    return message


def list_messages(access: Access, *, status: str | None = None, shop_id: int | None = None,
                  after_id: int | None = None, limit: int = 50) -> list[InboxMessage]:
    """Newest first in the shops where the caller may view the inbox."""
    stmt = sa.select(InboxMessage).order_by(InboxMessage.id.desc()).limit(limit)
    allowed = access.shops_allowing(Permission.INBOX_VIEW)
    if allowed is not None:
        stmt = stmt.where(InboxMessage.shop_id.in_(sorted(allowed)))
    if status:
        try:
            stmt = stmt.where(InboxMessage.status == InboxStatus(status))
        except ValueError:
            raise Invalid(_l("Unknown status."), fields={"status": [_l("Unknown status.")]}) from None
    if shop_id is not None:
        stmt = stmt.where(InboxMessage.shop_id == shop_id)
    if after_id is not None:
        stmt = stmt.where(InboxMessage.id < after_id)
    return list(db.session.scalars(stmt))


def review_queue_statement(access: Access) -> sa.Select[tuple[InboxMessage]]:
    stmt = sa.select(InboxMessage).where(InboxMessage.status == InboxStatus.REVIEW,
                                         InboxMessage.review_state == ReviewState.PENDING)
    allowed = access.shops_allowing(Permission.INBOX_VIEW)
    if allowed is not None:
        stmt = stmt.where(InboxMessage.shop_id.in_(sorted(allowed)))
    return stmt.order_by(InboxMessage.received_at)


def message_json(message: InboxMessage, *, detail: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": message.id,
        "status": message.status.value if message.status is not InboxStatus.RECEIVED else "review",
        "processed": message.status is not InboxStatus.RECEIVED,
        "order_id": message.order_id,
        "language": message.language,
        "changes": list(message.changes or []),
        "shop_id": message.shop_id,
        "customer_id": message.customer_id,
        "draft_order_id": message.draft_order_id,
        "message_id": message.message_id,
        "sender": message.sender,
        "subject": message.subject,
        "intents": list(message.intents or []),
        "reason": message.reason,
        "reason_text": message.reason_text,
        "review_state": message.review_state.value if message.review_state else None,
        "reviewed_by": message.reviewed_by_id,
        "reviewed_at": message.reviewed_at.isoformat() if message.reviewed_at else None,
        "received_at": message.received_at.isoformat() if message.received_at else None,
        "processed_at": message.processed_at.isoformat() if message.processed_at else None,
        "applied_at": message.applied_at.isoformat() if message.applied_at else None,
    }
    if detail:
        body["body_text"] = message.body_text
        body["result"] = dict(message.result or {})
        body["size"] = message.size
    return body


# -- processing ------------------------------------------------------------------------------


@dataclass
class Context:
    """What the worker found out about one message."""

    access: Access
    message: InboxMessage
    mail: parsing.ParsedMail
    shop: Shop
    customer: Any  # a Customer, or None for a stranger
    order: Any = None  # the order the mail is about, when one was found
    language: str = "en"
    order_mails: int = 0  # the customer's own order mails the applied changes produced (threaded)


def _finish(message: InboxMessage, status: InboxStatus, reason: str | None = None, text: str | None = None) -> None:
    message.status = status
    message.reason = reason
    message.reason_text = (text or "")[:500] or None
    message.processed_at = utcnow()
    if status is InboxStatus.REVIEW:
        message.review_state = ReviewState.PENDING
    if status is InboxStatus.APPLIED:
        message.applied_at = message.processed_at


def process(access: Access, message: InboxMessage) -> InboxMessage:
    """Understand a stored message and act on it; sets its final status.

    Bad mail never raises: it ends ``rejected``. Domain errors of the orders services
    while applying send the message to review (their changes are rolled back).
    """
    if message.status is not InboxStatus.RECEIVED:
        return message
    message.attempts += 1
    try:
        mail = parsing.parse(message.raw, cutters=nlu.all_cutters(), signoffs=nlu.all_signoffs())
    except parsing.Unreadable as exc:
        _finish(message, InboxStatus.REJECTED, exc.code, str(exc))
        audit.record(access, "inbox.rejected", message, shop_id=message.shop_id, reason=exc.code)
        return message
    message.body_text = mail.full_text[:50_000]
    shop = _shop(message.shop_id)
    fallback = shop.locale.split("_")[0] if shop is not None else "en"
    message.language = nlu.detect_language(f"{mail.envelope.subject}\n{mail.text or mail.full_text}", fallback)
    if mail.is_automatic:
        _finish(message, InboxStatus.REJECTED, "automatic", "An automatic mail (auto-reply, bounce or list).")
        return message
    if shop is None:
        _finish(message, InboxStatus.UNMATCHED, "no_shop", "No shop has the address this mail was sent to.")
        return message
    from shopadmin.customers import services as customers

    customer = customers.find_in_group(shop, mail.envelope.sender) if mail.envelope.sender else None
    message.customer_id = customer.id if customer is not None else None
    ctx = Context(access=access, message=message, mail=mail, shop=shop, customer=customer,
                  language=message.language or fallback)
    _decide_and_act(ctx)
    _record_activity(ctx)
    _reply(ctx)
    audit.record(access, f"inbox.{message.status.value}", message, shop_id=shop.id, reason=message.reason,
                 order_id=message.order_id)
    db.session.flush()
    return message


def _shop(shop_id: int | None) -> Shop | None:
    if shop_id is None:
        return None
    return db.session.scalars(sa.select(Shop).where(Shop.id == shop_id)).one_or_none()


def catalogue_of(shop: Shop, access: Access) -> nlu.Catalogue:
    from shopadmin.catalogue import services as catalogue

    rows = catalogue.list_products(access, shop, limit=CATALOGUE_LIMIT)
    return nlu.Catalogue({p.sku.upper(): nlu.Product(p.sku, p.name, Decimal(p.price), p.is_active) for p in rows})


def order_view(order: Any) -> nlu.OrderView:
    return nlu.OrderView(
        number=order.number, state=order.state,
        lines=[{"sku": line.sku, "name": line.name, "quantity": line.quantity, "unit_price": line.unit_price,
                "total": line.total} for line in order.lines],
        shipping_address=dict(order.shipping_address or {}), total=Decimal(order.total),
    )


def _orders_named(ctx: Context, numbers: list[str]) -> tuple[list[Any], list[str]]:
    from shopadmin.orders import services as orders

    found, unknown = [], []
    for number in numbers:
        try:
            order = orders.get_order_by_number(ctx.access, number)
        except NotFound:
            unknown.append(number)
            continue
        if order.shop_id == ctx.shop.id:
            found.append(order)
        else:
            unknown.append(number)
    return found, unknown


def _open_orders(ctx: Context) -> list[Any]:
    from shopadmin.orders import services as orders

    query = orders.OrderQuery(customer_id=ctx.customer.id, shop=ctx.shop.code, state=",".join(OPEN_FOR_MAIL))
    return orders.list_orders(ctx.access, query, limit=5)


def _decide_and_act(ctx: Context) -> None:
    message, mail = ctx.message, ctx.mail
    numbers = nlu.find_order_numbers(mail.envelope.subject, mail.text)
    if not numbers:
        numbers = nlu.find_order_numbers(mail.full_text)  # a reply quoting our confirmation
    found, unknown = _orders_named(ctx, numbers)
    catalogue = catalogue_of(ctx.shop, ctx.access)
    inferred = False
    if ctx.customer is not None and not found and not unknown:
        open_orders = _open_orders(ctx)
        if len(open_orders) == 1:
            found, inferred = open_orders, True
        elif len(open_orders) > 1:
            message.result = {"open_orders": [o.number for o in open_orders]}
    order = found[0] if len(found) == 1 else None
    ctx.order = order
    message.order_id = order.id if order is not None else None
    view = order_view(order) if order is not None else None
    result = nlu.understand(mail.text, mail.envelope.subject, language=ctx.language, catalogue=catalogue,
                            order=view, order_numbers=numbers, attachments=mail.attachments)
    message.intents = result.intents
    message.changes = result.changes
    message.result = {**(message.result or {}), "order_numbers": numbers, "unknown_orders": unknown,
                      "order_inferred": inferred, "problems": result.problems, "forwarded": mail.is_forwarded}

    if ctx.customer is None:
        _finish(message, InboxStatus.UNMATCHED, "unknown_sender",
                "The sender is not a customer of this shop's sharing group.")
        return
    if "purchase_order" in result.intents:
        _draft_purchase_order(ctx, result)
        return
    if len(found) > 1:
        _finish(message, InboxStatus.REVIEW, "several_orders", "The mail names more than one order.")
        return
    if order is None:
        if unknown or not message.result.get("open_orders"):
            _finish(message, InboxStatus.UNMATCHED, "no_order", "No order of this customer could be found.")
        else:
            _finish(message, InboxStatus.REVIEW, "which_order", "The customer has several open orders.")
        return
    if order.customer_id != ctx.customer.id:
        # Never act for someone on another customer's order, whatever the mail says.
        _finish(message, InboxStatus.REVIEW, "not_order_customer", "The sender is not the order's customer.")
        return
    if not result.changes:
        _finish(message, InboxStatus.REVIEW, "not_understood", "No request was recognised.")
        return
    refusal = _why_not_automatic(ctx, result, order)
    if refusal is not None:
        _finish(message, InboxStatus.REVIEW, *refusal)
        return
    mark = _last_notification_id()
    try:
        with db.session.begin_nested():
            applied = apply_changes(ctx.access, order, result.changes, reason=f"email: inbox message {message.id}")
    except DomainError as exc:
        db.session.expire_all()
        _finish(message, InboxStatus.REVIEW, "not_applicable", exc.message)
        message.result = {**message.result, "error": {"code": exc.code, "message": exc.message}}
        return
    message.changes = applied
    ctx.order_mails = thread_order_mails(order.id, mark, message)
    _finish(message, InboxStatus.APPLIED)


def _why_not_automatic(ctx: Context, result: nlu.Understanding, order: Any) -> tuple[str, str] | None:
    """``None`` when the worker may apply the changes alone, else (reason, text)."""
    automation = automation_for(ctx.shop)
    if not automation.enabled:
        return "automation_off", "This shop applies no changes from mail automatically."
    if ctx.mail.is_forwarded:
        return "forwarded", "A forwarded mail: who wrote the request is not certain."
    if not result.is_clear:
        problems = result.problems + [c["problem"] for c in result.changes if c.get("problem")]
        return "unclear", "Not sure what is asked: " + ", ".join(dict.fromkeys(problems))
    not_allowed = [c["type"] for c in result.changes if c["type"] not in automation.intents]
    if not_allowed:
        return "intent_not_automatic", "Not applied automatically in this shop: " + ", ".join(not_allowed)
    if order.active_blocks > 0:
        return "blocked", "The order has an active block."
    if order.is_suspended:
        return "suspended", "The order is suspended."
    change = value_change(order, result.changes)
    if change > automation.max_value_change:
        return "over_limit", f"The change of value ({change}) is over the shop's limit ({automation.max_value_change})."
    return None


def value_change(order: Any, changes: list[dict[str, Any]]) -> Decimal:
    """How much the order's value moves (before tax), counted absolutely; a cancel counts it all."""
    lines = {line.sku: line for line in order.lines}
    total = Decimal("0")
    for change in changes:
        kind = change["type"]
        line = lines.get(change.get("sku", ""))
        if kind == "cancel":
            total += Decimal(order.total)
        elif kind == "quantity" and line is not None:
            total += abs(int(change["to"]) - line.quantity) * Decimal(line.unit_price)
        elif kind == "remove_item" and line is not None:
            total += Decimal(line.total)
        elif kind == "add_item":
            price = Decimal(line.unit_price) if line is not None else _price(order.shop_id, change["sku"])
            total += int(change.get("quantity") or 1) * price
    return total


def _price(shop_id: int, sku: str) -> Decimal:
    from shopadmin.catalogue import services as catalogue

    product = catalogue.products_by_sku(shop_id, [sku]).get(sku)
    return Decimal(product.price) if product is not None else Decimal("0")


# -- applying (the worker, or a supervisor approving) -----------------------------------------


def apply_changes(access: Access, order: Any, changes: list[dict[str, Any]], *, reason: str) -> list[dict[str, Any]]:
    """Carry out the changes through the orders services; raises their domain errors."""
    from shopadmin.orders import services as orders
    from shopadmin.orders import workflow

    applied: list[dict[str, Any]] = []
    edits: dict[str, Any] = {}
    quantities = {line.sku: line.quantity for line in order.lines}
    ids = {line.sku: line.id for line in order.lines}
    lines_touched = False
    for change in changes:
        kind = change.get("type")
        if kind == "shipping_address":
            if not isinstance(change.get("address"), dict):
                raise Invalid(_l("The new address is incomplete."), code="incomplete_address")
            edits["shipping_address"] = change["address"]
        elif kind == "quantity":
            sku = str(change.get("sku"))
            if sku not in quantities:
                raise Invalid(_l("%(sku)s is not on the order.", sku=sku), code="not_on_order")
            quantities[sku] = _positive(change.get("to"))
            lines_touched = True
        elif kind == "add_item":
            sku = str(change.get("sku"))
            quantities[sku] = quantities.get(sku, 0) + _positive(change.get("quantity", 1))
            lines_touched = True
        elif kind == "remove_item":
            sku = str(change.get("sku"))
            if sku not in quantities:
                raise Invalid(_l("%(sku)s is not on the order.", sku=sku), code="not_on_order")
            del quantities[sku]
            lines_touched = True
        elif kind in ("cancel", "confirm", "status", "purchase_order"):
            continue
        else:
            raise Invalid(_l("Unknown change %(kind)s.", kind=repr(kind)), code="unknown_change")
        applied.append({**change, "applied": True})
    if lines_touched:
        edits["lines"] = [orders.LineInput(sku=sku, quantity=qty, id=ids.get(sku)) for sku, qty in quantities.items()]
    if edits:
        orders.update_order(access, order, edits, reason=reason, expected_version=order.version)
    for change in changes:
        kind = change.get("type")
        if kind in ("cancel", "confirm"):
            event = "cancel" if kind == "cancel" else ("submit" if order.state in ("cart", "quote") else "confirm")
            outcome = orders.fire_event(access, order, event)
            workflow.raise_refusal(outcome)
            applied.append({**change, "event": event, "applied": True})
        elif kind == "status":
            applied.append({**change, "state": order.state, "applied": True})
    return applied


def _positive(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Invalid(_l("A quantity is a whole number of at least 1."), code="bad_quantity")
    return value


def _draft_purchase_order(ctx: Context, result: nlu.Understanding) -> None:
    """A purchase order becomes a cart for the customer, always for a person to check."""
    from shopadmin.orders import services as orders

    message = ctx.message
    po = next(c for c in result.changes if c["type"] == "purchase_order")
    if not po.get("lines"):
        _finish(message, InboxStatus.REVIEW, "purchase_order_unclear", "A purchase order without readable lines.")
        return
    lines = [orders.LineInput(sku=line["sku"], quantity=line["quantity"]) for line in po["lines"]]
    data = orders.OrderInput(shop=ctx.shop.code, customer_id=ctx.customer.id, channel="email", lines=lines,
                             cart=True, attributes={"inbox_message_id": message.id})
    try:
        with db.session.begin_nested():
            cart = orders.place_order(ctx.access, data)
    except DomainError as exc:
        db.session.expire_all()
        _finish(message, InboxStatus.REVIEW, "purchase_order_draft_failed", exc.message)
        return
    message.draft_order_id = cart.id
    message.order_id = cart.id
    ctx.order = cart
    _finish(message, InboxStatus.REVIEW, "purchase_order", "A new purchase order: check the draft order.")


# -- records and answers -----------------------------------------------------------------------


def _last_notification_id() -> int:
    from shopadmin.notifications.models import Notification

    db.session.flush()
    return int(db.session.scalar(sa.select(sa.func.max(Notification.id)).execution_options(all_shops=True)) or 0)


def thread_order_mails(order_id: int, since_id: int, message: InboxMessage) -> int:
    """The order's own customer mails the changes just produced (cancelled, confirmed...) go
    into the customer's thread; the worker then sends no reply of its own: one mail, not two.

    Returns how many there were (0: the worker's reply is the answer)."""
    from shopadmin.notifications.models import Notification, NotificationStatus

    db.session.flush()
    rows = db.session.scalars(sa.select(Notification).where(
        Notification.order_id == order_id, Notification.id > since_id, Notification.audience == "customer",
        Notification.status == NotificationStatus.QUEUED)).all()
    for row in rows:
        row.payload = {**(row.payload or {}), "in_reply_to": message.message_id, "inbox_message_id": message.id}
    return len(rows)


def summary(message: InboxMessage) -> list[str]:
    """One line per proposed change, in the current locale (the reader's on a screen)."""
    parts = []
    for change in message.changes or []:
        kind = change.get("type")
        if kind == "quantity":
            parts.append(f"{change.get('sku')}: {change.get('from')} -> {change.get('to')}")
        elif kind == "add_item":
            parts.append(f"+{change.get('quantity')} {change.get('sku')}")
        elif kind == "remove_item":
            parts.append(f"-{change.get('sku')}")
        elif kind == "shipping_address" and isinstance(change.get("address"), dict):
            a = change["address"]
            parts.append(_("address: %(address)s",
                           address=f"{a.get('name')}, {a.get('line1')}, {a.get('postcode')} {a.get('city')}"))
        elif kind == "purchase_order":
            lines = ", ".join(f"{x['quantity']} x {x['sku']}" for x in change.get("lines", []))
            parts.append(_("purchase order: %(lines)s", lines=lines))
        else:
            parts.append(label(kind, "inbox_change"))
    return parts


def _record_activity(ctx: Context) -> None:
    if ctx.customer is None:
        return
    from shopadmin.customers import activities
    from shopadmin.customers.models import ActivityKind

    message = ctx.message
    body = (f"Inbox message {message.id} ({message.message_id}): {message.status.value}"
            + (f" ({message.reason})" if message.reason else "") + "\n" + "\n".join(summary(message)))
    activities.record_event(ctx.access, ctx.customer, kind=ActivityKind.EMAIL,
                            subject=f"Email: {message.subject or '(no subject)'}"[:200], body=body,
                            shop_id=ctx.shop.id, order_id=message.order_id)


REPLY_EVENTS = {InboxStatus.APPLIED: "inbox_applied", InboxStatus.REVIEW: "inbox_review",
                InboxStatus.UNMATCHED: "inbox_unmatched"}


def _reply(ctx: Context) -> None:
    """Answer the sender in their language, threaded under their mail (never an automatic mail)."""
    message = ctx.message
    event = REPLY_EVENTS.get(message.status)
    sender = ctx.mail.envelope.sender
    if ctx.order_mails:
        return  # the order's own mail (threaded under theirs) is the answer
    if event is None or not sender or ctx.mail.is_automatic or sender == (ctx.shop.email or "").lower():
        return
    from shopadmin.notifications import services as notifications

    customer = ctx.customer
    who = {"id": customer.id if customer else None, "email": sender, "locale": ctx.language,
           "first_name": getattr(customer, "first_name", "") or "",
           "last_name": getattr(customer, "last_name", "") or ""}
    # Only the order's own customer hears about the order; a stranger learns nothing of it.
    order_ok = ctx.order is not None and customer is not None and ctx.order.customer_id == customer.id
    payload: dict[str, Any] = {
        "customer": who, "in_reply_to": message.message_id, "subject": message.subject,
        "changes": _changes_for(ctx) if order_ok else [], "reason": message.reason, "ref": f"inbox-{message.id}",
        "state": ctx.order.state if order_ok else None, "inbox_message_id": message.id,
    }
    try:
        notifications.queue_notifications(
            ctx.access, event=event, shop_id=ctx.shop.id, order_id=ctx.order.id if order_ok else None,
            customer_id=customer.id if customer is not None else None, payload=payload, to=sender,
        )
    except DomainError as exc:  # a reply that cannot be written must not undo the work
        log.warning("inbox message %s: no reply: %s", message.id, exc.message)


def _changes_for(ctx: Context) -> list[str]:
    """The change lines of a reply, in the language the reply is written in (English when
    the screens do not speak it): the payload is stored, so it is text, not lazy."""
    from shopadmin.config import SUPPORTED_LOCALES

    with force_locale(ctx.language if ctx.language in SUPPORTED_LOCALES else "en"):
        return summary(ctx.message)


# -- review ----------------------------------------------------------------------------------


def _pending(access: Access, message_id: int) -> InboxMessage:
    message = get_message(access, message_id, Permission.INBOX_REVIEW)
    if message.status is not InboxStatus.REVIEW or message.review_state is not ReviewState.PENDING:
        raise Conflict(_l("This message is not waiting for review."), code="not_in_review",
                       fields={"status": message.status.value})
    return message


def clean_changes(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > 100:
        raise Invalid(_l("Send a list of changes."), fields={"changes": [_l("A list of at most 100 changes.")]})
    for n, change in enumerate(value):
        if not isinstance(change, dict) or change.get("type") not in nlu.INTENTS:
            raise Invalid(_l("Each change has a known type."),
                          fields={f"changes.{n}": [_l("Use a type of: %(types)s.", types=", ".join(nlu.INTENTS))]})
    return [dict(c) for c in value]


def edit_changes(access: Access, message_id: int, changes: object, *, note: str | None = None) -> InboxMessage:
    """A supervisor corrects what the worker proposed (before approving)."""
    message = _pending(access, message_id)
    message.changes = clean_changes(changes)
    if note is not None:
        message.review_note = str(note)[:1000]
    audit.record(access, "inbox.edit", message, shop_id=message.shop_id)
    db.session.flush()
    return message


def edit_note(access: Access, message_id: int, note: str | None) -> InboxMessage:
    message = get_message(access, message_id, Permission.INBOX_REVIEW)
    message.review_note = (str(note)[:1000] if note else None)
    db.session.flush()
    return message


def approve(access: Access, message_id: int, *, changes: object = None, note: str | None = None,
            order_id: int | None = None, dry_run: bool = False) -> InboxMessage:
    """Apply the proposed (or edited) changes as the approving supervisor."""
    from shopadmin.orders import services as orders

    message = _pending(access, message_id)
    proposed = clean_changes(changes) if changes is not None else list(message.changes or [])
    target_id = order_id or message.order_id
    if target_id is None:
        raise Invalid(_l("Choose the order these changes are for."), fields={"order_id": [_l("Required.")]})
    order = orders.get_order(access, target_id, Permission.ORDER_EDIT, for_update=True)
    if order.shop_id != message.shop_id:
        raise NotFound(_l("No such order."))
    if dry_run:
        return message
    mark = _last_notification_id()
    if order.id == message.draft_order_id:
        from shopadmin.orders import workflow

        _sync_draft_lines(access, order, proposed, reason=f"email: inbox message {message.id}, approved")
        outcome = orders.fire_event(access, order, "submit")
        workflow.raise_refusal(outcome)
        applied = [{**c, "applied": True} for c in proposed]
    else:
        applied = apply_changes(access, order, [c for c in proposed if c.get("type") != "purchase_order"],
                                reason=f"email: inbox message {message.id}, approved")
    message.changes = applied
    message.order_id = order.id
    thread_order_mails(order.id, mark, message)
    message.review_state = ReviewState.APPROVED
    message.reviewed_by_id = access.user_id
    message.reviewed_at = utcnow()
    message.applied_at = message.reviewed_at
    if note is not None:
        message.review_note = str(note)[:1000]
    audit.record(access, "inbox.approve", message, shop_id=message.shop_id, order_id=order.id)
    db.session.flush()
    return message


def _sync_draft_lines(access: Access, cart: Any, proposed: list[dict[str, Any]], *, reason: str) -> None:
    """A supervisor may have edited the purchase order's lines: the draft cart takes them."""
    from shopadmin.orders import services as orders

    po = next((c for c in proposed if c.get("type") == "purchase_order"), None)
    if po is None or not isinstance(po.get("lines"), list):
        return
    wanted: dict[str, int] = {}
    for n, line in enumerate(po["lines"]):
        if not isinstance(line, dict) or not isinstance(line.get("sku"), str):
            raise Invalid(_l("Each purchase-order line has a SKU and a quantity."),
                          fields={f"changes.lines.{n}": [_l("Give sku and quantity.")]})
        wanted[line["sku"]] = wanted.get(line["sku"], 0) + _positive(line.get("quantity"))
    if not wanted:
        raise Invalid(_l("A purchase order needs at least one line."), fields={"changes": [_l("No lines.")]})
    if wanted == {line.sku: line.quantity for line in cart.lines}:
        return
    ids = {line.sku: line.id for line in cart.lines}
    lines = [orders.LineInput(sku=sku, quantity=qty, id=ids.get(sku)) for sku, qty in wanted.items()]
    orders.update_order(access, cart, {"lines": lines}, reason=reason, expected_version=cart.version)


def reject(access: Access, message_id: int, *, note: str | None = None, dry_run: bool = False) -> InboxMessage:
    """Nothing is applied. A draft cart made from the mail (a purchase order) is discarded
    through the orders state machine (``void``: recorded in its history, no mail to the
    customer); one that staff already took further (no longer a cart) is left alone."""
    message = _pending(access, message_id)
    if dry_run:
        return message
    if message.draft_order_id is not None:
        from shopadmin.orders import services as orders
        from shopadmin.orders import workflow

        cart = orders.get_order(access, message.draft_order_id, Permission.ORDER_EDIT, for_update=True)
        if cart.state == "cart":
            workflow.raise_refusal(orders.fire_event(access, cart, "void"))
            message.result = {**(message.result or {}), "draft_discarded": cart.id}
    message.review_state = ReviewState.REJECTED
    message.reviewed_by_id = access.user_id
    message.reviewed_at = utcnow()
    if note is not None:
        message.review_note = str(note)[:1000]
    audit.record(access, "inbox.reject", message, shop_id=message.shop_id)
    db.session.flush()
    return message


# -- KPIs ------------------------------------------------------------------------------------


def kpis(access: Access, *, shop_id: int | None = None, since: datetime | None = None) -> dict[str, Any]:
    """Share handled automatically; time from mail to change (all, ``automatic``: applied by
    the worker alone, ``reviewed``: approved by a supervisor); review queue size and age."""
    if not access.can_anywhere(Permission.INBOX_VIEW):
        raise Forbidden(_l("Your role does not allow this."))
    since = since or utcnow() - timedelta(days=30)
    where = [InboxMessage.received_at >= since]
    allowed = access.shops_allowing(Permission.INBOX_VIEW)
    if allowed is not None:
        where.append(InboxMessage.shop_id.in_(sorted(allowed)))
    if shop_id is not None:
        where.append(InboxMessage.shop_id == shop_id)
    counts = dict(db.session.execute(
        sa.select(InboxMessage.status, sa.func.count()).where(*where).group_by(InboxMessage.status)).all())
    by_status = {status.value: int(counts.get(status, 0)) for status in InboxStatus}
    handled = by_status["applied"] + by_status["review"] + by_status["unmatched"]
    # Every change made from mail: by the worker alone (no review) or approved in review.
    auto: list[float] = []
    reviewed: list[float] = []
    for received, applied, review_state in db.session.execute(
            sa.select(InboxMessage.received_at, InboxMessage.applied_at, InboxMessage.review_state)
            .where(*where, InboxMessage.applied_at.is_not(None)).limit(10_000)):
        if applied is not None:
            (reviewed if review_state is ReviewState.APPROVED else auto).append((applied - received).total_seconds())
    queue_where = [*where[1:], InboxMessage.status == InboxStatus.REVIEW,
                   InboxMessage.review_state == ReviewState.PENDING]
    size, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(InboxMessage.received_at)).where(*queue_where)).one()
    now = utcnow()
    return {
        "since": since.isoformat(),
        "messages": sum(by_status.values()),
        "by_status": by_status,
        "automatic_share": round(by_status["applied"] / handled, 4) if handled else None,
        "time_to_change_seconds": {
            **_spread(auto + reviewed), "automatic": _spread(auto), "reviewed": _spread(reviewed),
        },
        "review_queue": {"size": int(size or 0),
                         "oldest_age_seconds": round((now - oldest).total_seconds(), 1) if oldest else None},
    }


def _spread(values: list[float]) -> dict[str, Any]:
    return {"median": _percentile(values, 0.5), "p90": _percentile(values, 0.9), "count": len(values)}


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))], 3)


def unprocessed_ids(*, older_than: timedelta = timedelta(seconds=30), limit: int = 500) -> list[int]:
    """Stored but not processed (a crash, Redis or the database away): for the sweep."""
    return list(db.session.scalars(
        sa.select(InboxMessage.id).where(InboxMessage.status == InboxStatus.RECEIVED,
                                         InboxMessage.received_at < utcnow() - older_than)
        .order_by(InboxMessage.id).limit(limit).execution_options(all_shops=True)))
