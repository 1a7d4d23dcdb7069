"""What a mail needs to know about an order or a customer, read from their domains.

The orders and customers domains are built alongside this one, so they are imported
lazily and read through their services; callers may also pass what they know in the
notification's payload (``payload["order"]``, ``payload["customer"]``), which wins.
Everything is turned into plain dicts here: templates never see ORM objects.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Access
from shopadmin.core.errors import DomainError, Invalid


@dataclass
class CustomerInfo:
    id: int | None
    email: str | None
    locale: str | None
    first_name: str = ""
    last_name: str = ""
    # None: the customer has no preference on record (confirmation mails go out).
    wants_confirmations: bool | None = None

    def as_context(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "first_name": self.first_name, "last_name": self.last_name,
                "name": f"{self.first_name} {self.last_name}".strip(), "locale": self.locale}


@dataclass
class OrderInfo:
    id: int | None
    number: str = ""
    currency: str | None = None
    customer_id: int | None = None
    state: str = ""
    operator_id: int | None = None
    notify_customer: bool | None = None
    totals: dict[str, Any] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    warehouses: list[str] = field(default_factory=list)

    def as_context(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "currency": self.currency, "state": self.state,
                "totals": self.totals, "lines": self.lines}


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | int | float | str | bool) or value is None:
        return value
    if hasattr(value, "value") and hasattr(value, "name"):  # an enum
        return value.value
    return str(value)


def _first(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if not isinstance(obj, dict) and hasattr(obj, name):
            return getattr(obj, name)
    return default


def load_customer(access: Access, customer_id: int | None, given: dict[str, Any] | None = None) -> CustomerInfo | None:
    """The customer as mails see it; ``Invalid`` when it cannot be read at all."""
    record: Any = dict(given or {})
    if customer_id is not None and not record.get("email"):
        services = _module("shopadmin.customers.services")
        getter = getattr(services, "get_customer", None) if services else None
        if getter is None:
            raise Invalid(_l("Customer notifications need the customers domain (or payload['customer'])."),
                          code="customers_unavailable")
        try:
            record = getter(access, customer_id)
        except DomainError:
            raise
    if not record:
        return None
    preference = _first(record, "wants_order_emails", "order_confirmation_emails", "wants_order_confirmation")
    return CustomerInfo(
        id=_first(record, "id", default=customer_id),
        email=_first(record, "email"),
        locale=_first(record, "locale"),
        first_name=_first(record, "first_name", default="") or "",
        last_name=_first(record, "last_name", default="") or "",
        wants_confirmations=None if preference is None else bool(preference),
    )


def _lines(order: Any) -> list[dict[str, Any]]:
    result = []
    for line in _first(order, "lines", default=[]) or []:
        result.append({key: _plain(_first(line, key)) for key in
                       ("sku", "name", "quantity", "unit_price", "total")})
    return result


def _totals(order: Any) -> dict[str, Any]:
    totals = _first(order, "totals")
    if totals is None:
        totals = {key: _first(order, key) for key in ("subtotal", "tax", "charges", "total")}
    if not isinstance(totals, dict):
        totals = {key: _first(totals, key) for key in ("subtotal", "tax", "charges", "total")}
    return {key: _plain(value) for key, value in totals.items()}


def load_order(access: Access, order_id: int | None, given: dict[str, Any] | None = None) -> OrderInfo | None:
    record: Any = dict(given or {})
    if order_id is not None and not record.get("number"):
        services = _module("shopadmin.orders.services")
        getter = getattr(services, "get_order", None) if services else None
        if getter is None:
            raise Invalid(_l("Order notifications need the orders domain (or payload['order'])."),
                          code="orders_unavailable")
        record = getter(access, order_id)
    if not record:
        return None
    created_by = _first(record, "created_by", default=None)
    operator_id = _first(record, "operator_id", "created_by_operator_id", "assisted_by_id")
    if operator_id is None and isinstance(created_by, dict):
        operator_id = created_by.get("operator_id")
    state = _first(record, "state", default="")
    deliveries = _first(record, "deliveries", default=[]) or []
    warehouses = sorted({str(w) for d in deliveries if (w := _first(d, "warehouse")) is not None})
    return OrderInfo(
        id=_first(record, "id", default=order_id),
        number=str(_first(record, "number", default="") or ""),
        currency=_first(record, "currency"),
        customer_id=_first(record, "customer_id"),
        state=str(_plain(state) or ""),
        operator_id=operator_id,
        notify_customer=_first(record, "notify_customer"),
        totals=_totals(record),
        lines=_lines(record),
        warehouses=warehouses,
    )
