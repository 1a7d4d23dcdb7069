"""Quote expiry: a quote whose valid-until date has passed is cancelled through the state
machine's ``expire`` event (system only), which releases what it holds and is written to
the history and the versions like any other transition.

A quote someone has open on the edit screen (an edit lease, ``orders.leases``) is left
for a later run: the CSR may be extending it right now. Leases end by themselves, so the
quote expires at the latest one lease length later. A quote whose row another transaction
holds (a save in flight) is skipped the same way (``SKIP LOCKED``).

Run by a periodic job (``orders.jobs``) and by ``shopadmin orders expire-quotes``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from shopadmin.core import audit
from shopadmin.core.access import Access
from shopadmin.core.db import utcnow
from shopadmin.core.errors import DomainError
from shopadmin.extensions import db
from shopadmin.orders import leases, workflow
from shopadmin.orders import statemachine as sm
from shopadmin.orders.models import Order

log = logging.getLogger(__name__)


@dataclass
class ExpiryReport:
    expired: list[str] = field(default_factory=list)  # order numbers
    deferred: list[str] = field(default_factory=list)  # being edited: left for a later run
    busy: int = 0  # row locked by another transaction right now

    def summary(self) -> str:
        return (f"Expired {len(self.expired)} quotes" + (f": {', '.join(self.expired)}" if self.expired else "")
                + f"; {len(self.deferred)} being edited, left for later; {self.busy} busy.")


def due_quote_ids(access: Access, *, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Quotes in the caller's shops that may be due: valid until before tomorrow's UTC date
    (every zone's today is within a day of UTC's; ``expire_quotes`` decides per shop)."""
    day = (now or utcnow()).astimezone(UTC).date() + timedelta(days=1)
    return list(db.session.scalars(
        sa.select(Order.id).where(Order.state == sm.QUOTE, Order.quote_valid_until < day)
        .order_by(Order.id).limit(limit)
    ))


def expire_quotes(access: Access, *, now: datetime | None = None, limit: int = 1000) -> ExpiryReport:
    """Fire ``expire`` on every due quote (system access, or staff for their own shops).

    Flushes, never commits; each quote in a savepoint, so one that fails is logged and
    left as it was while the others go ahead.
    """
    now = now or utcnow()
    report = ExpiryReport()
    ids = due_quote_ids(access, now=now, limit=limit)
    editing = leases.current(ids, now=now)
    for order_id in ids:
        order = db.session.scalars(
            sa.select(Order).where(Order.id == order_id)
            .with_for_update(skip_locked=True, of=Order).execution_options(populate_existing=True)
        ).unique().one_or_none()
        if order is None:
            report.busy += 1
            continue
        if order.state != sm.QUOTE:
            continue  # accepted or cancelled meanwhile
        shop_day = workflow.today(order.shop, now)
        if order.quote_valid_until is None or order.quote_valid_until >= shop_day:
            continue  # still valid where the shop is
        if order_id in editing:
            report.deferred.append(order.number)
            continue
        try:
            with db.session.begin_nested():
                outcome = workflow.fire_order_event(access, order, "expire", system=True, on=shop_day)
                if outcome.decision.allowed:
                    audit.record(access, "order.expire", order, shop_id=order.shop_id,
                                 valid_until=order.quote_valid_until.isoformat() if order.quote_valid_until else None)
                    report.expired.append(order.number)
        except DomainError:
            log.exception("quote %s could not be expired", order_id)
    return report
