"""Customer assistance: who may assist whom, the hand-off link, the session and its log.

Plain functions: they check access, flush, and never commit. They raise ``NotFound``
(a shop or customer outside the caller's scope), ``Forbidden`` (beyond the role; and
``AssistanceRefused`` when a rule of the shop or the customer says no), ``Invalid``
(bad input, no reason) and ``Conflict`` (a link used twice, expired, on another shop).

A refusal is raised, so the caller's transaction rolls back; the caller records it in
a transaction of its own with ``record_refusal`` (``flows.start`` does both).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from shopadmin.core import audit
from shopadmin.core.access import Access, Permission, Role
from shopadmin.core.db import utcnow
from shopadmin.core.errors import Conflict, Forbidden, Message, NotFound
from shopadmin.core.validation import clean_code, clean_text, invalid
from shopadmin.customers import activities
from shopadmin.customers import services as customers
from shopadmin.customers.models import Customer, group_key_for
from shopadmin.extensions import db
from shopadmin.staff.models import ApiToken, User
from shopadmin.tenants import services as tenants
from shopadmin.tenants.models import Shop

from .models import (
    AssistanceAction,
    AssistanceSession,
    AssistanceSettings,
    AssistanceStatus,
    ProtectedCustomer,
)

LINK_SECONDS = 60
DEFAULT_SESSION_MINUTES = 30
MAX_SESSION_MINUTES = 480

DEFAULT_REASON_CODES: list[tuple[str, Any]] = [
    ("phone_order", _l("Order by phone")),
    ("order_help", _l("Help with an order")),
    ("account_help", _l("Help with the account")),
    ("complaint", _l("Complaint")),
]

# Why a request was refused: the rule, and what the operator is told.
REFUSALS: dict[str, Message] = {
    "shop_disabled": _l("This shop does not allow customer assistance."),
    "customer_declined": _l("The customer does not allow assistance."),
    "outside_group": _l("The customer is not a customer of this shop."),
    "customer_disabled": _l("This shop has disabled the customer."),
    "protected": _l("This customer is protected: nobody may sign in as them."),
    "role": _l("Your role does not allow assisting customers in this shop."),
    "nested": _l("You cannot start an assistance while signed in to a storefront."),
    "not_found": _l("Not found."),
}


class AssistanceRefused(Forbidden):
    """A rule of the shop or the customer forbids this assistance (403, recorded)."""

    code = "assistance_refused"

    def __init__(self, rule: str, *, shop_id: int | None = None, customer_id: int | None = None) -> None:
        super().__init__(REFUSALS[rule], fields={"rule": rule})  # lazy: in the reader's language
        self.rule = rule
        self.shop_id = shop_id
        self.customer_id = customer_id


@dataclass(frozen=True)
class ReasonCode:
    code: str
    label: str


@dataclass(frozen=True)
class HandOff:
    """The single-use link's token (shown once) and the session it opens."""

    session: AssistanceSession
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class StartRequest:
    customer_id: int
    shop: str
    reason: str | None
    reason_code: str | None = None
    ticket: str | None = None
    ip: str = ""
    user_agent: str = ""
    origin: str = "admin"
    api_token_id: int | None = None


def aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- settings ------------------------------------------------------------------------------


def settings_for(shop_id: int) -> AssistanceSettings:
    """The shop's settings row, or an unsaved one with the defaults."""
    found = db.session.scalars(
        sa.select(AssistanceSettings).where(AssistanceSettings.shop_id == shop_id)
    ).one_or_none()
    return found or AssistanceSettings(shop_id=shop_id, session_minutes=DEFAULT_SESSION_MINUTES, min_role="csr",
                                       notify_customer=False, reason_codes=[])


def reason_codes(shop_id: int) -> list[ReasonCode]:
    rows = settings_for(shop_id).reason_codes or []
    if not rows:
        return [ReasonCode(code, str(label)) for code, label in DEFAULT_REASON_CODES]
    return [ReasonCode(row["code"], row["label"]) for row in rows]


def parse_reason_codes(text: str) -> list[dict[str, str]]:
    """``code: label`` per line (the settings form) -> the stored list."""
    result: list[dict[str, str]] = []
    for number, line in enumerate((text or "").splitlines()):
        if not line.strip():
            continue
        code, _, label = line.partition(":")
        clean = clean_code(code.strip(), f"reason_codes.{number}").lower()
        result.append({"code": clean, "label": clean_text(label or code, f"reason_codes.{number}", max_length=100)})
    if len({row["code"] for row in result}) != len(result):
        raise invalid("reason_codes", _l("Each code once."))
    return result


def update_settings(access: Access, shop: Shop, *, session_minutes: int | None = None, min_role: str | None = None,
                    notify_customer: bool | None = None, reason_codes_text: str | None = None
                    ) -> AssistanceSettings:
    """Change a shop's assistance rules (manager and up)."""
    access.require(Permission.ASSISTANCE_SETTINGS, shop.id)
    settings = settings_for(shop.id)
    if session_minutes is not None:
        if isinstance(session_minutes, bool) or not isinstance(session_minutes, int) or \
                not 0 < session_minutes <= MAX_SESSION_MINUTES:
            raise invalid("session_minutes", _l("Between 1 and %(count)s minutes.", count=MAX_SESSION_MINUTES))
        settings.session_minutes = session_minutes
    if min_role is not None:
        try:
            settings.min_role = Role.parse(min_role).label
        except ValueError:
            raise invalid("min_role", _l("Use csr, supervisor, manager or owner.")) from None
    if notify_customer is not None:
        settings.notify_customer = bool(notify_customer)
    if reason_codes_text is not None:
        settings.reason_codes = parse_reason_codes(reason_codes_text)
    db.session.add(settings)
    db.session.flush()
    audit.record(access, "assistance.settings", shop, shop_id=shop.id, session_minutes=settings.session_minutes,
                 min_role=settings.min_role, notify_customer=settings.notify_customer)
    return settings


# -- protected customers -----------------------------------------------------------------------


def is_protected(shop_id: int, customer_id: int) -> bool:
    return db.session.scalar(
        sa.select(ProtectedCustomer.id).where(ProtectedCustomer.shop_id == shop_id,
                                              ProtectedCustomer.customer_id == customer_id)
    ) is not None


def protect_customer(access: Access, shop: Shop, customer_id: int, *, note: str = "") -> ProtectedCustomer:
    """Never assist this customer in ``shop`` (manager and up)."""
    access.require(Permission.ASSISTANCE_SETTINGS, shop.id)
    customer = customers.get_customer(access, customer_id)
    if group_key_for(shop) != customer.group_key:
        raise invalid("customer_id", _l("Not a customer of this shop."))
    if is_protected(shop.id, customer.id):
        raise Conflict(_l("This customer is already protected in this shop."), code="duplicate")
    row = ProtectedCustomer(shop_id=shop.id, customer_id=customer.id, created_by_id=access.user_id,
                            note=clean_text(note, "note", max_length=500, required=False))
    db.session.add(row)
    db.session.flush()
    audit.record(access, "assistance.protect", customer, shop_id=shop.id)
    return row


def unprotect_customer(access: Access, row: ProtectedCustomer) -> None:
    access.require(Permission.ASSISTANCE_SETTINGS, row.shop_id)
    audit.record(access, "assistance.unprotect", row, shop_id=row.shop_id, customer_id=row.customer_id)
    db.session.delete(row)
    db.session.flush()


# -- may this operator assist this customer here? --------------------------------------------


def refusal_for(access: Access, shop: Shop, customer: Customer) -> str | None:
    """The first rule that forbids the assistance, or ``None`` (the caller sees both)."""
    settings = settings_for(shop.id)
    role = access.role_on(shop.id)
    if not access.sees_all_shops and (role is None or role < Role.parse(settings.min_role)):
        return "role"
    if not shop.customer_assistance:
        return "shop_disabled"
    if not customer.allow_assistance:
        return "customer_declined"
    if group_key_for(shop) != customer.group_key:
        return "outside_group"
    link = next((link for link in customer.links if link.shop_id == shop.id), None)
    if shop.sharing_group_id is None and link is None:
        return "outside_group"
    if link is not None and link.disabled_at is not None:
        return "customer_disabled"
    if is_protected(shop.id, customer.id):
        return "protected"
    return None


def assistable_shops(access: Access, customer: Customer) -> list[Shop]:
    """The shops of the customer's group where the caller could assist now (for the buttons)."""
    if access.is_customer:
        return []
    ids = [shop_id for shop_id in customers.group_shop_ids(customer) if access.can(Permission.CUSTOMER_ASSIST, shop_id)]
    if not ids:
        return []
    shops = db.session.scalars(sa.select(Shop).where(Shop.id.in_(ids)).order_by(Shop.code)).all()
    return [shop for shop in shops if refusal_for(access, shop, customer) is None]


def _operator(access: Access) -> User:
    user = db.session.get(User, access.user_id) if access.user_id is not None else None
    if user is None or not user.is_active:
        raise Forbidden(_l("Only a signed-in staff user can assist a customer."))
    return user


def start_assistance(access: Access, request: StartRequest) -> HandOff:
    """Check every rule and hand out a single-use link (about a minute) for the storefront.

    Raises ``NotFound`` outside the caller's scope, ``AssistanceRefused`` when a rule says
    no (the role, the shop's switch, the customer's consent, the sharing group, a disabled
    registration, protection; a storefront session: ``nested``), ``Invalid`` without a
    reason or with an unknown reason code.
    """
    if access.is_customer:
        raise AssistanceRefused("nested")
    shop = tenants.get_shop(access, request.shop)
    customer = customers.get_customer(access, request.customer_id)
    operator = _operator(access)
    if not access.can(Permission.CUSTOMER_ASSIST, shop.id):
        raise AssistanceRefused("role", shop_id=shop.id, customer_id=customer.id)
    reason = clean_text(request.reason if isinstance(request.reason, str) else None, "reason", max_length=500)
    codes = [item.code for item in reason_codes(shop.id)]
    reason_code = (request.reason_code or "").strip().lower() or None
    if reason_code is not None and reason_code not in codes:
        raise invalid("reason_code", _l("Use one of: %(codes)s.", codes=", ".join(codes)))
    ticket = clean_text(request.ticket, "ticket", max_length=64, required=False)
    rule = refusal_for(access, shop, customer)
    if rule is not None:
        raise AssistanceRefused(rule, shop_id=shop.id, customer_id=customer.id)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = AssistanceSession(
        shop_id=shop.id, customer_id=customer.id, operator_id=operator.id, status=AssistanceStatus.ISSUED,
        reason_code=reason_code, reason=reason, ticket=ticket, customer_name=str(customer),
        operator_name=str(operator), origin=request.origin, api_token_id=request.api_token_id,
        operator_epoch=operator.session_epoch, link_hash=token_digest(token),
        link_expires_at=now + timedelta(seconds=LINK_SECONDS), created_at=now,
        ip=(request.ip or "")[:64], user_agent=(request.user_agent or "")[:200],
    )
    db.session.add(session)
    db.session.flush()
    audit.record(access, "assistance.issue", customer, shop_id=shop.id, session_id=session.id,
                 reason_code=reason_code, ticket=ticket)
    return HandOff(session, token, now + timedelta(seconds=LINK_SECONDS))


def record_refusal(access: Access, request: StartRequest, error: Exception) -> None:
    """Keep a refused request: in the shop's assistance log when the caller sees the shop,
    always in the audit trail (platform-wide when the shop or customer is out of scope)."""
    rule = error.rule if isinstance(error, AssistanceRefused) else (
        "not_found" if isinstance(error, NotFound) else "role")
    shop_id = error.shop_id if isinstance(error, AssistanceRefused) else None
    customer_id = error.customer_id if isinstance(error, AssistanceRefused) else None
    if shop_id is not None and access.sees(shop_id) and access.user_id is not None:
        operator = db.session.get(User, access.user_id)
        db.session.add(AssistanceSession(
            shop_id=shop_id, customer_id=customer_id, operator_id=access.user_id, status=AssistanceStatus.REFUSED,
            refusal=rule, reason_code=(request.reason_code or None) and str(request.reason_code)[:32],
            reason=str(request.reason or "")[:500], ticket=str(request.ticket or "")[:64],
            customer_name=_customer_label(customer_id), operator_name=str(operator or ""),
            origin=request.origin, ip=request.ip[:64], user_agent=request.user_agent[:200], ended_at=utcnow(),
        ))
    audit.record(access, "assistance.refused", "assistance", shop_id=shop_id if shop_id and access.sees(shop_id)
                 else None, rule=rule, customer_id=request.customer_id, shop=str(request.shop)[:32])
    db.session.flush()


def _customer_label(customer_id: int | None) -> str:
    if customer_id is None:
        return ""
    customer = db.session.scalars(sa.select(Customer).where(Customer.id == customer_id)).one_or_none()
    return str(customer) if customer else ""


# -- the storefront side: redeem, check on each request, end -----------------------------------


def redeem_link(access: Access, shop: Shop, token: str, *, operator_id: int | None) -> AssistanceSession:
    """Use the hand-off link: once, within its minute, on its own shop's storefront.

    ``access`` reads the platform (the storefront has no identity yet); ``operator_id``
    is who the browser is signed in to the admin as (``None`` for a link from the API).
    Raises ``Conflict`` (``link_invalid``) for an unknown, used, expired or foreign link,
    ``AssistanceRefused`` when a rule changed since the link was issued.
    """
    session = db.session.scalars(
        sa.select(AssistanceSession).where(AssistanceSession.link_hash == token_digest(token or ""))
        # Two presses of the same link: the second waits, then finds it used.
        .with_for_update(of=AssistanceSession).execution_options(populate_existing=True)
    ).one_or_none()
    now = utcnow()
    invalid_link = Conflict(_l("This assistance link is not valid (any more)."), code="link_invalid")
    if session is None or session.shop_id != shop.id or session.status != AssistanceStatus.ISSUED:
        raise invalid_link
    expires = aware(session.link_expires_at)
    if expires is None or expires <= now:
        raise invalid_link  # marked "link_expired" by ``record_redeem_failure``, which commits
    if session.origin == "admin" and operator_id != session.operator_id:
        raise invalid_link  # the link works only in the operator's own signed-in browser
    operator = db.session.get(User, session.operator_id)
    customer = db.session.scalars(sa.select(Customer).where(Customer.id == session.customer_id)).one_or_none()
    if operator is None or not operator.is_active or operator.session_epoch != session.operator_epoch \
            or customer is None:
        raise invalid_link
    # The rules are checked again: the customer may have said no meanwhile.
    from shopadmin.staff.services import access_for_user

    operator_access = access_for_user(operator)
    if not operator_access.can(Permission.CUSTOMER_ASSIST, shop.id):
        raise AssistanceRefused("role", shop_id=shop.id, customer_id=customer.id)
    rule = refusal_for(operator_access, shop, customer)
    if rule is not None:
        raise AssistanceRefused(rule, shop_id=shop.id, customer_id=customer.id)
    # One assistance at a time per operator: an older one ends here.
    for other in db.session.scalars(
        sa.select(AssistanceSession).where(AssistanceSession.operator_id == operator.id,
                                           AssistanceSession.status == AssistanceStatus.ACTIVE)
    ):
        _finish(other, "replaced")
    session.status = AssistanceStatus.ACTIVE
    session.link_hash = None  # single use: the token can never match again
    session.started_at = now
    session.expires_at = now + timedelta(minutes=settings_for(shop.id).session_minutes)
    db.session.flush()
    stamped = _as_operator_of(session)
    activities.record_event(
        stamped, customer, subject=f"Assistance started by {session.operator_name}"[:200],
        body=_start_text(session), shop_id=shop.id,
    )
    audit.record(stamped, "assistance.start", customer, shop_id=shop.id, session_id=session.id)
    if settings_for(shop.id).notify_customer:
        _notify_customer(stamped, session, customer)
    return session


def record_redeem_failure(access: Access, shop: Shop, token: str, error: Exception) -> AssistanceSession | None:
    """Keep what a failed hand-off tells, in a transaction of its own (the failure rolled
    its own back): an expired link is marked ``link_expired``; a rule that says no since the
    link was issued (consent withdrawn, the shop's switch off, the customer disabled there,
    protection, the role) marks the request refused, so the link is dead. A used, foreign
    or unknown link, or one opened in another browser, changes nothing and is audited."""
    session = db.session.scalars(
        sa.select(AssistanceSession).where(AssistanceSession.link_hash == token_digest(token or ""),
                                           AssistanceSession.status == AssistanceStatus.ISSUED)
        .with_for_update(of=AssistanceSession).execution_options(populate_existing=True)
    ).one_or_none()
    if session is None or session.shop_id != shop.id:
        audit.record(access, "assistance.link_rejected", "assistance", shop_id=shop.id)
        db.session.flush()
        return None
    now = utcnow()
    expires = aware(session.link_expires_at)
    if isinstance(error, AssistanceRefused):
        session.status, session.refusal = AssistanceStatus.REFUSED, error.rule
        session.ended_at, session.end_reason, session.link_hash = now, "refused", None
        audit.record(access, "assistance.refused", "assistance", shop_id=shop.id, rule=error.rule,
                     session_id=session.id, customer_id=session.customer_id)
    elif expires is None or expires <= now:
        session.status, session.ended_at, session.end_reason = AssistanceStatus.ENDED, now, "link_expired"
        session.link_hash = None
        audit.record(access, "assistance.link_expired", "assistance", shop_id=shop.id, session_id=session.id)
    else:
        audit.record(access, "assistance.link_rejected", "assistance", shop_id=shop.id, session_id=session.id)
    db.session.flush()
    return session


def _start_text(session: AssistanceSession) -> str:
    parts = [f"reason: {session.reason}"]
    if session.reason_code:
        parts.append(f"code: {session.reason_code}")
    if session.ticket:
        parts.append(f"ticket: {session.ticket}")
    return "; ".join(parts)


def _notify_customer(access: Access, session: AssistanceSession, customer: Customer) -> None:
    from shopadmin.notifications.services import request_notification

    request_notification(access, event="assistance_started", shop_id=session.shop_id, customer_id=customer.id,
                         payload={"operator_name": session.operator_name, "ref": f"assistance-{session.id}",
                                  "started_at": (aware(session.started_at) or utcnow()).isoformat()})


def _as_operator_of(session: AssistanceSession) -> Access:
    from shopadmin.core.access import customer_access

    return customer_access(session.customer_id or 0, session.shop_id, operator_id=session.operator_id)


def live_session(session_id: int, *, shop_id: int, customer_id: int, admin_user_id: int | None
                 ) -> AssistanceSession | None:
    """The active assistance behind a storefront request, or ``None`` once it is over.

    It is over when ended, expired, on another shop or customer, when the operator is no
    longer signed in to the admin in this browser (or was signed out everywhere), and for
    a link from the API when its token is revoked. An assistance found over is ended here.
    """
    session = db.session.scalars(sa.select(AssistanceSession).where(AssistanceSession.id == session_id)).one_or_none()
    if session is None or session.status != AssistanceStatus.ACTIVE:
        return None
    if session.shop_id != shop_id or session.customer_id != customer_id:
        return None
    reason = None
    expires = aware(session.expires_at)
    operator = db.session.get(User, session.operator_id)
    if expires is None or expires <= utcnow():
        reason = "expired"
    elif operator is None or not operator.is_active or operator.session_epoch != session.operator_epoch:
        reason = "operator_signed_out"
    elif session.origin == "admin" and admin_user_id != session.operator_id:
        reason = "operator_signed_out"  # signed out of the admin in this browser
    elif session.origin == "api" and not _token_alive(session.api_token_id):
        reason = "token_revoked"
    if reason is not None:
        _finish(session, reason)
        db.session.flush()
        return None
    return session


def _token_alive(token_id: int | None) -> bool:
    token = db.session.get(ApiToken, token_id) if token_id is not None else None
    if token is None or token.revoked_at is not None:
        return False
    expires = aware(token.expires_at)
    return expires is None or expires > utcnow()


def _finish(session: AssistanceSession, reason: str) -> None:
    if session.status not in (AssistanceStatus.ACTIVE, AssistanceStatus.ISSUED):
        return
    was_active = session.status == AssistanceStatus.ACTIVE
    session.status = AssistanceStatus.ENDED
    session.ended_at = utcnow()
    session.end_reason = reason
    session.link_hash = None
    if was_active and session.customer_id is not None:
        _write_transcript(session)


def _write_transcript(session: AssistanceSession) -> None:
    """The transcript goes to the customer's timeline, stamped with the operator."""
    stamped = _as_operator_of(session)
    customer = db.session.scalars(sa.select(Customer).where(Customer.id == session.customer_id)).one_or_none()
    if customer is None:
        return
    actions = db.session.scalars(
        sa.select(AssistanceAction).where(AssistanceAction.shop_id == session.shop_id,
                                          AssistanceAction.session_id == session.id)
        .order_by(AssistanceAction.id)
    ).all()
    lines = [f"{(aware(a.created_at) or utcnow()).strftime('%H:%M:%S')} {a.summary or a.action}" for a in actions]
    body = "\n".join([_start_text(session), f"ended: {session.end_reason}", *lines])
    activities.record_event(stamped, customer, subject=f"Assistance by {session.operator_name} ended"[:200],
                            body=body, shop_id=session.shop_id)


def end_assistance(access: Access, session_id: int, *, reason: str = "ended_by_operator") -> None:
    """The "end assistance" button (or the operator's sign-out): the session is over."""
    session = db.session.scalars(sa.select(AssistanceSession).where(AssistanceSession.id == session_id)).one_or_none()
    if session is None:
        raise NotFound(_l("No such assistance."))
    if access.user_id != session.operator_id and access.operator_id != session.operator_id:
        raise NotFound(_l("No such assistance."))
    _finish(session, reason)
    db.session.flush()
    audit.record(access, "assistance.end", session, shop_id=session.shop_id, reason=reason)


def end_for_operator(operator_id: int, reason: str = "operator_signed_out") -> int:
    """End every open assistance of an operator (admin sign-out). Needs a platform context."""
    sessions = db.session.scalars(
        sa.select(AssistanceSession).where(
            AssistanceSession.operator_id == operator_id,
            AssistanceSession.status.in_((AssistanceStatus.ACTIVE, AssistanceStatus.ISSUED)),
        )
    ).all()
    for session in sessions:
        _finish(session, reason)
    db.session.flush()
    return len(sessions)


def record_action(access: Access, session_id: int | None, action: str, summary: str, *,
                  order_id: int | None = None) -> None:
    """One line of the transcript (no-op outside an assistance)."""
    if session_id is None or access.operator_id is None:
        return
    shop_id = next(iter(access.grants), None)
    if shop_id is None:
        return
    db.session.add(AssistanceAction(shop_id=shop_id, session_id=session_id, action=action[:64],
                                    summary=summary[:500], order_id=order_id))
    db.session.flush()


# -- the log ------------------------------------------------------------------------------------


def log_statement(access: Access) -> sa.Select[tuple[AssistanceSession]]:
    """The assistance log of the shops where the caller may read it (supervisor and up)."""
    allowed = access.shops_allowing(Permission.ASSISTANCE_LOG_VIEW)
    stmt = sa.select(AssistanceSession)
    if allowed is not None:
        stmt = stmt.where(AssistanceSession.shop_id.in_(sorted(allowed)))
    return stmt


def get_session(access: Access, session_id: int) -> AssistanceSession:
    session = db.session.scalars(sa.select(AssistanceSession).where(AssistanceSession.id == session_id)).one_or_none()
    if session is None:
        raise NotFound(_l("No such assistance."))
    access.require(Permission.ASSISTANCE_LOG_VIEW, session.shop_id)
    return session


EXPORT_HEADER = ["id", "shop", "status", "refusal", "operator", "customer_id", "customer", "reason_code", "reason",
                 "ticket", "created_at", "started_at", "ended_at", "end_reason", "ip", "actions"]


def export_rows(access: Access) -> Iterator[list[object]]:
    """Rows of the log for the CSV export (manager and up), oldest first."""
    allowed = access.shops_allowing(Permission.ASSISTANCE_LOG_EXPORT)
    if allowed is not None and not allowed:
        raise Forbidden(_l("Your role does not allow this."),
                        fields={"permission": str(Permission.ASSISTANCE_LOG_EXPORT)})
    stmt = sa.select(AssistanceSession).order_by(AssistanceSession.id)
    if allowed is not None:
        stmt = stmt.where(AssistanceSession.shop_id.in_(sorted(allowed)))
    for session in db.session.scalars(stmt):
        yield [
            session.id, session.shop.code, session.status, session.refusal or "", session.operator_name,
            session.customer_id or "", session.customer_name, session.reason_code or "", session.reason,
            session.ticket, _iso(session.created_at), _iso(session.started_at), _iso(session.ended_at),
            session.end_reason or "", session.ip, " | ".join(a.summary or a.action for a in session.actions),
        ]


def _iso(moment: datetime | None) -> str:
    value = aware(moment)
    return value.isoformat() if value else ""


# -- park and transfer --------------------------------------------------------------------------


def members_for_transfer(access: Access, shop_id: int) -> list[User]:
    """Staff of the shop (or its master) who could take over an order, for the transfer list."""
    from shopadmin.staff.models import Membership

    shop = db.session.scalars(sa.select(Shop).where(Shop.id == shop_id)).one_or_none()
    if shop is None:
        raise NotFound(_l("No such shop."))
    shop_ids = [shop.id] + ([shop.master_id] if shop.master_id else [])
    return list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.shop_id.in_(shop_ids), User.active.is_(True), User.is_system.is_(False))
        .order_by(User.name, User.email).distinct()
        # Who works on the shop is a platform lookup (the caller holds a role there).
        .execution_options(all_shops=True)
    ))


def operator_access(operator_id: int) -> Access:
    """The operator's own staff access (to act as themselves while assisting: park, transfer)."""
    from shopadmin.staff.services import access_for_user

    user = db.session.get(User, operator_id)
    if user is None or not user.is_active:
        raise Forbidden(_l("Only a signed-in staff user can do this."))
    return access_for_user(user)


def hand_over_order(access: Access, order: Any, user_id: int) -> Any:
    """Park (to oneself) or transfer (to another member) a saved order: it lands in the
    holder's pending orders. Raises what ``orders.hand_over`` raises."""
    from shopadmin.orders import services as orders

    if access.is_customer:
        raise Forbidden(_l("Only staff can park or transfer an order."))
    return orders.hand_over(access, order, user_id)
