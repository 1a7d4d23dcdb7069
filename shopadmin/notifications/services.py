"""Notifications: writing the outbox, reading it, retrying, templates and settings.

``request_notification`` is what other domains call: it writes one outbox row per
recipient in the caller's transaction (a rolled-back change sends nothing) and enqueues
delivery after the commit. Plain functions: they check access, flush, never commit.

Errors: ``NotFound`` outside the caller's scope, ``Forbidden`` beyond the role,
``Invalid`` for bad input (an unknown event, a template that does not parse or tries to
reach internals), ``Conflict`` for an action the state does not allow.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from shopadmin.core import audit
from shopadmin.core.access import Access, Permission, Role
from shopadmin.core.errors import Conflict, Forbidden, Invalid, NotFound
from shopadmin.core.jobs import enqueue
from shopadmin.core.validation import clean_email, clean_locale, clean_text
from shopadmin.extensions import db
from shopadmin.notifications import rendering
from shopadmin.notifications.clock import now
from shopadmin.notifications.events import EVENTS, Audience, CustomerPolicy, EventSpec
from shopadmin.notifications.models import (
    Notification,
    NotificationSettings,
    NotificationStatus,
    NotificationTemplate,
)
from shopadmin.notifications.sources import CustomerInfo, OrderInfo, load_customer, load_order
from shopadmin.tenants.models import Shop

log = logging.getLogger(__name__)

MAIL_QUEUE = "mail"


@dataclass(frozen=True)
class Recipient:
    audience: Audience
    email: str
    locale: str
    user_id: int | None = None


# -- requesting notifications (called by other domains) ----------------------------------


def request_notification(
    access: Access,
    *,
    event: str,
    shop_id: int,
    order_id: int | None = None,
    customer_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Write the outbox rows for ``event`` (one per recipient); deliver after commit.

    ``payload`` is handed to the templates (plain JSON values). It may carry what the
    caller already knows: ``order`` / ``customer`` dicts (else read through their
    services), ``notify_customer`` (the order's one-time override of the customer's
    preference: it governs only confirmation-type mails, order placed/confirmed, as the
    event table's ``customer_policy`` says; shipped, cancelled and payment mails always
    reach the customer, a comment's mail is requested only when the comment asks for it), ``operator_id``
    (the assisting operator, who gets a copy of the customer's mails) and ``ref`` (what
    makes this request distinct, e.g. a payment or delivery id: the same event, order,
    recipient and ref is written once).

    Raises ``Invalid`` for an unknown event, ``NotFound`` for a shop outside the scope.
    """
    queue_notifications(access, event=event, shop_id=shop_id, order_id=order_id, customer_id=customer_id,
                        payload=payload)


def queue_notifications(
    access: Access,
    *,
    event: str,
    shop_id: int,
    order_id: int | None = None,
    customer_id: int | None = None,
    payload: dict[str, Any] | None = None,
    only: Sequence[Audience] | None = None,
    content: rendering.TemplateSource | None = None,
    to: str | None = None,
) -> list[Notification]:
    """``request_notification`` returning the rows (``content`` replaces the template, ``to`` the recipients)."""
    spec = EVENTS.get(event)
    if spec is None:
        raise Invalid(_l("Unknown notification event '%(event)s'.", event=event),
                      fields={"event": [_l("Unknown event.")]})
    if not access.sees(shop_id):
        raise NotFound(_l("No such shop."))
    shop = _shop(shop_id)
    payload = dict(payload or {})
    order = load_order(access, order_id, payload.pop("order", None))
    if customer_id is None and order is not None:
        customer_id = order.customer_id
    customer = load_customer(access, customer_id, payload.pop("customer", None))
    currency = (order.currency if order else None) or shop.currency
    if to is not None:
        recipients = [Recipient(Audience.CUSTOMER, clean_email(to, "to"),
                                (customer.locale if customer else None) or shop.locale)]
    else:
        recipients = resolve_recipients(spec, shop, order, customer, payload, only=only)
    rows: list[Notification] = []
    keys = {id(r): _dedupe_key(event, spec, shop_id, order_id, customer_id, r, payload.get("ref")) for r in recipients}
    existing = set(db.session.scalars(
        sa.select(Notification.dedupe_key).where(Notification.dedupe_key.in_(list(keys.values())))
        .execution_options(all_shops=True)
    ))
    # One template query for every recipient's locales (a capture mails the customer and staff).
    chains = {r.locale: rendering.locale_chain(r.locale, shop.locale) for r in recipients}
    custom = {} if content is not None else _custom_templates(
        shop_id, event, {locale for chain in chains.values() for locale in chain})
    for recipient in recipients:
        key = keys[id(recipient)]
        if key in existing:
            continue
        existing.add(key)
        context = mail_context(event, shop, order, customer, payload, recipient.locale, currency)
        chain = chains[recipient.locale]
        mail, locale = _render_for(shop, event, chain, context, content or _pick_source(custom, event, chain),
                                   fallback=content is None)
        row = Notification(
            shop_id=shop_id, event=event, audience=recipient.audience.value, recipient=recipient.email,
            recipient_user_id=recipient.user_id, order_id=order.id if order else order_id,
            customer_id=customer.id if customer else customer_id, locale=locale, subject=mail.subject,
            body_text=mail.text, body_html=mail.html or None, payload=_json_safe(payload),
            status=NotificationStatus.QUEUED, dedupe_key=key, requested_by=access.actor,
            created_at=now(), next_attempt_at=now(), dispatched_at=now(),
        )
        db.session.add(row)
        rows.append(row)
    if rows:
        db.session.flush()
        for row in rows:
            schedule_delivery(row.id)
    return rows


def schedule_delivery(notification_id: int, *, delay: timedelta | None = None) -> None:
    """Deliver after the current transaction commits (RQ, or in-process without Redis)."""
    from shopadmin.notifications.jobs import deliver

    enqueue(deliver, notification_id, queue=MAIL_QUEUE, delay=delay)


def _shop(shop_id: int) -> Shop:
    # Callers checked ``access.sees(shop_id)``; the shop is usually in the session already.
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound(_l("No such shop."))
    return shop


def shop_code(shop_id: int) -> str:
    """A shop's code for the screens (the caller sees the row the id came from)."""
    return str(db.session.scalar(sa.select(Shop.code).where(Shop.id == shop_id)) or shop_id)


def _json_safe(payload: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(payload, default=str)))


def _dedupe_key(event: str, spec: EventSpec, shop_id: int, order_id: int | None, customer_id: int | None,
                recipient: Recipient, ref: Any) -> str:
    if ref is None and not (spec.once_per_order and order_id is not None):
        ref = uuid.uuid4().hex
    parts = [event, str(shop_id), str(order_id), str(customer_id), recipient.audience.value,
             recipient.email.lower(), str(ref or "")]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def settings_for(shop_id: int) -> NotificationSettings:
    found = db.session.scalars(
        sa.select(NotificationSettings).where(NotificationSettings.shop_id == shop_id).execution_options(all_shops=True)
    ).one_or_none()
    return found or NotificationSettings(shop_id=shop_id, reminder_days=[2, 5], escalate_after_days=7,
                                         retention_days=None, fulfilment_addresses={})


def _customer_wanted(spec: EventSpec, order: OrderInfo | None, customer: CustomerInfo | None,
                     payload: dict[str, Any]) -> bool:
    """The event table's customer policy; see ``events.CustomerPolicy``."""
    if customer is None or not customer.email:
        return False
    if spec.customer_policy is not CustomerPolicy.CONFIRMATION:
        return True
    # The order's one-time override, as the caller passes it (or as the order carries it).
    override = payload.get("notify_customer")
    if override is None and order is not None:
        override = order.notify_customer
    if override is not None:
        return bool(override)
    return customer.wants_confirmations is not False


def _staff_recipients(shop: Shop, role: Role) -> list[Recipient]:
    from shopadmin.staff.models import Membership, User

    shop_ids = [shop.id] + ([shop.master_id] if shop.master_id else [])
    rows = db.session.execute(
        sa.select(User.id, User.email, User.locale, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.shop_id.in_(shop_ids), User.active.is_(True))
        .order_by(User.id)
        # Who works on the shop is a platform lookup: a CSR's change still reaches the supervisors.
        .execution_options(all_shops=True)
    ).all()
    seen: dict[int, Recipient] = {}
    for user_id, email, locale, member_role in rows:
        if Role(member_role) >= role and user_id not in seen:
            seen[user_id] = Recipient(Audience.STAFF, email, locale or shop.locale, user_id)
    return list(seen.values())


def _user_recipient(user_id: int, audience: Audience, locale: str) -> Recipient | None:
    from shopadmin.staff.models import User

    user = db.session.get(User, user_id)
    return Recipient(audience, user.email, locale, user.id) if user is not None and user.active else None


def resolve_recipients(spec: EventSpec, shop: Shop, order: OrderInfo | None, customer: CustomerInfo | None,
                       payload: dict[str, Any], *, only: Sequence[Audience] | None = None) -> list[Recipient]:
    """Who receives ``spec``'s mail for this shop, order and customer (the event table decides)."""
    recipients: list[Recipient] = []
    customer_locale = (customer.locale if customer else None) or shop.locale
    customer_gets_it = _customer_wanted(spec, order, customer, payload)
    for rule in spec.rules:
        if only is not None and rule.audience not in only:
            continue
        if rule.audience is Audience.CUSTOMER and customer_gets_it and customer and customer.email:
            recipients.append(Recipient(Audience.CUSTOMER, customer.email, customer_locale))
        elif rule.audience is Audience.OPERATOR and customer_gets_it:
            operator_id = payload.get("operator_id") or (order.operator_id if order else None)
            if operator_id:
                copy = _user_recipient(int(operator_id), Audience.OPERATOR, customer_locale)
                if copy is not None:
                    recipients.append(copy)
        elif rule.audience is Audience.STAFF and rule.role is not None:
            recipients.extend(_staff_recipients(shop, rule.role))
        elif rule.audience is Audience.FULFILMENT:
            addresses = settings_for(shop.id).fulfilment_addresses or {}
            wanted = (order.warehouses if order else []) or sorted(addresses)
            for warehouse in wanted:
                if addresses.get(warehouse):
                    recipients.append(Recipient(Audience.FULFILMENT, addresses[warehouse], shop.locale))
    unique: dict[tuple[str, str], Recipient] = {}
    for recipient in recipients:
        unique.setdefault((recipient.audience.value, recipient.email.lower()), recipient)
    return list(unique.values())


def mail_context(event: str, shop: Shop, order: OrderInfo | None, customer: CustomerInfo | None,
                 payload: dict[str, Any], locale: str, currency: str) -> dict[str, Any]:
    """What templates see: plain values only."""
    return {
        "event": event,
        "locale": locale,
        "currency": currency,
        "shop": {"code": shop.code, "name": shop.name, "email": shop.email},
        "order": order.as_context() if order else {},
        "customer": customer.as_context() if customer else {},
        "payload": _json_safe({k: v for k, v in payload.items() if k not in {"order", "customer"}}),
    }


def template_source(shop_id: int, event: str, locales: Sequence[str]) -> rendering.TemplateSource | None:
    """The shop's own template in the first locale that has one, else the shipped default."""
    return _pick_source(_custom_templates(shop_id, event, locales), event, locales)


def _custom_templates(shop_id: int, event: str, locales: Iterable[str]) -> dict[str, NotificationTemplate]:
    """The shop's own templates for ``event`` in these locales, by locale (one query)."""
    return {
        t.locale: t for t in db.session.scalars(
            sa.select(NotificationTemplate).where(
                NotificationTemplate.shop_id == shop_id, NotificationTemplate.event == event,
                NotificationTemplate.locale.in_(sorted(set(locales))),
            ).execution_options(all_shops=True)
        )
    }


def _pick_source(custom: dict[str, NotificationTemplate], event: str,
                 locales: Sequence[str]) -> rendering.TemplateSource | None:
    for locale in locales:
        if locale in custom:
            t = custom[locale]
            return rendering.TemplateSource(t.subject, t.body_text, t.body_html, locale, False)
        default = rendering.default_source(event, locale)
        if default is not None:
            return default
    return None


def _render_for(shop: Shop, event: str, chain: Sequence[str], context: dict[str, Any],
                source: rendering.TemplateSource | None, *, fallback: bool = True
                ) -> tuple[rendering.MailContent, str]:
    """Render ``source`` (chosen along ``chain``); a shop template that fails falls back to the
    default unless ``fallback`` is off (content the caller handed in must render as given)."""
    if source is None:
        raise Invalid(_l("No template for event '%(event)s'.", event=event), code="template_missing")
    context = {**context, "locale": source.locale}
    try:
        return rendering.render(source, context), source.locale
    except Invalid:
        if source.is_default or not fallback:
            raise
        log.warning("shop %s template %s/%s failed to render; using the default", shop.id, event, source.locale)
    for candidate in chain:
        default = rendering.default_source(event, candidate)
        if default is not None:
            return rendering.render(default, {**context, "locale": candidate}), candidate
    raise Invalid(_l("No template for event '%(event)s'.", event=event), code="template_missing")


# -- reading the outbox --------------------------------------------------------------------


def list_notifications(
    access: Access,
    *,
    order_id: int | None = None,
    customer_id: int | None = None,
    status: str | None = None,
    shop_id: int | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[Notification]:
    """The notifications of the shops where the caller may view them, oldest first."""
    stmt = sa.select(Notification).order_by(Notification.id)
    allowed = access.shops_allowing(Permission.NOTIFICATION_VIEW)
    if allowed is not None:
        stmt = stmt.where(Notification.shop_id.in_(sorted(allowed)))
    if shop_id is not None:
        stmt = stmt.where(Notification.shop_id == shop_id)
    if order_id is not None:
        stmt = stmt.where(Notification.order_id == order_id)
    if customer_id is not None:
        stmt = stmt.where(Notification.customer_id == customer_id)
    if status is not None:
        try:
            stmt = stmt.where(Notification.status == NotificationStatus(status))
        except ValueError:
            raise Invalid(_l("Unknown status."), fields={"status": [_l("Use queued, sent or failed.")]}) from None
    if after_id is not None:
        stmt = stmt.where(Notification.id > after_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def get_notification(access: Access, notification_id: int) -> Notification:
    """``NotFound`` outside the scope, ``Forbidden`` below the role."""
    row = db.session.scalars(sa.select(Notification).where(Notification.id == notification_id)).one_or_none()
    if row is None:
        raise NotFound(_l("No such notification."))
    access.require(Permission.NOTIFICATION_VIEW, row.shop_id)
    return row


def retry_notification(access: Access, notification_id: int) -> Notification:
    """Queue a failed (or stuck) notification again and close its alert. ``Conflict`` once sent."""
    row = get_notification(access, notification_id)
    access.require(Permission.NOTIFICATION_RETRY, row.shop_id)
    if row.status is NotificationStatus.SENT:
        raise Conflict(_l("This notification was sent already."), code="already_sent")
    if row.body_text is None and row.body_html is None:
        raise Conflict(_l("The body of this notification was deleted (retention)."), code="purged")
    row.status = NotificationStatus.QUEUED
    row.is_alert_open = False
    row.next_attempt_at = now()
    row.dispatched_at = now()
    row.attempts = 0
    db.session.flush()
    audit.record(access, "notification.retry", row, shop_id=row.shop_id)
    schedule_delivery(row.id)
    return row


def dismiss_alert(access: Access, notification_id: int) -> Notification:
    row = get_notification(access, notification_id)
    access.require(Permission.NOTIFICATION_RETRY, row.shop_id)
    row.is_alert_open = False
    db.session.flush()
    audit.record(access, "notification.dismiss_alert", row, shop_id=row.shop_id)
    return row


# -- templates -----------------------------------------------------------------------------


def clean_event(event: str) -> str:
    if event not in EVENTS:
        raise Invalid(_l("Unknown event."), fields={"event": [_l("Unknown event.")]})
    return event


def sample_context(shop: Shop, locale: str) -> dict[str, Any]:
    order = OrderInfo(id=0, number="SAMPLE-1001", currency=shop.currency, state="placed",
                      totals={"subtotal": "100.00", "tax": "19.00", "charges": "4.90", "total": "123.90"},
                      lines=[{"sku": "SKU-1", "name": "Sample product", "quantity": 2, "unit_price": "50.00",
                              "total": "100.00"}])
    customer = CustomerInfo(id=0, email="customer@example.com", locale=locale, first_name="Alex", last_name="Sample")
    return mail_context("sample", shop, order, customer, {"ref": "sample", "comment": "Sample comment"},
                        locale, shop.currency)


def save_template(access: Access, shop_id: int, *, event: str, locale: str, subject: str, body_text: str,
                  body_html: str = "") -> NotificationTemplate:
    """Create or replace the shop's template. ``Invalid`` when it does not parse or render safely."""
    access.require(Permission.TEMPLATE_MANAGE, shop_id)
    event = clean_event(event)
    locale = clean_locale(locale)
    subject = clean_text(subject, "subject", max_length=300)
    body_text = clean_text(body_text, "body_text", max_length=100_000)
    body_html = clean_text(body_html, "body_html", max_length=200_000, required=False)
    source = rendering.TemplateSource(subject, body_text, body_html, locale, False)
    rendering.check_syntax(source)
    rendering.render(source, sample_context(_shop(shop_id), locale))
    template = db.session.scalars(
        sa.select(NotificationTemplate).where(NotificationTemplate.shop_id == shop_id,
                                              NotificationTemplate.event == event,
                                              NotificationTemplate.locale == locale)
    ).one_or_none()
    if template is None:
        template = NotificationTemplate(shop_id=shop_id, event=event, locale=locale)
        db.session.add(template)
    template.subject, template.body_text, template.body_html = subject, body_text, body_html
    template.updated_by = access.actor
    db.session.flush()
    audit.record(access, "notification_template.save", template, shop_id=shop_id, event=event, locale=locale)
    return template


def delete_template(access: Access, template: NotificationTemplate) -> None:
    access.require(Permission.TEMPLATE_MANAGE, template.shop_id)
    audit.record(access, "notification_template.delete", template, shop_id=template.shop_id)
    db.session.delete(template)
    db.session.flush()


def preview(access: Access, shop_id: int, *, event: str, locale: str, source: rendering.TemplateSource | None = None,
            order_id: int | None = None, customer_id: int | None = None) -> rendering.MailContent:
    """Render ``source`` (or the current template) on a real order or customer, or on sample data.

    ``NotFound`` for an order or customer outside the scope, ``Invalid`` for a template
    that does not parse or render safely (the fields name where).
    """
    access.require(Permission.NOTIFICATION_VIEW, shop_id)
    shop = _shop(shop_id)
    event = clean_event(event)
    chain = rendering.locale_chain(locale, shop.locale)
    source = source or template_source(shop_id, event, chain)
    if source is None:
        raise Invalid(_l("No template for this event."), code="template_missing")
    rendering.check_syntax(source)
    if order_id is not None or customer_id is not None:
        order = load_order(access, order_id)
        if order is not None and order.id is not None:
            _order_in_shop(access, order.id, shop_id)
        customer = load_customer(access, order.customer_id if order else customer_id)
        context = mail_context(event, shop, order, customer, {}, source.locale,
                               (order.currency if order else None) or shop.currency)
    else:
        context = sample_context(shop, source.locale)
    return rendering.render(source, {**context, "locale": source.locale})


def send_test(access: Access, shop_id: int, *, event: str, locale: str, to: str,
              source: rendering.TemplateSource | None = None, order_id: int | None = None) -> Notification:
    """Send one rendered template to ``to`` through the outbox (manager and up)."""
    access.require(Permission.TEMPLATE_MANAGE, shop_id)
    mail = preview(access, shop_id, event=event, locale=locale, source=source, order_id=order_id)
    fixed = rendering.TemplateSource(mail.subject, mail.text, mail.html, locale, False)
    # The content is already rendered: escape nothing twice, just send it as is.
    rows = queue_notifications(access, event=event, shop_id=shop_id, payload={"test": True},
                               content=_literal(fixed), to=to,
                               order_id=None, customer_id=None)
    return rows[0]


def _literal(source: rendering.TemplateSource) -> rendering.TemplateSource:
    def raw(text: str) -> str:
        return "{% raw %}" + text.replace("{% endraw %}", "") + "{% endraw %}" if text else ""

    return rendering.TemplateSource(raw(source.subject), raw(source.text), raw(source.html), source.locale, False)


def send_custom(access: Access, shop_id: int, *, subject: str, body_text: str, body_html: str = "",
                order_id: int | None = None, customer_id: int | None = None, locale: str | None = None,
                to: str | None = None) -> Notification:
    """Staff write to a customer (regarding an order or not) from a template they edited."""
    access.require(Permission.NOTIFICATION_SEND, shop_id)
    source = rendering.TemplateSource(clean_text(subject, "subject", max_length=300),
                                      clean_text(body_text, "body_text", max_length=100_000),
                                      body_html or "", locale or "en", False)
    rendering.check_syntax(source)
    rows = queue_notifications(access, event="custom", shop_id=shop_id, order_id=order_id, customer_id=customer_id,
                               content=source, to=to, payload={"ref": uuid.uuid4().hex, "notify_customer": True})
    if not rows:
        raise Invalid(_l("This mail has no recipient."), fields={"to": [_l("No address to send to.")]})
    audit.record(access, "notification.send_custom", rows[0], shop_id=shop_id, order_id=order_id)
    return rows[0]


def resend_order_confirmation(access: Access, shop_id: int, order_id: int) -> list[Notification]:
    """The order confirmation once more, to the customer only (the preference was asked for)."""
    access.require(Permission.NOTIFICATION_SEND, shop_id)
    return queue_notifications(access, event="order_confirmed", shop_id=shop_id, order_id=order_id,
                               payload={"ref": f"resend-{uuid.uuid4().hex}", "notify_customer": True},
                               only=[Audience.CUSTOMER])


# -- settings ------------------------------------------------------------------------------


def update_settings(access: Access, shop_id: int, *, reminder_days: list[int] | None = None,
                    escalate_after_days: int | None = None, retention_days: int | None = None,
                    fulfilment_addresses: dict[str, str] | None = None) -> NotificationSettings:
    access.require(Permission.SHOP_SETTINGS, shop_id)
    settings = db.session.scalars(
        sa.select(NotificationSettings).where(NotificationSettings.shop_id == shop_id)
    ).one_or_none()
    if settings is None:
        settings = settings_for(shop_id)
        db.session.add(settings)
    if reminder_days is not None:
        if any(not isinstance(d, int) or d < 1 for d in reminder_days):
            raise Invalid(_l("Reminder days are positive whole numbers."), fields={"reminder_days": [_l("Invalid.")]})
        settings.reminder_days = sorted(set(reminder_days))
    if escalate_after_days is not None:
        settings.escalate_after_days = escalate_after_days
    if retention_days is not None:
        settings.retention_days = retention_days or None
    if fulfilment_addresses is not None:
        settings.fulfilment_addresses = {code: clean_email(email, f"fulfilment_addresses.{code}")
                                         for code, email in fulfilment_addresses.items()}
    db.session.flush()
    audit.record(access, "notification_settings.update", settings, shop_id=shop_id)
    return settings


# -- writing from the screens and the API -----------------------------------------------------


def _order_in_shop(access: Access, order_id: int, shop_id: int) -> None:
    if order_shop_id(access, order_id) != shop_id:
        raise Invalid(_l("This order belongs to another shop."),
                      fields={"order_id": [_l("Not an order of this shop.")]})


def order_shop_id(access: Access, order_id: int) -> int:
    """The shop of an order the caller can see; ``NotFound`` otherwise."""
    from shopadmin.orders.services import get_order

    return int(get_order(access, order_id).shop_id)


def customer_send_shop_ids(access: Access, customer_id: int) -> list[int]:
    """The shops from which the caller may write to this customer (``NotFound`` outside the scope)."""
    from shopadmin.customers.services import get_customer, group_shop_ids

    customer = get_customer(access, customer_id)
    return [shop_id for shop_id in group_shop_ids(customer) if access.can(Permission.NOTIFICATION_SEND, shop_id)]


def starting_template(access: Access, shop_id: int, *, event: str, locale: str) -> rendering.TemplateSource:
    """The template staff start from (the shop's own, else the shipped default), to copy and edit."""
    access.require(Permission.NOTIFICATION_VIEW, shop_id)
    event = clean_event(event)
    source = template_source(shop_id, event, rendering.locale_chain(locale, _shop(shop_id).locale))
    if source is None:
        raise Invalid(_l("No template for this event."), code="template_missing")
    return source


def send_order_email(access: Access, order_id: int, *, subject: str, body_text: str, body_html: str = "",
                     to: str | None = None) -> Notification:
    """Staff write to the order's customer, regarding the order (the text is a template).

    ``NotFound`` outside the scope, ``Forbidden`` below the role, ``Invalid`` for a text
    that does not parse or render, or an order whose customer has no address.
    """
    shop_id = order_shop_id(access, order_id)
    info = load_order(access, order_id)
    customer = load_customer(access, info.customer_id if info else None)
    return send_custom(access, shop_id, subject=subject, body_text=body_text, body_html=body_html,
                       order_id=order_id, customer_id=customer.id if customer else None,
                       locale=(customer.locale if customer else None) or _shop(shop_id).locale, to=to)


def send_customer_email(access: Access, customer_id: int, *, subject: str, body_text: str, body_html: str = "",
                        shop_id: int | None = None, order_id: int | None = None) -> Notification:
    """Staff write to a customer from one of the shops sharing it (optionally regarding an order).

    ``NotFound`` outside the scope, ``Forbidden`` below the role, ``Invalid`` for a shop
    outside the customer's group or a text that does not render.
    """
    shops = customer_send_shop_ids(access, customer_id)
    if order_id is not None:
        order_shop = order_shop_id(access, order_id)
        info = load_order(access, order_id)
        if info is None or info.customer_id != customer_id:
            raise Invalid(_l("This order is not the customer's."),
                          fields={"order_id": [_l("Not this customer's order.")]})
        shop_id = shop_id or order_shop
    if shop_id is None:
        if not shops:
            raise Forbidden(_l("Your role does not allow this."),
                            fields={"permission": str(Permission.NOTIFICATION_SEND)})
        shop_id = shops[0]
    elif shop_id not in shops:
        if not access.sees(shop_id):
            raise NotFound(_l("No such shop."))
        access.require(Permission.NOTIFICATION_SEND, shop_id)
        raise Invalid(_l("This shop does not share this customer."),
                      fields={"shop": [_l("Not a shop of this customer.")]})
    customer = load_customer(access, customer_id)
    return send_custom(access, shop_id, subject=subject, body_text=body_text, body_html=body_html,
                       order_id=order_id, customer_id=customer_id,
                       locale=(customer.locale if customer else None) or _shop(shop_id).locale)


def resend_confirmation_for_order(access: Access, order_id: int) -> list[Notification]:
    """``resend_order_confirmation`` for an order the caller can see (``NotFound`` otherwise)."""
    return resend_order_confirmation(access, order_shop_id(access, order_id), order_id)


def get_template(access: Access, template_id: int) -> NotificationTemplate:
    """A shop's template (``NotFound`` outside the scope, ``Forbidden`` below manager)."""
    template = db.session.scalars(
        sa.select(NotificationTemplate).where(NotificationTemplate.id == template_id)
    ).one_or_none()
    if template is None:
        raise NotFound(_l("No such template."))
    access.require(Permission.TEMPLATE_MANAGE, template.shop_id)
    return template


def get_settings(access: Access, shop_id: int) -> NotificationSettings:
    """The shop's notification settings (defaults when never saved); ``NotFound`` outside the scope."""
    if not access.sees(shop_id):
        raise NotFound(_l("No such shop."))
    access.require(Permission.SHOP_SETTINGS, shop_id)
    return settings_for(shop_id)
