"""What each kind of import does with one record, through the owning domain's services.

An importer turns a record (a CSV row or a JSON object) into service calls and says what
happened: ``created``, ``updated`` or ``matched`` (an existing customer found by email in
the shop's sharing group: never a duplicate). Errors are the services' own (``Invalid``,
``Conflict``...), reported per row by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from shopadmin.catalogue import services as catalogue
from shopadmin.core.access import Access, Permission
from shopadmin.core.errors import Invalid, Message, NotFound
from shopadmin.customers import services as customers
from shopadmin.orders import services as orders
from shopadmin.tenants.models import Shop

ADDRESS_KEYS = ("name", "company", "line1", "line2", "city", "postcode", "region", "country", "phone")


def invalid(field: str, message: Message) -> Invalid:
    return Invalid(_l("Some fields are invalid."), fields={field: [message]})


def _text(record: dict[str, Any], key: str, default: str = "") -> str:
    value = record.get(key)
    return default if value is None else str(value).strip()


def _int(record: dict[str, Any], key: str) -> int:
    value = record.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid(key, _l("A whole number.")) from None


def _date(record: dict[str, Any], key: str) -> date | None:
    value = _text(record, key)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(key, _l("A date: YYYY-MM-DD.")) from None


def _list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part for part in str(value or "").replace(",", " ").split() if part]


def _address(record: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    """``{"shipping_address": {...}}`` (JSON) or flat ``shipping_line1``... columns (CSV)."""
    nested = record.get(f"{prefix}_address")
    if isinstance(nested, dict):
        return nested
    flat = {key: _text(record, f"{prefix}_{key}") for key in ADDRESS_KEYS if _text(record, f"{prefix}_{key}")}
    return flat or None


@dataclass(frozen=True)
class Importer:
    kind: str
    permission: Permission  # on the target shop, besides what the services check
    columns: Sequence[str]  # documented on the screen and in --help
    apply: Callable[[Access, Shop, dict[str, Any]], str]
    grouped: bool = False  # orders: CSV lines with the same ``order_ref`` make one order


def _customer_input(shop: Shop, record: dict[str, Any]) -> customers.CustomerInput:
    addresses = []
    for kind in ("shipping", "billing"):
        address = _address(record, kind)
        if address:
            addresses.append({"kind": kind, **address})
    if isinstance(record.get("addresses"), list):
        addresses = record["addresses"]
    return customers.CustomerInput(
        shop=shop.code, email=_text(record, "email") or _text(record, "customer_email"),
        first_name=_text(record, "first_name"), last_name=_text(record, "last_name"),
        type=_text(record, "type", "b2c") or "b2c", company=_text(record, "company"),
        phone=_text(record, "phone"), locale=_text(record, "locale") or None, tags=_list(record.get("tags")),
        addresses=addresses,
    )


def match_or_create_customer(access: Access, shop: Shop, record: dict[str, Any]) -> tuple[Any, str]:
    """The customer with the record's email in the shop's sharing group (registered with the
    shop if needed), or a new one."""
    email = _text(record, "email") or _text(record, "customer_email")
    if not email:
        raise invalid("email", _l("This field is required."))
    existing = customers.find_in_group(shop, email)
    if existing is not None:
        customers.ensure_registered(access, existing, shop)
        return existing, "matched"
    return customers.create_customer(access, _customer_input(shop, record)), "created"


def import_customer(access: Access, shop: Shop, record: dict[str, Any]) -> str:
    return match_or_create_customer(access, shop, record)[1]


def import_product(access: Access, shop: Shop, record: dict[str, Any]) -> str:
    sku = catalogue.clean_sku(_text(record, "sku"))
    try:
        product = catalogue.get_product(access, shop, sku)
    except NotFound:
        catalogue.create_product(access, shop, catalogue.ProductInput(
            sku=sku, name=_text(record, "name"), price=_text(record, "price"),
            tax_class=_text(record, "tax_class", "standard") or "standard",
            availability=_text(record, "availability", "standard") or "standard",
            release_date=_date(record, "release_date")))
        return "created"
    changes: dict[str, Any] = {key: _text(record, key) for key in ("name", "price", "tax_class", "availability")
                               if _text(record, key)}
    if _text(record, "release_date"):
        changes["release_date"] = _date(record, "release_date")
    catalogue.update_product(access, product, changes)
    return "updated"


def import_stock(access: Access, shop: Shop, record: dict[str, Any]) -> str:
    catalogue.set_stock(access, shop, _text(record, "sku"), warehouse=_text(record, "warehouse") or None,
                        quantity=_int(record, "quantity"))
    return "updated"


def import_order(access: Access, shop: Shop, record: dict[str, Any]) -> str:
    """One order: its customer matched by email (or created), then captured like any order."""
    lines = record.get("lines")
    if not isinstance(lines, list) or not lines:
        raise invalid("lines", _l("An order needs at least one line."))
    customer, _ = match_or_create_customer(access, shop, record)
    items = []
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            raise invalid(f"lines.{index}", _l("An object with sku and quantity."))
        price = line.get("unit_price")
        items.append(orders.LineInput(sku=_text(line, "sku"), quantity=_int(line, "quantity"),
                                      unit_price=price if price not in (None, "") else None))
    ref = _text(record, "order_ref") or _text(record, "ref")
    orders.place_order(access, orders.OrderInput(
        shop=shop.code, customer_id=customer.id, lines=items,
        channel=_text(record, "channel", "api") or "api",
        currency=_text(record, "currency") or None,
        shipping_address=_address(record, "shipping"), billing_address=_address(record, "billing"),
        payment_flow=_text(record, "payment_flow", "prepay") or "prepay",
        attributes={"import_ref": ref} if ref else {},
    ))
    return "created"


CUSTOMER_COLUMNS = ("email", "first_name", "last_name", "type", "company", "phone", "locale", "tags",
                    *(f"shipping_{key}" for key in ADDRESS_KEYS))

IMPORTERS: dict[str, Importer] = {
    "customers": Importer("customers", Permission.CUSTOMER_CREATE, CUSTOMER_COLUMNS, import_customer),
    "products": Importer("products", Permission.PRODUCT_MANAGE,
                         ("sku", "name", "price", "tax_class", "availability", "release_date"), import_product),
    "stock": Importer("stock", Permission.STOCK_MANAGE, ("sku", "warehouse", "quantity"), import_stock),
    "orders": Importer("orders", Permission.ORDER_CAPTURE,
                       ("order_ref", "customer_email", "first_name", "last_name", "channel", "currency",
                        "payment_flow", "sku", "quantity", "unit_price",
                        *(f"shipping_{key}" for key in ADDRESS_KEYS)), import_order, grouped=True),
}


def group_order_lines(records: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """CSV: one line per order line, grouped by ``order_ref`` (the first line carries the order's
    fields). JSON objects with ``lines`` pass through."""
    grouped: dict[str, tuple[int, dict[str, Any]]] = {}
    out: list[tuple[int, dict[str, Any]]] = []
    for number, record in records:
        if isinstance(record.get("lines"), list):
            out.append((number, record))
            continue
        line = {"sku": record.get("sku"), "quantity": record.get("quantity"), "unit_price": record.get("unit_price")}
        ref = _text(record, "order_ref")
        if ref and ref in grouped:
            grouped[ref][1]["lines"].append(line)
            continue
        entry = (number, {**record, "lines": [line]})
        if ref:
            grouped[ref] = entry
        out.append(entry)
    return out
