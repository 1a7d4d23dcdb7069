"""The customer timeline (notes, calls, emails, system events), alerts and the per-shop
code lists and custom attribute definitions.

Plain functions: they check access, flush, and never commit. They raise ``NotFound``
outside the caller's scope, ``Forbidden`` beyond the role, ``Invalid`` for bad input.
Other domains write into the timeline with ``record_event``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from shopadmin.core import audit
from shopadmin.core.access import Access, Permission
from shopadmin.core.db import utcnow
from shopadmin.core.errors import Conflict, NotFound
from shopadmin.core.validation import clean_code, clean_text, invalid
from shopadmin.customers.models import (
    ActivityCode,
    ActivityKind,
    AttributeDefinition,
    AttributeType,
    CodeKind,
    Customer,
    CustomerActivity,
    CustomerAlert,
)
from shopadmin.customers.services import ATTRIBUTE_NAME_RE, MAX_NOTES, acting_shop_id
from shopadmin.extensions import db
from shopadmin.tenants.models import Shop

MAX_SUBJECT = 200
MAX_ALERT = 1000

def N_(text: str) -> str:  # noqa: N802 - Babel's marker for strings translated later
    return text


def translated(text: str) -> str:
    """Screens show the default labels in the user's language; jobs and the CLI in English."""
    return gettext(text) if has_request_context() else text


# Used by a shop until its manager edits the list (then the shop's own rows apply).
DEFAULT_CODES: dict[CodeKind, list[tuple[str, str]]] = {
    CodeKind.ACTIVITY: [
        ("general", N_("General")),
        ("order_inquiry", N_("Order inquiry")),
        ("complaint", N_("Complaint")),
        ("return", N_("Return")),
        ("delivery", N_("Delivery")),
    ],
    CodeKind.RESULT: [
        ("satisfied", N_("Satisfied")),
        ("not_satisfied", N_("Not satisfied")),
        ("no_answer", N_("No answer")),
        ("left_message", N_("Left message")),
    ],
}

STAFF_KINDS = (ActivityKind.NOTE, ActivityKind.CALL)


@dataclass(frozen=True)
class Code:
    code: str
    label: str


# -- code lists ------------------------------------------------------------------------------


def codes_for_shop(shop_id: int, kind: CodeKind) -> list[Code]:
    """The shop's active codes of a kind, or the defaults while it has none of its own."""
    rows = db.session.scalars(
        sa.select(ActivityCode).where(ActivityCode.shop_id == shop_id, ActivityCode.kind == kind)
        .order_by(ActivityCode.position, ActivityCode.code)
    ).all()
    if not rows:
        return [Code(code, translated(label)) for code, label in DEFAULT_CODES[kind]]
    return [Code(row.code, row.label) for row in rows if row.is_active]


def code_label(shop_id: int | None, kind: CodeKind, code: str | None) -> str:
    if not code:
        return ""
    if shop_id is None:
        return code
    return next((item.label for item in codes_for_shop(shop_id, kind) if item.code == code), code)


def set_codes(access: Access, shop: Shop, kind: CodeKind | str, items: Sequence[dict[str, Any]]) -> list[Code]:
    """Replace a shop's list of one kind (manager and up). Codes in use stay readable."""
    access.require(Permission.ACTIVITY_CODES_MANAGE, shop.id)
    kind = _code_kind(kind)
    if not isinstance(items, list | tuple) or not items:
        raise invalid("codes", _l("Give at least one code."))
    if len(items) > 100:
        raise invalid("codes", _l("At most 100 codes."))
    seen: set[str] = set()
    cleaned: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise invalid(f"codes.{index}", _l("Send objects with code and label."))
        code = clean_code(item.get("code") or "", f"codes.{index}.code").lower()
        label = clean_text(item.get("label"), f"codes.{index}.label", max_length=100)
        if code in seen:
            raise invalid(f"codes.{index}.code", _l("Listed twice."))
        seen.add(code)
        cleaned.append((code, label))
    existing = {row.code: row for row in db.session.scalars(
        sa.select(ActivityCode).where(ActivityCode.shop_id == shop.id, ActivityCode.kind == kind)
    )}
    for position, (code, label) in enumerate(cleaned):
        row = existing.pop(code, None) or ActivityCode(shop_id=shop.id, kind=kind, code=code)
        row.label, row.position, row.is_active = label, position, True
        db.session.add(row)
    for row in existing.values():
        row.is_active = False
    db.session.flush()
    audit.record(access, "activity_codes.set", shop, shop_id=shop.id, kind=kind.value, codes=[c for c, _ in cleaned])
    return codes_for_shop(shop.id, kind)


def _code_kind(value: CodeKind | str) -> CodeKind:
    try:
        return CodeKind(value)
    except ValueError:
        raise invalid("kind", _l("Use 'activity' or 'result'.")) from None


def _check_code(shop_id: int, kind: CodeKind, value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise invalid(field, _l("Send a code from the shop's list."))
    codes = [item.code for item in codes_for_shop(shop_id, kind)]
    code = value.strip().lower()
    if code not in codes:
        raise invalid(field, _l("Unknown code; use one of: %(codes)s.", codes=", ".join(codes)))
    return code


# -- timeline ----------------------------------------------------------------------------------


def _order_id(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise invalid("order_id", _l("Send an order id."))
    number = int(value)
    if not 0 < number < 2**31:
        raise invalid("order_id", _l("Send an order id."))
    return number


def add_activity(
    access: Access,
    customer: Customer,
    *,
    kind: str,
    subject: str | None = None,
    body: str | None = None,
    activity_code: str | None = None,
    result_code: str | None = None,
    order_id: object = None,
    shop_id: int | None = None,
) -> CustomerActivity:
    """A note or a call written by staff, in a shop of the customer's group."""
    acting = acting_shop_id(access, customer, Permission.ACTIVITY_ADD, shop_id)
    try:
        activity_kind = ActivityKind((kind or "").strip().lower())
    except (ValueError, AttributeError):
        raise invalid("kind", _l("Use 'note' or 'call'.")) from None
    if activity_kind not in STAFF_KINDS:
        raise invalid("kind", _l("Use 'note' or 'call'."))
    for name, value in (("subject", subject), ("body", body)):
        if value is not None and not isinstance(value, str):
            raise invalid(name, _l("Send text."))
    clean_subject = clean_text(subject, "subject", max_length=MAX_SUBJECT, required=False)
    clean_body = clean_text(body, "body", max_length=MAX_NOTES, required=False)
    if not (clean_subject or clean_body):
        raise invalid("body", _l("Write a subject or a text."))
    activity = CustomerActivity(
        group_key=customer.group_key,
        customer_id=customer.id,
        shop_id=acting,
        kind=activity_kind,
        subject=clean_subject,
        body=clean_body,
        activity_code=_check_code(acting, CodeKind.ACTIVITY, activity_code, "activity_code"),
        result_code=_check_code(acting, CodeKind.RESULT, result_code, "result_code"),
        order_id=_order_id(order_id),
        actor=access.actor,
        author_id=access.user_id,
        operator_id=access.operator_id,
    )
    db.session.add(activity)
    db.session.flush()
    audit.record(access, "customer.activity", customer, shop_id=acting, activity_id=activity.id,
                 kind=activity_kind.value)
    return activity


def record_event(
    access: Access,
    customer: Customer,
    *,
    kind: ActivityKind = ActivityKind.SYSTEM,
    subject: str,
    body: str = "",
    shop_id: int | None = None,
    order_id: int | None = None,
) -> CustomerActivity:
    """An email or system event in the timeline (for other domains: orders, notifications)."""
    acting = shop_id if shop_id is not None else acting_shop_id(access, customer, Permission.CUSTOMER_VIEW)
    activity = CustomerActivity(
        group_key=customer.group_key, customer_id=customer.id, shop_id=acting, kind=kind,
        subject=subject[:MAX_SUBJECT], body=body[:MAX_NOTES], order_id=order_id,
        actor=access.actor, author_id=access.user_id, operator_id=access.operator_id,
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def record_email_activity(
    access: Access,
    *,
    customer_id: int,
    order_id: int | None,
    subject: str,
    recipient: str,
    sent_at: Any,
    notification_id: int,
    shop_id: int | None = None,
) -> CustomerActivity:
    """A sent email in the customer's timeline (called by the notifications domain)."""
    customer = db.session.scalars(sa.select(Customer).where(Customer.id == customer_id)).one_or_none()
    if customer is None:
        raise NotFound(_l("No such customer."))
    activity = record_event(
        access, customer, kind=ActivityKind.EMAIL, subject=subject,
        body=f"To {recipient} · notification {notification_id}", shop_id=shop_id, order_id=order_id,
    )
    if sent_at is not None:
        activity.created_at = sent_at
    return activity


def list_activities(
    access: Access, customer: Customer, *, before_id: int | None = None, limit: int = 50,
    kind: str | None = None,
) -> list[CustomerActivity]:
    """The timeline, newest first (keyset: ``before_id``)."""
    acting_shop_id(access, customer, Permission.ACTIVITY_VIEW)
    stmt = sa.select(CustomerActivity).where(CustomerActivity.customer_id == customer.id)
    if kind:
        stmt = stmt.where(CustomerActivity.kind == kind)
    if before_id is not None:
        stmt = stmt.where(CustomerActivity.id < before_id)
    return list(db.session.scalars(stmt.order_by(CustomerActivity.id.desc()).limit(limit)))


# -- alerts ------------------------------------------------------------------------------------


def flag_alert(access: Access, customer: Customer, *, message: str, order_id: object = None,
               shop_id: int | None = None) -> CustomerAlert:
    """Flag the customer (or one of its orders) for review."""
    acting = acting_shop_id(access, customer, Permission.ALERT_FLAG, shop_id)
    if message is not None and not isinstance(message, str):
        raise invalid("message", _l("Send text."))
    alert = CustomerAlert(
        group_key=customer.group_key, customer_id=customer.id, shop_id=acting, order_id=_order_id(order_id),
        message=clean_text(message, "message", max_length=MAX_ALERT), raised_by_id=access.user_id,
        raised_by_actor=access.actor,
    )
    db.session.add(alert)
    db.session.flush()
    audit.record(access, "customer.alert_flag", customer, shop_id=acting, alert_id=alert.id)
    return alert


def get_alert(access: Access, customer: Customer, alert_id: int) -> CustomerAlert:
    alert = db.session.scalars(
        sa.select(CustomerAlert).where(CustomerAlert.id == alert_id, CustomerAlert.customer_id == customer.id)
    ).one_or_none()
    if alert is None:
        raise NotFound(_l("No such alert."))
    return alert


def clear_alert(access: Access, customer: Customer, alert_id: int, *, note: str | None = None) -> CustomerAlert:
    """Clear an alert (supervisor and up). Clearing twice is a ``Conflict``."""
    acting = acting_shop_id(access, customer, Permission.ALERT_CLEAR)
    alert = get_alert(access, customer, alert_id)
    if alert.cleared_at is not None:
        raise Conflict(_l("This alert is already cleared."), code="already_cleared")
    alert.cleared_at = utcnow()
    alert.cleared_by_id = access.user_id
    alert.clear_note = clean_text(note, "note", max_length=MAX_ALERT, required=False)
    db.session.flush()
    audit.record(access, "customer.alert_clear", customer, shop_id=acting, alert_id=alert.id)
    return alert


def list_alerts(access: Access, customer: Customer, *, active_only: bool = False) -> list[CustomerAlert]:
    acting_shop_id(access, customer, Permission.CUSTOMER_VIEW)
    stmt = sa.select(CustomerAlert).where(CustomerAlert.customer_id == customer.id)
    if active_only:
        stmt = stmt.where(CustomerAlert.cleared_at.is_(None))
    return list(db.session.scalars(stmt.order_by(CustomerAlert.id.desc())))


def active_alerts_for_order(order_id: int) -> list[CustomerAlert]:
    """Uncleared alerts on an order (the caller's scope applies), for the order screens."""
    return list(db.session.scalars(
        sa.select(CustomerAlert).where(CustomerAlert.order_id == order_id, CustomerAlert.cleared_at.is_(None))
        .order_by(CustomerAlert.id)
    ))


# -- custom attribute definitions --------------------------------------------------------------


def list_attribute_definitions(access: Access, shop: Shop) -> list[AttributeDefinition]:
    access.require(Permission.CUSTOMER_VIEW, shop.id)
    return list(db.session.scalars(
        sa.select(AttributeDefinition).where(AttributeDefinition.shop_id == shop.id)
        .order_by(AttributeDefinition.position, AttributeDefinition.name)
    ))


def define_attribute(
    access: Access, shop: Shop, *, name: str, label: str | None = None, type: str = "string",
    required: bool = False, choices: Sequence[str] | None = None,
) -> AttributeDefinition:
    """Add a custom field to the shop's registration form (manager and up)."""
    access.require(Permission.CUSTOMER_ATTRIBUTES_MANAGE, shop.id)
    clean_name = (name or "").strip().lower() if isinstance(name, str) else ""
    if not ATTRIBUTE_NAME_RE.match(clean_name):
        raise invalid("name", _l("1-64 lower-case letters, digits or '_', starting with a letter."))
    try:
        attribute_type = AttributeType((type or "").strip().lower())
    except (ValueError, AttributeError):
        raise invalid("type", _l("Use one of: %(types)s.", types=", ".join(t.value for t in AttributeType))) from None
    options: list[str] = []
    if attribute_type is AttributeType.CHOICE:
        if not isinstance(choices, list | tuple) or not choices:
            raise invalid("choices", _l("A choice field needs its choices."))
        options = [clean_text(c, "choices", max_length=100) for c in choices if isinstance(c, str)]
        if len(options) != len(choices):
            raise invalid("choices", _l("Choices are texts."))
    if db.session.scalar(sa.select(AttributeDefinition.id).where(
        AttributeDefinition.shop_id == shop.id, AttributeDefinition.name == clean_name
    )):
        raise Conflict(_l("This shop already has a field with this name."), code="duplicate",
                       fields={"name": [_l("Already defined.")]})
    position = db.session.scalar(
        sa.select(sa.func.count(AttributeDefinition.id)).where(AttributeDefinition.shop_id == shop.id)
    ) or 0
    definition = AttributeDefinition(
        shop_id=shop.id, name=clean_name,
        label=clean_text(label or clean_name.replace("_", " ").capitalize(), "label", max_length=100),
        type=attribute_type, is_required=bool(required), choices=options, position=position,
    )
    db.session.add(definition)
    db.session.flush()
    audit.record(access, "customer_attribute.define", definition, shop_id=shop.id, name=clean_name)
    return definition


def delete_attribute(access: Access, shop: Shop, name: str) -> None:
    access.require(Permission.CUSTOMER_ATTRIBUTES_MANAGE, shop.id)
    definition = db.session.scalars(sa.select(AttributeDefinition).where(
        AttributeDefinition.shop_id == shop.id, AttributeDefinition.name == name
    )).one_or_none()
    if definition is None:
        raise NotFound(_l("No such field."))
    audit.record(access, "customer_attribute.delete", definition, shop_id=shop.id, name=name)
    db.session.delete(definition)
    db.session.flush()



def _materialise_defaults(shop_id: int, kind: CodeKind) -> None:
    """Before a shop's first own code of a kind, copy the defaults it has been using."""
    has_rows = db.session.scalar(
        sa.select(ActivityCode.id).where(ActivityCode.shop_id == shop_id, ActivityCode.kind == kind).limit(1)
    )
    if has_rows:
        return
    for position, (code, label) in enumerate(DEFAULT_CODES[kind]):
        db.session.add(ActivityCode(shop_id=shop_id, kind=kind, code=code, label=label, position=position))
    db.session.flush()


def add_code(access: Access, shop: Shop, *, kind: str, code: str, label: str, is_active: bool = True
             ) -> ActivityCode:
    """Add one code to a shop's list (manager and up); the defaults stay in the list."""
    access.require(Permission.ACTIVITY_CODES_MANAGE, shop.id)
    code_kind = _code_kind(kind)
    clean = clean_code(code or "", "code").lower()
    clean_label = clean_text(label, "label", max_length=100)
    _materialise_defaults(shop.id, code_kind)
    if db.session.scalar(sa.select(ActivityCode.id).where(
        ActivityCode.shop_id == shop.id, ActivityCode.kind == code_kind, ActivityCode.code == clean
    )):
        raise Conflict(_l("This code exists in the list."), code="duplicate", fields={"code": [_l("Already listed.")]})
    position = db.session.scalar(sa.select(sa.func.count(ActivityCode.id)).where(
        ActivityCode.shop_id == shop.id, ActivityCode.kind == code_kind
    )) or 0
    row = ActivityCode(shop_id=shop.id, kind=code_kind, code=clean, label=clean_label, position=position,
                       is_active=bool(is_active))
    db.session.add(row)
    db.session.flush()
    audit.record(access, "activity_codes.add", shop, shop_id=shop.id, kind=code_kind.value, code=clean)
    return row


def update_code(access: Access, row: ActivityCode, *, label: str, is_active: bool) -> ActivityCode:
    """Relabel or retire a code (entries that used it keep it)."""
    access.require(Permission.ACTIVITY_CODES_MANAGE, row.shop_id)
    row.label = clean_text(label, "label", max_length=100)
    row.is_active = bool(is_active)
    db.session.flush()
    audit.record(access, "activity_codes.update", row, shop_id=row.shop_id, code=row.code, active=row.is_active)
    return row
