"""Orders: capture, edit, events, blocks, payments, comments, versions, search.

Plain functions: they check access, flush, and never commit. Every public function may
raise ``NotFound`` (an order, shop or customer outside the caller's scope), ``Forbidden``
(beyond the role; ``override_limit`` for a price under the caller's override limit),
``Invalid`` (bad input, with the field named), ``Conflict`` (``insufficient_stock``,
``invalid_transition``, ``delivery_in_progress``), ``PreconditionFailed`` (a stale
version) and ``PreconditionRequired``.

Capture by a CSR screen, the API, the storefront and the email worker all go through
``place_order``; edits through ``update_order``. The state machine is in
``statemachine`` (the tables) and ``workflow`` (running them).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from shopadmin.catalogue import services as catalogue
from shopadmin.catalogue.models import Product
from shopadmin.core import audit
from shopadmin.core.access import Access, Permission
from shopadmin.core.db import utcnow
from shopadmin.core.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from shopadmin.core.money import ZERO, check_total, money_str, parse_money, percent_below, quantize
from shopadmin.core.validation import clean_country, clean_currency, clean_text, invalid
from shopadmin.customers import services as customers
from shopadmin.customers.models import AddressKind, Customer
from shopadmin.extensions import db
from shopadmin.orders import statemachine as sm
from shopadmin.orders import workflow
from shopadmin.orders.models import (
    Block,
    Delivery,
    IdempotencyKey,
    Order,
    OrderComment,
    OrderCounter,
    OrderEvent,
    OrderLine,
    OrderVersion,
    Payment,
    StockReservation,
)
from shopadmin.staff.models import Membership, User
from shopadmin.tenants import services as tenants
from shopadmin.tenants.models import Shop

log = logging.getLogger(__name__)

CHANNELS = ("phone", "web", "email", "store", "api")
PAYMENT_FLOWS = ("prepay", "on_delivery", "per_shipment", "external")
PAYMENT_STATUSES = ("authorized", "captured", "failed")
ADDRESS_FIELDS = ("name", "company", "line1", "line2", "city", "postcode", "region", "country", "phone")
MAX_LINES = 500
ORDER_NUMBER_RE = re.compile(r"^[A-Za-z0-9_-]+-[0-9]{6,}$")
MAX_QUANTITY = 1_000_000


@dataclass
class LineInput:
    sku: str
    quantity: object
    unit_price: object | None = None
    id: int | None = None


@dataclass
class OrderInput:
    shop: str
    customer_id: int
    lines: list[LineInput]
    channel: str = "phone"
    currency: str | None = None
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    payment_flow: str = "prepay"
    ship_together: bool = False
    notify_customer: bool | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    quote: bool = False
    cart: bool = False
    quote_valid_until: date | None = None
    charges: dict[str, Any] = field(default_factory=dict)


# -- loaders ---------------------------------------------------------------------------------


def get_order(access: Access, order_id: int, permission: Permission = Permission.ORDER_VIEW, *,
              for_update: bool = False) -> Order:
    """The order through the scope guard, or ``NotFound``; then ``permission`` on its shop."""
    stmt = sa.select(Order).where(Order.id == order_id)
    if for_update:
        # Serialises writers of one order, so a version check cannot race.
        stmt = stmt.with_for_update(of=Order).execution_options(populate_existing=True)
    order = db.session.scalars(stmt).unique().one_or_none()
    if order is None:
        raise NotFound(_l("No such order."))
    access.require(permission, order.shop_id)
    return order


def get_order_by_number(access: Access, number: str) -> Order:
    order = db.session.scalars(sa.select(Order).where(Order.number == number.strip().upper())).unique().first()
    if order is None:
        raise NotFound(_l("No such order."))
    access.require(Permission.ORDER_VIEW, order.shop_id)
    return order


def check_version(order: Order, expected: int | None) -> None:
    if expected is not None and expected != order.version:
        raise PreconditionFailed(
            _l("The order changed meanwhile (now version %(version)s); read it again.", version=order.version),
            code="stale_version", fields={"version": order.version},
        )


# -- capture ---------------------------------------------------------------------------------


def override_limit_pct(access: Access, shop_id: int) -> Decimal | None:
    """The caller's override limit on this shop, in percent; ``None``: no limit (superadmin)."""
    if access.sees_all_shops:
        return None
    grant = access.grants.get(shop_id)
    if grant is None or access.user_id is None:
        return ZERO
    if grant.override_limit_pct is not None:  # read with the memberships at sign-in
        return grant.override_limit_pct
    limit = db.session.scalar(
        sa.select(Membership.override_limit_pct).where(
            Membership.user_id == access.user_id, Membership.shop_id == grant.via_shop_id
        ).execution_options(all_shops=True)
    )
    return Decimal(limit) if limit is not None else ZERO


def next_number(shop: Shop) -> str:
    """A per-shop number a CSR can read out on the phone: ``OWN-000123``."""
    stmt = (sa.update(OrderCounter).where(OrderCounter.shop_id == shop.id)
            .values(last=OrderCounter.last + 1).returning(OrderCounter.last))
    value = db.session.execute(stmt).scalar()
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(OrderCounter(shop_id=shop.id, last=0))
        except IntegrityError:
            pass  # another capture created it meanwhile
        value = db.session.execute(stmt).scalar()
    return f"{shop.code.upper()}-{int(value or 0):06d}"


def _choice(value: str | None, options: Sequence[str], field: str) -> str:
    value = (value or "").strip().lower()
    if value not in options:
        raise invalid(field, _l("Use one of: %(options)s.", options=", ".join(options)))
    return value


def clean_address(value: object, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(field, _l("Send an address object."))
    address: dict[str, Any] = {}
    for key in ADDRESS_FIELDS:
        raw = value.get(key)
        if raw is not None and not isinstance(raw, str):
            raise invalid(f"{field}.{key}", _l("A string."))
        address[key] = (raw or "").strip()[:200]
    if not address["name"]:
        raise invalid(f"{field}.name", _l("This field is required."))
    address["country"] = clean_country(address["country"], f"{field}.country")
    address["region"] = address["region"].upper()
    return address


def _address_from_book(customer: Customer, kind: AddressKind) -> dict[str, Any] | None:
    book = customers.default_address(customer, kind) or next(
        (a for a in customer.addresses if a.kind is kind), None)
    if book is None:
        return None
    return {key: getattr(book, key, "") or "" for key in ADDRESS_FIELDS}


def _attributes(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("attributes", _l("Send an object of key/value pairs."))
    if len(value) > 100:
        raise invalid("attributes", _l("At most %(count)s attributes.", count=100))
    for key, item in value.items():
        if not isinstance(key, str) or not key or len(key) > 64:
            raise invalid("attributes", _l("Keys are non-empty strings of at most %(count)s characters.", count=64))
        if isinstance(item, dict | list):
            raise invalid("attributes", _l("%(key)s: values are strings, numbers, booleans or null.", key=key))
    return dict(value)


def _quantity(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, _l("A whole number."))
    if value <= 0:
        raise invalid(field, _l("Must be at least 1."))
    if value > MAX_QUANTITY:
        raise invalid(field, _l("At most %(count)s.", count=MAX_QUANTITY))
    return value


def _build_lines(access: Access, order: Order, items: Sequence[LineInput | dict[str, Any]]) -> list[OrderLine]:
    """Lines from the catalogue; existing lines (same id, else same SKU) keep their prices."""
    if not isinstance(items, list | tuple):
        raise invalid("lines", _l("Send a list of lines."))
    if len(items) > MAX_LINES:
        raise invalid("lines", _l("At most %(count)s lines.", count=MAX_LINES))
    parsed = [item if isinstance(item, LineInput) else _line_input(item, n) for n, item in enumerate(items)]
    products = catalogue.products_by_sku(order.shop_id, [item.sku for item in parsed if isinstance(item.sku, str)])
    existing_by_id = {line.id: line for line in order.lines}
    existing_by_sku = {line.sku: line for line in order.lines}
    limit = override_limit_pct(access, order.shop_id)
    result: list[OrderLine] = []
    problems: list[Invalid] = []  # every bad line at once: the CSR fixes them in one go
    for n, item in enumerate(parsed):
        try:
            result.append(_build_line(access, order, item, f"lines.{n}", products, existing_by_id, existing_by_sku,
                                      limit))
        except Invalid as exc:
            problems.append(exc)
        else:
            result[-1].position = n
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise Invalid(_l("%(count)s lines need a correction.", count=len(problems)),
                      fields={field: messages for exc in problems for field, messages in exc.fields.items()})
    skus = [line.sku for line in result]
    if len(set(skus)) != len(skus):
        raise invalid("lines", _l("Each SKU once per order; change the quantity instead."))
    return result


def _build_line(access: Access, order: Order, item: LineInput, where: str, products: dict[str, Product],
                existing_by_id: dict[int, OrderLine], existing_by_sku: dict[str, OrderLine],
                limit: Decimal | None) -> OrderLine:
    """One line from the catalogue (an existing line keeps its price unless overridden)."""
    if not isinstance(item.sku, str) or not item.sku.strip():
        raise invalid(f"{where}.sku", _l("This field is required."))
    product = products.get(item.sku.strip())
    if product is None or not product.is_active:
        raise invalid(f"{where}.sku", _l("No product %(sku)s in this shop.", sku=repr(item.sku)))
    quantity = _quantity(item.quantity, f"{where}.quantity")
    line = existing_by_id.get(item.id) if item.id is not None else existing_by_sku.get(product.sku)
    if item.id is not None and line is None:
        raise invalid(f"{where}.id", _l("No such line on this order."))
    if line is not None and line.product_id != product.id:
        raise invalid(f"{where}.sku", _l("A line keeps its product; remove it and add a new one."))
    price = parse_money(item.unit_price, order.currency, f"{where}.unit_price") if item.unit_price is not None else None
    if line is None:
        line = OrderLine(shop_id=order.shop_id, product_id=product.id, sku=product.sku, name=product.name,
                         group=product.availability.value, list_price=product.price, unit_price=product.price,
                         tax_class=product.tax_class)
    line.quantity = quantity
    if price is not None and price != line.unit_price:
        _check_override(access, order, product, price, limit, where)
        line.unit_price = price
        line.overridden_by_user_id = access.user_id if price != line.list_price else None
    return line


def _check_override(access: Access, order: Order, product: Product, price: Decimal, limit: Decimal | None,
                    where: str) -> None:
    below = percent_below(price, product.price)
    if limit is not None and below > limit:
        raise Forbidden(
            _l("%(sku)s: %(below)s%% under the list price; your limit is %(limit)s%%.",
               sku=product.sku, below=below.quantize(Decimal("0.1")), limit=limit),
            code="override_limit",
            fields={f"{where}.unit_price": [_l("At most %(limit)s%% under %(price)s.", limit=limit,
                                               price=money_str(product.price, order.currency))]},
        )


def _line_input(item: object, n: int) -> LineInput:
    if not isinstance(item, dict):
        raise invalid(f"lines.{n}", _l("Send a line object."))
    return LineInput(sku=item.get("sku"), quantity=item.get("quantity"),  # type: ignore[arg-type]
                     unit_price=item.get("unit_price"), id=item.get("id"))


def recompute_totals(order: Order) -> None:
    """Line totals, tax from the shop's rules for the ship-to country/region, per-currency rounding."""
    currency = order.currency
    country = (order.shipping_address or {}).get("country") or ""
    region = (order.shipping_address or {}).get("region") or None
    rates: dict[str, Decimal] = {}
    subtotal = tax = ZERO
    for n, line in enumerate(order.lines):
        if line.tax_class not in rates:
            rate = tenants.tax_rate_for(order.shop_id, country, region, line.tax_class) if country else None
            rates[line.tax_class] = rate if rate is not None else ZERO
        line.tax_rate = rates[line.tax_class]
        line.total = check_total(quantize(line.unit_price * line.quantity, currency), f"lines.{n}.quantity")
        line.tax = quantize(line.total * line.tax_rate, currency)
        subtotal += line.total
        tax += line.tax
    order.subtotal = check_total(subtotal, "lines")
    order.tax = tax
    order.total = check_total(subtotal + tax + order.charges, "lines")


def _search_text(order: Order) -> str:
    parts = [order.number, order.customer_name, order.customer_email, order.ship_to_name]
    return " ".join(part for part in parts if part).lower()


def _set_charges(order: Order, charges: object) -> None:
    if charges is None:
        return
    if not isinstance(charges, dict):
        raise invalid("charges", _l("Send {shipping, handling, misc}."))
    for key in ("shipping", "handling", "misc"):
        if key in charges:
            setattr(order, f"{key}_charge", parse_money(charges[key], order.currency, f"charges.{key}"))


def place_order(access: Access, data: OrderInput, *, customer_id_as_creator: int | None = None) -> Order:
    """Capture an order (or save a cart or quote). Standard lines must be in stock."""
    shop = tenants.get_shop(access, data.shop)
    access.require(Permission.ORDER_CAPTURE, shop.id)
    currency = clean_currency(data.currency or shop.currency)
    if currency != shop.currency:
        raise invalid("currency", _l("This shop sells in %(currency)s.", currency=shop.currency))
    if isinstance(data.customer_id, bool) or not isinstance(data.customer_id, int):
        raise invalid("customer_id", _l("A customer id."))
    try:
        customer = customers.get_customer(access, data.customer_id, lean=True)
    except NotFound:
        raise invalid("customer_id", _l("No such customer.")) from None
    customers.ensure_registered(access, customer, shop)
    if data.quote and data.cart:
        raise invalid("quote", _l("A quote or a cart, not both."))
    state = sm.QUOTE if data.quote else sm.CART if data.cart else sm.PENDING
    order = Order(
        shop_id=shop.id, shop=shop, customer_id=customer.id, state=state,
        channel=_choice(data.channel, CHANNELS, "channel"),
        currency=currency,
        payment_flow=_choice(data.payment_flow, PAYMENT_FLOWS, "payment_flow"),
        ship_together=bool(data.ship_together),
        notify_customer=data.notify_customer,
        attributes=_attributes(data.attributes),
        customer_name=customer.name, customer_email=customer.email,
        quote_valid_until=data.quote_valid_until if data.quote else None,
        created_by_user_id=access.user_id if customer_id_as_creator is None else None,
        created_by_customer_id=customer_id_as_creator,
        operator_id=access.operator_id,
        held_by_user_id=access.user_id if state in (sm.CART, sm.QUOTE) else None,
        version=1, lines=[], deliveries=[], payments=[], blocks=[], is_suspended=False, active_blocks=0,
        shipping_charge=ZERO, handling_charge=ZERO, misc_charge=ZERO, paid=ZERO, refunded=ZERO,
        created_at=utcnow(), updated_at=utcnow(), state_changed_at=utcnow(),
    )
    shipping = data.shipping_address if data.shipping_address is not None else _address_from_book(
        customer, AddressKind.SHIPPING)
    if shipping is None:
        raise invalid("shipping_address", _l("This field is required (the customer has no shipping address)."))
    order.shipping_address = clean_address(shipping, "shipping_address")
    billing = data.billing_address if data.billing_address is not None else (
        _address_from_book(customer, AddressKind.BILLING) or order.shipping_address)
    order.billing_address = clean_address(billing, "billing_address")
    order.ship_to_name = order.shipping_address["name"]
    _set_charges(order, data.charges)
    if not data.lines and state == sm.PENDING:
        raise invalid("lines", _l("An order needs at least one line."))
    order.lines = _build_lines(access, order, data.lines)
    recompute_totals(order)
    order.number = next_number(shop)
    order.search_text = _search_text(order)
    db.session.add(order)
    db.session.flush()
    if state == sm.PENDING:
        run = workflow.Run(access=access, order=order, apply=True)
        workflow.plan_deliveries(run, new_order=True)
    write_version(access, order, [{"field": "state", "from": None, "to": state}], "created")
    db.session.add(OrderEvent(shop_id=order.shop_id, order_id=order.id, event="place", from_state="",
                              to_state=state, allowed=True, effects=[], actor=access.actor,
                              user_id=access.user_id, operator_id=access.operator_id))
    audit.record(access, "order.place", order, shop_id=shop.id, number=order.number, state=state)
    if state == sm.PENDING:
        notify(access, order, "order_placed", {})
    db.session.flush()
    return order


# -- versions --------------------------------------------------------------------------------


def snapshot(order: Order) -> dict[str, Any]:
    cur = order.currency
    return {
        "state": order.state,
        "is_suspended": order.is_suspended,
        "channel": order.channel,
        "payment_flow": order.payment_flow,
        "ship_together": order.ship_together,
        "notify_customer": order.notify_customer,
        "attributes": dict(order.attributes or {}),
        "shipping_address": dict(order.shipping_address or {}),
        "billing_address": dict(order.billing_address or {}),
        "lines": [{"sku": line.sku, "name": line.name, "quantity": line.quantity,
                   "unit_price": money_str(line.unit_price, cur), "total": money_str(line.total, cur)}
                  for line in order.lines],
        "deliveries": [{"id": d.id, "group": d.group, "state": d.state} for d in order.deliveries],
        "charges": {"shipping": money_str(order.shipping_charge, cur),
                    "handling": money_str(order.handling_charge, cur), "misc": money_str(order.misc_charge, cur)},
        "totals": {"subtotal": money_str(order.subtotal, cur), "tax": money_str(order.tax, cur),
                   "charges": money_str(order.charges, cur), "total": money_str(order.total, cur)},
        "blocks": sum(1 for b in order.blocks if b.is_active),
        "quote_valid_until": order.quote_valid_until.isoformat() if order.quote_valid_until else None,
    }


def diff(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """What changed between two snapshots, one entry per leaf (lines keyed by SKU)."""
    changes: list[dict[str, Any]] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        name = f"{prefix}{key}"
        if key == "lines" and isinstance(old, list) and isinstance(new, list):
            changes += diff({row["sku"]: row for row in old}, {row["sku"]: row for row in new}, "lines.")
        elif key == "deliveries" and isinstance(old, list) and isinstance(new, list):
            changes += diff({str(row["id"]): row for row in old}, {str(row["id"]): row for row in new},
                            "deliveries.")
        elif isinstance(old, dict) and isinstance(new, dict):
            changes += diff(old, new, name + ".")
        elif old != new:
            changes.append({"field": name, "from": old, "to": new})
    return changes


def _last_snapshot(order: Order) -> dict[str, Any]:
    row = db.session.scalars(
        sa.select(OrderVersion.snapshot).where(OrderVersion.shop_id == order.shop_id,
                                               OrderVersion.order_id == order.id)
        .order_by(OrderVersion.number.desc()).limit(1)
    ).first()
    return row or {}


def write_version(access: Access, order: Order, changes: list[dict[str, Any]] | None, reason: str) -> OrderVersion:
    """Bump the order's version and keep the order as it is now, with what changed."""
    db.session.flush()
    after = snapshot(order)
    if order.id is not None and changes is not None and reason != "created":
        computed = diff(_last_snapshot(order), after)
        changes = computed or changes
        order.version += 1
        order.updated_at = utcnow()
    version = OrderVersion(shop_id=order.shop_id, order_id=order.id, number=order.version, user_id=access.user_id,
                           operator_id=access.operator_id, actor=access.actor, reason=reason[:500],
                           changes=changes or [], snapshot=after)
    db.session.add(version)
    db.session.flush()
    return version


def list_versions(access: Access, order: Order) -> list[OrderVersion]:
    return list(db.session.scalars(
        sa.select(OrderVersion).where(OrderVersion.shop_id == order.shop_id, OrderVersion.order_id == order.id)
        .order_by(OrderVersion.number.desc())
    ))


def get_version(access: Access, order: Order, number: int) -> OrderVersion:
    version = db.session.scalars(
        sa.select(OrderVersion).where(OrderVersion.shop_id == order.shop_id, OrderVersion.order_id == order.id,
                                      OrderVersion.number == number)
    ).one_or_none()
    if version is None:
        raise NotFound(_l("No such version of this order."))
    return version


def history(access: Access, order: Order) -> list[OrderEvent]:
    return list(db.session.scalars(
        sa.select(OrderEvent).where(OrderEvent.shop_id == order.shop_id, OrderEvent.order_id == order.id)
        .order_by(OrderEvent.id.desc())
    ))


# -- edit ------------------------------------------------------------------------------------

UPDATABLE = ("lines", "shipping_address", "billing_address", "ship_together", "attributes", "charges",
             "notify_customer", "channel", "payment_flow", "quote_valid_until")


def update_order(access: Access, order: Order, changes: dict[str, Any], *, reason: str = "",
                 expected_version: int | None = None) -> Order:
    """Change an order and write a new version. A stale ``expected_version``: 412."""
    access.require(Permission.ORDER_EDIT, order.shop_id)
    check_version(order, expected_version)
    unknown = set(changes) - set(UPDATABLE) - {"reason"}
    if unknown:
        raise Invalid(_l("These fields cannot be changed."),
                      fields={key: [_l("Cannot be changed.")] for key in sorted(unknown)})
    if order.state not in sm.EDITABLE_ORDER_STATES:
        raise Conflict(_l("An order in state %(state)s can no longer be changed.", state=repr(order.state)),
                       code="not_editable",
                       fields={"state": order.state})
    reason = clean_text(reason, "reason", max_length=500, required=False)
    replan = False
    if "lines" in changes:
        if order.state == sm.PENDING and not changes["lines"]:
            raise invalid("lines", _l("An order needs at least one line."))
        if any(d.state in (sm.D_PACKING, sm.D_READY, sm.D_SHIPPED) for d in order.deliveries):
            raise Conflict(_l("A delivery is being packed or has shipped; its lines cannot change."),
                           code="delivery_in_progress")
        new_lines = _build_lines(access, order, changes["lines"])
        order.lines = new_lines
        replan = True
    if "shipping_address" in changes:
        order.shipping_address = clean_address(changes["shipping_address"], "shipping_address")
        order.ship_to_name = order.shipping_address["name"]
    if "billing_address" in changes:
        order.billing_address = clean_address(changes["billing_address"], "billing_address")
    if "ship_together" in changes and bool(changes["ship_together"]) != order.ship_together:
        order.ship_together = bool(changes["ship_together"])
        replan = True
    if "attributes" in changes:
        order.attributes = _attributes(changes["attributes"])
    if "charges" in changes:
        before = {key: getattr(order, f"{key}_charge") for key in CHARGE_KINDS}
        _set_charges(order, changes["charges"])
        _check_charge_cuts(access, order, before)
    if "notify_customer" in changes:
        order.notify_customer = None if changes["notify_customer"] is None else bool(changes["notify_customer"])
    if "channel" in changes:
        order.channel = _choice(changes["channel"], CHANNELS, "channel")
    if "payment_flow" in changes:
        order.payment_flow = _choice(changes["payment_flow"], PAYMENT_FLOWS, "payment_flow")
    if "quote_valid_until" in changes and order.state == sm.QUOTE:
        order.quote_valid_until = changes["quote_valid_until"]
    recompute_totals(order)
    order.search_text = _search_text(order)
    db.session.flush()
    if replan and order.state not in (sm.CART, sm.QUOTE):
        _replan(access, order)
    version = write_version(access, order, [], reason or "edited")
    audit.record(access, "order.update", order, shop_id=order.shop_id, version=order.version,
                 fields=sorted(k for k in changes if k != "reason"))
    if not version.changes:
        # Nothing changed after all: no new version.
        db.session.delete(version)
        order.version -= 1
        db.session.flush()
    return order


CHARGE_KINDS = ("shipping", "handling", "misc")


def _check_charge_cuts(access: Access, order: Order, before: dict[str, Decimal]) -> None:
    """Lowering a charge is a discount: within the caller's override limit, as for prices
    (``Forbidden`` ``override_limit``). Raising one, or setting one that was zero, is not."""
    limit = override_limit_pct(access, order.shop_id)
    if limit is None:
        return
    for key, old in before.items():
        new = getattr(order, f"{key}_charge")
        below = percent_below(new, old)
        if new < old and below > limit:
            was = money_str(old, order.currency)
            raise Forbidden(
                _l("%(kind)s charge: %(below)s%% under %(was)s; your limit is %(limit)s%%.",
                   kind=key, below=below.quantize(Decimal("0.1")), was=was, limit=limit),
                code="override_limit",
                fields={f"charges.{key}": [_l("At most %(limit)s%% under %(price)s.", limit=limit, price=was)]},
            )


def _replan(access: Access, order: Order) -> None:
    """Give back what the open deliveries hold, then split and reserve again (all or nothing)."""
    run = workflow.Run(access=access, order=order, apply=True)
    open_ones = [d for d in order.deliveries if d.state in sm.OPEN_DELIVERY_STATES]
    workflow.release_reservations(run, open_ones)
    for line in order.lines:
        line.delivery_id = None
    db.session.flush()
    for delivery in open_ones:
        order.deliveries.remove(delivery)
    db.session.flush()
    workflow.plan_deliveries(run)
    workflow.settle_deliveries(access, order)


# -- events ----------------------------------------------------------------------------------


def fire_event(access: Access, order: Order, event: str, *, dry_run: bool = False) -> workflow.Outcome:
    """Send an event to the order. A refusal is written to the history and returned."""
    access.require(Permission.ORDER_VIEW, order.shop_id)
    outcome = workflow.fire_order_event(access, order, event, dry_run=dry_run)
    if outcome.decision.allowed and not dry_run:
        workflow.settle_deliveries(access, order)
        audit.record(access, f"order.{event}", order, shop_id=order.shop_id, to=outcome.decision.target)
    return outcome


def get_delivery(order: Order, delivery_id: int) -> Any:
    delivery = next((d for d in order.deliveries if d.id == delivery_id), None)
    if delivery is None:
        raise NotFound(_l("No such delivery on this order."))
    return delivery


def fire_delivery_event(access: Access, order: Order, delivery_id: int, event: str, *,
                        dry_run: bool = False) -> workflow.Outcome:
    access.require(Permission.ORDER_VIEW, order.shop_id)
    delivery = get_delivery(order, delivery_id)
    outcome = workflow.fire_delivery_event(access, order, delivery, event, dry_run=dry_run)
    if outcome.decision.allowed and not dry_run:
        audit.record(access, f"delivery.{event}", order, shop_id=order.shop_id, delivery_id=delivery.id)
    return outcome


def stock_arrived(access: Access, shop_id: int, product_id: int) -> None:
    """Back-order allocation: waiting deliveries with this product take the new stock, oldest first."""
    rows = db.session.scalars(
        sa.select(Order).join(OrderLine, sa.and_(OrderLine.shop_id == Order.shop_id, OrderLine.order_id == Order.id))
        .where(Order.shop_id == shop_id, OrderLine.product_id == product_id,
               Order.state.in_((sm.PENDING, sm.WAITING_PAYMENT, sm.IN_PROGRESS, sm.PARTIALLY_SHIPPED)))
        .order_by(Order.id)
    ).unique().all()
    for order in rows:
        for delivery in list(order.deliveries):
            if delivery.state != sm.D_WAIT_INVENTORY:
                continue
            outcome = workflow.fire_delivery_event(access, order, delivery, "stock_arrived", system=True)
            if outcome.decision.allowed:
                workflow.settle_deliveries(access, order)


catalogue.STOCK_LISTENERS.append(stock_arrived)


def release_preorders(access: Access, on: date | None = None) -> int:
    """Preorders whose release date came in their shop's time zone: reserve and move on (a
    daily job). ``on`` narrows the run to release dates up to that day."""
    from shopadmin.orders.models import Delivery

    # Every zone's today is within a day of UTC's: read that far, decide per shop below.
    latest = on or workflow.today() + timedelta(days=1)
    deliveries = db.session.scalars(
        sa.select(Delivery).where(Delivery.state == sm.D_WAIT_DATE, Delivery.release_date <= latest)
        .order_by(Delivery.id)
    ).all()
    moved = 0
    for delivery in deliveries:
        order = get_order(access, delivery.order_id)
        if delivery.release_date is not None and delivery.release_date > workflow.today(order.shop):
            continue  # not yet that day where the shop is
        outcome = workflow.fire_delivery_event(access, order, delivery, "release", system=True)
        if outcome.decision.allowed:
            workflow.settle_deliveries(access, order)
            moved += 1
    return moved


# -- blocks ----------------------------------------------------------------------------------


def add_block(access: Access, order: Order, reason: str) -> Block:
    access.require(Permission.BLOCK_ADD, order.shop_id)
    block = Block(shop_id=order.shop_id, reason=clean_text(reason, "reason", max_length=500),
                  created_by_id=access.user_id)
    order.blocks.append(block)
    order.active_blocks += 1
    db.session.flush()
    _note_event(access, order, "block", f"block {block.id}: {block.reason}")
    write_version(access, order, [], f"blocked: {block.reason}")
    audit.record(access, "order.block", order, shop_id=order.shop_id, block_id=block.id)
    return block


def release_block(access: Access, order: Order, block_id: int) -> Block:
    access.require(Permission.BLOCK_RELEASE, order.shop_id)
    block = next((b for b in order.blocks if b.id == block_id), None)
    if block is None:
        raise NotFound(_l("No such block on this order."))
    if block.is_active:
        block.is_active = False
        block.released_by_id = access.user_id
        block.released_at = utcnow()
        order.active_blocks = max(0, order.active_blocks - 1)
        db.session.flush()
        _note_event(access, order, "release_block", f"block {block.id} released")
        write_version(access, order, [], f"block released: {block.reason}")
        audit.record(access, "order.release_block", order, shop_id=order.shop_id, block_id=block.id)
    return block


def _note_event(access: Access, order: Order, event: str, text: str) -> None:
    db.session.add(OrderEvent(shop_id=order.shop_id, order_id=order.id, event=event, from_state=order.state,
                              to_state=order.state, allowed=True, effects=[text], actor=access.actor,
                              user_id=access.user_id, operator_id=access.operator_id))


# -- payments --------------------------------------------------------------------------------


def record_payment(access: Access, order: Order, *, method: str, amount: object, status: str,
                   reference: str | None = None) -> Payment:
    """A payment, or a gateway's callback (a capture with the reference of an authorization settles it)."""
    access.require(Permission.PAYMENT_RECORD, order.shop_id)
    status = _choice(status, PAYMENT_STATUSES, "status")
    method = clean_text(method, "method", max_length=32)
    value = parse_money(amount, order.currency, "amount")
    if value <= 0:
        raise invalid("amount", _l("Must be more than zero."))
    reference = clean_text(reference, "reference", max_length=128, required=False)
    earlier = next((p for p in order.payments if reference and p.reference == reference and p.status == "authorized"),
                   None)
    if earlier is not None and status in ("captured", "failed"):
        if status == "captured" or earlier.status == "authorized":
            order.paid -= earlier.amount
        earlier.status, earlier.amount = status, value
        payment = earlier
    else:
        payment = Payment(shop_id=order.shop_id, method=method, amount=value, currency=order.currency, status=status,
                          reference=reference, user_id=access.user_id)
        order.payments.append(payment)
    if status in ("authorized", "captured"):
        order.paid += value
    db.session.flush()
    event = "payment_failed" if status == "failed" else "payment_confirmed"
    outcome = workflow.fire_order_event(access, order, event, system=True,
                                        payload={"payment_id": payment.id, "amount": money_str(value, order.currency)})
    if outcome.decision.allowed:
        workflow.settle_deliveries(access, order)
    else:
        write_version(access, order, [], f"payment {status}")
    audit.record(access, "order.payment", order, shop_id=order.shop_id, payment_id=payment.id, status=status,
                 amount=str(value))
    return payment


# -- comments, clone, hand-over --------------------------------------------------------------


def add_comment(access: Access, order: Order, text: str, *, notify_customer: bool = False) -> OrderComment:
    access.require(Permission.ORDER_COMMENT, order.shop_id)
    comment = OrderComment(shop_id=order.shop_id, order_id=order.id,
                           text=clean_text(text, "text", max_length=10_000), notify_customer=bool(notify_customer),
                           user_id=access.user_id, actor=access.actor)
    db.session.add(comment)
    db.session.flush()
    if comment.notify_customer:
        notify(access, order, "comment_sent", {"comment": comment.text, "comment_id": comment.id,
                                               "ref": f"comment-{comment.id}"})
    return comment


def list_comments(access: Access, order: Order) -> list[OrderComment]:
    return list(db.session.scalars(
        sa.select(OrderComment).where(OrderComment.shop_id == order.shop_id, OrderComment.order_id == order.id)
        .order_by(OrderComment.id.desc())
    ))


def clone_order(access: Access, order: Order) -> Order:
    """A new cart in the same shop with the same customer, lines (current prices), addresses."""
    access.require(Permission.ORDER_CAPTURE, order.shop_id)
    data = OrderInput(
        shop=order.shop.code, customer_id=order.customer_id, channel=order.channel, currency=order.currency,
        lines=[LineInput(sku=line.sku, quantity=line.quantity) for line in order.lines],
        shipping_address=dict(order.shipping_address), billing_address=dict(order.billing_address),
        payment_flow=order.payment_flow, ship_together=order.ship_together, attributes=dict(order.attributes or {}),
        cart=True,
    )
    clone = place_order(access, data)
    clone.source_order_id = order.id
    db.session.flush()
    return clone


def order_staff(access: Access, shop_id: int) -> list[User]:
    """Active staff who may take orders in this shop: members of it or of its master shop."""
    access.require(Permission.ORDER_VIEW, shop_id)
    master_id = db.session.scalar(sa.select(Shop.master_id).where(Shop.id == shop_id)
                                  .execution_options(all_shops=True))
    shop_ids = [shop_id] + ([master_id] if master_id else [])
    return list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.shop_id.in_(shop_ids), User.active.is_(True), User.is_system.is_(False))
        .order_by(User.name, User.email).distinct()
        # Who works on a shop the caller sees is a platform lookup (memberships are per shop).
        .execution_options(all_shops=True)
    ))


def hand_over(access: Access, order: Order, user_id: object, *, reason: str = "",
              expected_version: int | None = None) -> Order:
    """Give a saved cart or quote to another member of the shop's staff.

    The holder hands over their own (an order nobody holds yet is anyone's to hand over);
    someone else's takes a supervisor (``ORDER_HAND_OVER_ANY``). Raises ``NotFound`` and
    ``Forbidden`` (``not_holder``), ``Conflict`` (``invalid_transition``: not a cart or quote),
    ``Invalid`` (``user_id``: unknown user, or not staff of the order's shop) and
    ``PreconditionFailed`` (a stale ``expected_version``). Handing to the holder changes nothing.
    """
    access.require(Permission.ORDER_EDIT, order.shop_id)
    check_version(order, expected_version)
    if order.state not in (sm.CART, sm.QUOTE):
        raise Conflict(_l("Only saved carts and quotes are handed over."), code="invalid_transition",
                       fields={"state": order.state})
    holder = order.held_by_user_id
    if holder not in (None, access.user_id) and not access.can(Permission.ORDER_HAND_OVER_ANY, order.shop_id):
        raise Forbidden(_l("Only the holder or a supervisor may hand this order over."), code="not_holder",
                        fields={"held_by": holder})
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise invalid("user_id", _l("A user id."))
    reason = clean_text(reason, "reason", max_length=400, required=False)
    target = db.session.scalar(sa.select(User).where(User.id == user_id).execution_options(all_shops=True))
    if target is None or not target.is_active:
        raise invalid("user_id", _l("No such user."))
    if target.id not in {user.id for user in order_staff(access, order.shop_id)}:
        raise invalid("user_id", _l("%(email)s is not staff of shop %(shop)s.", email=target.email,
                                     shop=order.shop.code))
    if holder == target.id:
        return order
    order.held_by_user_id = target.id
    names = _user_labels({holder, target.id} - {None})  # type: ignore[arg-type]
    text = f"handed over to {names[target.id]}" + (f": {reason}" if reason else "")
    _note_event(access, order, "hand_over", text)
    write_version(access, order, [{"field": "held_by", "from": names.get(holder) if holder else None,
                                   "to": names[target.id]}], text)
    audit.record(access, "order.hand_over", order, shop_id=order.shop_id, from_user_id=holder, to_user_id=target.id)
    return order


def _user_labels(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.name, User.email).where(User.id.in_(sorted(user_ids)))
                              .execution_options(all_shops=True)).all()
    return {row.id: row.name or row.email for row in rows}


def user_labels(access: Access, user_ids: set[int]) -> dict[int, str]:
    """Display names of staff users by id (one query), for grids and histories."""
    return _user_labels({uid for uid in user_ids if uid is not None})


# -- notifications ---------------------------------------------------------------------------


def order_payload(order: Order) -> dict[str, Any]:
    cur = order.currency
    return {
        "id": order.id, "number": order.number, "state": order.state, "currency": cur,
        "total": money_str(order.total, cur), "customer_name": order.customer_name,
        "lines": [{"sku": line.sku, "name": line.name, "quantity": line.quantity,
                   "unit_price": money_str(line.unit_price, cur), "total": money_str(line.total, cur)}
                  for line in order.lines],
        "shipping_address": dict(order.shipping_address or {}),
    }


def notify(access: Access, order: Order, event: str, payload: dict[str, Any]) -> None:
    """Ask the notifications domain for the emails of ``event`` (an outbox row in this transaction)."""
    try:
        from shopadmin.notifications.services import request_notification
    except ImportError:  # the notifications domain is not installed in this build
        return
    body = {"order": order_payload(order), "notify_customer": order.notify_customer,
            "operator_id": access.operator_id, **{k: v for k, v in payload.items() if v is not None}}
    # The customer is usually in the session already (capture loaded it): hand it over
    # rather than have the notifications domain read it, with its collections, again.
    known = db.session.identity_map.get(identity_key(Customer, order.customer_id))
    if known is not None and "customer" not in body:
        body["customer"] = {"id": known.id, "email": known.email, "locale": known.locale,
                            "first_name": known.first_name, "last_name": known.last_name,
                            "wants_order_emails": known.wants_order_emails}
    request_notification(access, event=event, shop_id=order.shop_id, order_id=order.id,
                         customer_id=order.customer_id, payload=body)


workflow.hooks.notify = notify
def _write_version_hook(access: Access, order: Order, changes: list[dict[str, Any]], reason: str) -> None:
    write_version(access, order, changes, reason)


workflow.hooks.write_version = _write_version_hook


# -- idempotency -----------------------------------------------------------------------------


def request_hash(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def find_idempotent(access: Access, shop: Shop, key: str) -> IdempotencyKey | None:
    return db.session.scalars(
        sa.select(IdempotencyKey).where(IdempotencyKey.shop_id == shop.id, IdempotencyKey.key == key)
    ).one_or_none()


def remember_idempotent(access: Access, shop: Shop, key: str, digest: str, order: Order,
                        response: dict[str, Any]) -> None:
    db.session.add(IdempotencyKey(shop_id=shop.id, key=key, request_hash=digest, user_id=access.user_id,
                                  order_id=order.id, status_code=201, response=response))
    db.session.flush()


# -- search ----------------------------------------------------------------------------------


@dataclass
class OrderQuery:
    q: str | None = None
    state: str | None = None
    shop: str | None = None
    customer_id: int | None = None
    channel: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    worklist: str | None = None


WORKLISTS = ("waiting_payment", "blocked", "pending_too_long", "carts_and_quotes", "suspended")
PENDING_TOO_LONG_DAYS = 3


def search_statement(access: Access, query: OrderQuery) -> sa.Select[Any]:
    """The orders matching ``query``; the search box understands typed prefixes:

    ``#OWN-000123`` number (a prefix matches), ``@ann@example.com`` customer email,
    ``&SKU`` orders with that SKU, ``!SKU`` orders holding that SKU in reservation,
    anything else: number, customer name or email, or ship-to name (a fragment).
    """
    stmt: sa.Select[Any] = sa.select(Order)
    if query.shop:
        shop = tenants.get_shop(access, query.shop)
        stmt = stmt.where(Order.shop_id == shop.id)
    if query.state:
        states = [s.strip() for s in query.state.split(",") if s.strip()]
        bad = [s for s in states if s not in sm.ORDER_STATES]
        if bad:
            raise invalid("state", _l("Unknown state: %(states)s.", states=", ".join(bad)))
        stmt = stmt.where(Order.state.in_(states))
    if query.customer_id is not None:
        stmt = stmt.where(Order.customer_id == query.customer_id)
    if query.channel:
        stmt = stmt.where(Order.channel == _choice(query.channel, CHANNELS, "channel"))
    if query.created_from:
        stmt = stmt.where(Order.created_at >= query.created_from)
    if query.created_to:
        stmt = stmt.where(Order.created_at < query.created_to)
    if query.worklist:
        stmt = _worklist(stmt, query.worklist)
    text = (query.q or "").strip()
    if text:
        stmt = _text_filter(stmt, text)
    return stmt


def _worklist(stmt: sa.Select[Any], name: str) -> sa.Select[Any]:
    if name == "waiting_payment":
        return stmt.where(Order.state == sm.WAITING_PAYMENT)
    if name == "blocked":
        return stmt.where(Order.active_blocks > 0)
    if name == "suspended":
        return stmt.where(Order.is_suspended.is_(True))
    if name == "pending_too_long":
        from datetime import timedelta

        return stmt.where(Order.state == sm.PENDING,
                          Order.state_changed_at < utcnow() - timedelta(days=PENDING_TOO_LONG_DAYS))
    if name == "carts_and_quotes":
        return stmt.where(Order.state.in_((sm.CART, sm.QUOTE)))
    raise invalid("worklist", _l("Use one of: %(options)s.", options=", ".join(WORKLISTS)))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _text_filter(stmt: sa.Select[Any], text: str) -> sa.Select[Any]:
    prefix, rest = text[0], text[1:].strip()
    if prefix == "#" and rest:
        return stmt.where(Order.number.like(rest.upper().replace("%", "") + "%"))
    if prefix == "@" and rest:
        return stmt.where(Order.customer_email == rest.lower())
    if prefix == "&" and rest:
        has_line = sa.select(OrderLine.id).where(OrderLine.shop_id == Order.shop_id, OrderLine.order_id == Order.id,
                                                 OrderLine.sku == rest).exists()
        return stmt.where(has_line)
    if prefix == "!" and rest:
        held = sa.select(StockReservation.id).where(StockReservation.shop_id == Order.shop_id,
                                                    StockReservation.order_id == Order.id,
                                                    StockReservation.sku == rest).exists()
        return stmt.where(held)
    if ORDER_NUMBER_RE.match(text):
        # A whole order number: the number index answers it.
        return stmt.where(Order.number == text.upper())
    return stmt.where(Order.search_text.like(_like(text.lower()), escape="\\"))


def list_orders(access: Access, query: OrderQuery, *, after_id: int | None = None, limit: int = 50) -> list[Order]:
    """Newest first (keyset pagination on id), in the caller's shops."""
    if not access.sees_all_shops and not access.can_anywhere(Permission.ORDER_VIEW):
        raise Forbidden(_l("Your role does not allow this."))
    # A list item is a summary: payments and blocks are on the detail (``"blocked"`` says enough here).
    stmt = (search_statement(access, query).order_by(Order.id.desc()).limit(limit)
            .options(sa.orm.lazyload(Order.payments), sa.orm.lazyload(Order.blocks),
                     sa.orm.lazyload(Order.lines), sa.orm.lazyload(Order.deliveries)))
    if after_id is not None:
        stmt = stmt.where(Order.id < after_id)
    orders = list(db.session.scalars(stmt).unique())
    _load_lines_and_deliveries(orders)
    return orders


def _load_lines_and_deliveries(orders: Sequence[Order]) -> None:
    """Lines and deliveries of many orders in two plain queries.

    The relationships join on (shop, order), so their own eager loaders join the orders
    table again; reading the children by order id and filling the collections directly
    does the same work for less (the list and search pages, 50 orders at a time).
    """
    if not orders:
        return
    ids = [order.id for order in orders]
    shop_ids = sorted({order.shop_id for order in orders})
    lines: dict[int, list[OrderLine]] = {order_id: [] for order_id in ids}
    for line in db.session.scalars(sa.select(OrderLine).where(
            OrderLine.shop_id.in_(shop_ids), OrderLine.order_id.in_(ids)).order_by(OrderLine.position)):
        lines[line.order_id].append(line)
    deliveries: dict[int, list[Delivery]] = {order_id: [] for order_id in ids}
    for delivery in db.session.scalars(sa.select(Delivery).where(
            Delivery.shop_id.in_(shop_ids), Delivery.order_id.in_(ids)).order_by(Delivery.id)):
        deliveries[delivery.order_id].append(delivery)
    for order in orders:
        set_committed_value(order, "lines", lines[order.id])
        set_committed_value(order, "deliveries", deliveries[order.id])


def customer_orders(access: Access, customer_id: int, limit: int = 20) -> list[Order]:
    """For the customer detail screen: the customer's orders in the caller's shops."""
    return list_orders(access, OrderQuery(customer_id=customer_id), limit=limit)
