"""Reminders and escalation for orders waiting for the customer's answer.

A quote waits for the customer to accept it. On the shop's schedule
(``NotificationSettings.reminder_days``, e.g. after 2 and 5 days) the customer gets a
``quote_reminder``; after ``escalate_after_days`` the order is escalated once: an alert
on the order (the customers domain's alert), assigned to a supervisor of the shop, and
the shop's supervisors get ``order_escalated``.

Everything is keyed on the wait (the order's ``state_changed_at``), so the periodic job
may run late, twice, or after the scheduler was down for days: each reminder step is
one outbox row (its dedupe key), only the latest step that is due goes out (a late run
catches up once, it does not send every missed step), and an escalation is a unique row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from shopadmin.core.access import Access, Role
from shopadmin.extensions import db
from shopadmin.notifications.events import Audience
from shopadmin.notifications.models import OrderEscalation
from shopadmin.notifications.services import queue_notifications, settings_for

log = logging.getLogger(__name__)

# The order states in which the order waits for the customer (not for staff).
WAITING_FOR_CUSTOMER = ("quote",)


@dataclass
class ReminderRun:
    reminders: int = 0
    escalations: int = 0


def _assignee(shop_id: int, master_id: int | None) -> int | None:
    """The shop's supervisor (or higher) with the fewest escalations assigned; ties: the oldest account."""
    from shopadmin.staff.models import Membership, User

    open_count = (
        sa.select(sa.func.count(OrderEscalation.id))
        .where(OrderEscalation.assigned_user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    shop_ids = [shop_id] + ([master_id] if master_id else [])
    rows = db.session.execute(
        sa.select(User.id, Membership.role, open_count)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.shop_id.in_(shop_ids), User.active.is_(True))
        .order_by(open_count, User.id)
        .execution_options(all_shops=True)
    ).all()
    for user_id, role, _count in rows:
        if Role(role) >= Role.SUPERVISOR:
            return int(user_id)
    return None


def _escalate(access: Access, order: object, waiting_since: datetime, moment: datetime) -> bool:
    from shopadmin.customers import activities
    from shopadmin.customers.services import get_customer
    from shopadmin.staff.models import User

    order_id, shop_id = order.id, order.shop_id  # type: ignore[attr-defined]
    exists = db.session.scalar(
        sa.select(OrderEscalation.id).where(OrderEscalation.order_id == order_id,
                                            OrderEscalation.waiting_since == waiting_since)
        .execution_options(all_shops=True)
    )
    if exists is not None:
        return False
    assignee = _assignee(shop_id, order.shop.master_id)  # type: ignore[attr-defined]
    who = db.session.get(User, assignee) if assignee is not None else None
    days = (moment - waiting_since).days
    message = f"Order {order.number}: the customer has not answered for {days} days."  # type: ignore[attr-defined]
    if who is not None:
        message += f" Assigned to {who.name or who.email} <{who.email}>."
    alert_id = None
    try:
        with db.session.begin_nested():
            customer = get_customer(access, order.customer_id)  # type: ignore[attr-defined]
            alert_id = activities.flag_alert(access, customer, message=message, order_id=order_id,
                                             shop_id=shop_id).id
    except Exception:  # the escalation (and its mails) still stands without the alert
        log.exception("order %s escalated, but the alert could not be raised", order_id)
    escalation = OrderEscalation(shop_id=shop_id, order_id=order_id, waiting_since=waiting_since,
                                 assigned_user_id=assignee, alert_id=alert_id, escalated_at=moment)
    db.session.add(escalation)
    db.session.flush()
    queue_notifications(
        access, event="order_escalated", shop_id=shop_id, order_id=order_id,
        payload={"ref": f"escalation@{waiting_since.isoformat()}", "days": days,
                 "waiting_since": waiting_since.date().isoformat(),
                 "assignee": who.email if who is not None else None},
        only=[Audience.STAFF],
    )
    return True


def run(access: Access, moment: datetime) -> ReminderRun:
    """Send what is due at ``moment``; safe to call as often as you like."""
    from shopadmin.orders.models import Order

    result = ReminderRun()
    orders = db.session.scalars(
        sa.select(Order).where(Order.state.in_(WAITING_FOR_CUSTOMER)).order_by(Order.id)
        .execution_options(all_shops=True)
    ).unique().all()
    for order in orders:
        settings = settings_for(order.shop_id)
        waiting_since = order.state_changed_at
        waited = moment - waiting_since
        if waited >= timedelta(days=settings.escalate_after_days):
            result.escalations += _escalate(access, order, waiting_since, moment)
            continue
        due = [day for day in (settings.reminder_days or []) if waited >= timedelta(days=day)]
        if not due:
            continue
        step = max(due)
        rows = queue_notifications(
            access, event="quote_reminder", shop_id=order.shop_id, order_id=order.id,
            payload={"ref": f"reminder-{step}@{waiting_since.isoformat()}", "days": step,
                     "valid_until": order.quote_valid_until.isoformat() if order.quote_valid_until else None},
            only=[Audience.CUSTOMER],
        )
        result.reminders += len(rows)
    return result
