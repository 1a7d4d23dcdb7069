"""Customers: shared accounts, registrations, profile, address book, search.

Plain functions: they check access, flush, and never commit. Every public function may
raise ``NotFound`` (a customer or shop outside the caller's scope: the same answer as
an id never used), ``Forbidden`` (inside the scope, beyond the caller's role),
``Invalid`` (bad input, with the field named) and ``Conflict`` (a duplicate, a disabled
registration).

A customer is shared by the shops of its sharing group; the caller's role on *some*
visible shop of that group decides what they may do (``acting_shop_id``).
Activities, alerts and code lists live in ``customers.timeline``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from shopadmin.core import audit
from shopadmin.core.access import Access, Permission
from shopadmin.core.db import utcnow
from shopadmin.core.errors import Conflict, Forbidden, Invalid, NotFound
from shopadmin.core.security import MIN_PASSWORD_LENGTH, hash_password
from shopadmin.core.validation import clean_country, clean_email, clean_locale, clean_text, invalid
from shopadmin.customers.models import (
    AddressKind,
    AttributeDefinition,
    AttributeType,
    Customer,
    CustomerAddress,
    CustomerPrivateNote,
    CustomerShop,
    CustomerTag,
    CustomerType,
    group_key_for,
    shop_group_key,
)
from shopadmin.extensions import db
from shopadmin.tenants import services as tenants
from shopadmin.tenants.models import Shop

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()/.-]{3,40}$")
MAX_TAGS = 30
MAX_ADDRESSES = 50
MAX_NOTES = 10_000
MAX_PASSWORD_LENGTH = 1024
ATTRIBUTE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass
class AddressInput:
    kind: str
    name: str
    line1: str
    city: str
    country: str
    line2: str = ""
    postcode: str = ""
    region: str = ""
    company: str = ""
    phone: str = ""
    is_default: bool | None = None


@dataclass
class CustomerInput:
    shop: str
    email: str
    first_name: str = ""
    last_name: str = ""
    type: str = "b2c"
    company: str = ""
    department: str = ""
    phone: str = ""
    locale: str | None = None
    tags: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    password: str | None = None
    allow_assistance: bool = False
    wants_order_emails: bool = True


# -- scope and roles ---------------------------------------------------------------------


def group_shop_ids(customer: Customer) -> list[int]:
    """The shops of the customer's group that the session's caller sees (home shop first)."""
    ids = list(db.session.scalars(
        sa.select(Shop.id).where(shop_group_key() == customer.group_key).order_by(Shop.id)
    ))
    registered = [link.shop_id for link in customer.links if link.disabled_at is None]
    return sorted(ids, key=lambda shop_id: (shop_id != customer.home_shop_id, shop_id not in registered, shop_id))


def acting_shop_id(access: Access, customer: Customer, permission: Permission, shop_id: int | None = None) -> int:
    """The shop through which the caller may do ``permission`` on this customer.

    With ``shop_id`` the caller acts in that shop (it must be of the customer's group).
    Raises ``NotFound`` when no shop of the group is visible, ``Forbidden`` when none
    allows the action.
    """
    shops = group_shop_ids(customer)
    if shop_id is not None:
        access.require(permission, shop_id)
        if shop_id not in shops:
            raise invalid("shop", _l("This shop does not share this customer."))
        return shop_id
    visible = [candidate for candidate in shops if access.sees(candidate)]
    if not visible:
        raise NotFound(_l("No such customer."))
    for candidate in visible:
        if access.can(permission, candidate):
            return candidate
    raise Forbidden(_l("Your role does not allow this."), fields={"permission": str(permission)})


def get_customer(access: Access, customer_id: int, permission: Permission = Permission.CUSTOMER_VIEW, *,
                 lean: bool = False) -> Customer:
    """The customer with this id if the caller's shops share it, else ``NotFound``;
    ``Forbidden`` when the caller's role does not allow ``permission``.

    ``lean`` (order capture, on every order) loads tags, addresses and alerts only when read.
    """
    stmt = sa.select(Customer).where(Customer.id == customer_id)
    if lean:
        stmt = stmt.options(sa.orm.lazyload(Customer.tag_rows), sa.orm.lazyload(Customer.addresses),
                            sa.orm.lazyload(Customer.alerts))
    customer = db.session.scalars(stmt).one_or_none()
    if customer is None:
        raise NotFound(_l("No such customer."))
    acting_shop_id(access, customer, permission)
    return customer


def find_in_group(shop: Shop, email: str) -> Customer | None:
    """The customer with this email in the shop's sharing group (the caller sees the shop)."""
    return db.session.scalars(
        sa.select(Customer).where(Customer.group_key == group_key_for(shop), Customer.email == email.strip().lower())
    ).one_or_none()


SHOP_CODES_KEY = "customers.shop_codes"


def shop_code(shop_id: int | None) -> str | None:
    """A shop's code, for showing where a shared record comes from.

    Shops of the customer's group may be outside the caller's scope (staff of EU-2 see
    that the customer registered with EU-1), so this is a platform lookup of codes only,
    cached for the session (codes never change).
    """
    if shop_id is None:
        return None
    cache: dict[int, str] = db.session.info.setdefault(SHOP_CODES_KEY, {})
    if shop_id not in cache:
        rows = db.session.execute(sa.select(Shop.id, Shop.code).execution_options(all_shops=True))
        cache.update((row_id, code) for row_id, code in rows)
    return cache.get(shop_id)


def shop_codes(customer: Customer, *, active_only: bool = False) -> list[str]:
    return [shop_code(link.shop_id) or "?" for link in customer.links if not active_only or link.disabled_at is None]


# -- cleaning input ------------------------------------------------------------------------


def _customer_type(value: str | None) -> CustomerType:
    try:
        return CustomerType((value or "b2c").strip().lower())
    except ValueError:
        raise invalid("type", _l("Use 'b2c' or 'b2b'.")) from None


def clean_phone(value: str | None, field: str = "phone") -> str:
    phone = (value or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise invalid(field, _l("Digits, spaces and + - ( ) / . only, 3 to 40 characters."))
    return phone


def clean_tag(value: object, field: str = "tags") -> str:
    tag = value.strip().lower() if isinstance(value, str) else ""
    if not TAG_RE.match(tag):
        raise invalid(field, _l("'%(tag)s': tags are 1-40 lower-case letters, digits, '-' or '_'.", tag=value))
    return tag


def clean_tags(values: object, field: str = "tags") -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise invalid(field, _l("Send a list of tags."))
    tags = sorted({clean_tag(value, field) for value in values})
    if len(tags) > MAX_TAGS:
        raise invalid(field, _l("At most %(count)s tags.", count=MAX_TAGS))
    return tags


def clean_password(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) < MIN_PASSWORD_LENGTH:
        raise invalid("password", _l("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH))
    if len(value) > MAX_PASSWORD_LENGTH:
        raise invalid("password", _l("At most %(count)s characters.", count=MAX_PASSWORD_LENGTH))
    return hash_password(value)


def clean_address(data: AddressInput | dict[str, Any], field: str = "addresses") -> AddressInput:
    if isinstance(data, dict):
        known: dict[str, Any] = {key: data.get(key) for key in AddressInput.__dataclass_fields__ if key in data}
        data = AddressInput(**{"kind": "", "name": "", "line1": "", "city": "", "country": "", **known})

    def text(name: str, value: str | None, max_length: int, required: bool = False) -> str:
        if value is not None and not isinstance(value, str):
            raise invalid(f"{field}.{name}", _l("Send text."))
        return clean_text(value, f"{field}.{name}", max_length=max_length, required=required)

    try:
        kind = AddressKind((data.kind or "").strip().lower()).value
    except (ValueError, AttributeError):
        raise invalid(f"{field}.kind", _l("Use 'shipping' or 'billing'.")) from None
    return AddressInput(
        kind=kind,
        name=text("name", data.name, 200, required=True),
        company=text("company", data.company, 200),
        line1=text("line1", data.line1, 200, required=True),
        line2=text("line2", data.line2, 200),
        city=text("city", data.city, 100, required=True),
        postcode=text("postcode", data.postcode, 20),
        region=text("region", data.region, 50),
        country=clean_country(data.country if isinstance(data.country, str) else None, f"{field}.country"),
        phone=clean_phone(data.phone if isinstance(data.phone, str) else None, f"{field}.phone"),
        is_default=bool(data.is_default) if data.is_default is not None else None,
    )


def _check_one_default(addresses: Sequence[AddressInput | CustomerAddress]) -> None:
    for kind in AddressKind:
        defaults = [a for a in addresses if _kind_of(a) == kind.value and a.is_default]
        if len(defaults) > 1:
            raise invalid("addresses", _l("Only one default %(kind)s address.", kind=kind.value))


def _kind_of(address: AddressInput | CustomerAddress) -> str:
    return address.kind if isinstance(address.kind, str) else address.kind.value


def attribute_definitions(shop_ids: Iterable[int]) -> list[AttributeDefinition]:
    ids = sorted(set(shop_ids))
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(AttributeDefinition).where(AttributeDefinition.shop_id.in_(ids))
        .order_by(AttributeDefinition.shop_id, AttributeDefinition.position, AttributeDefinition.name)
    ))


def _attribute_value(definition: AttributeDefinition, value: Any) -> Any:
    field = f"attributes.{definition.name}"
    kind = definition.type
    if kind is AttributeType.STRING:
        if not isinstance(value, str):
            raise invalid(field, _l("Send text."))
        return clean_text(value, field, max_length=1000, required=False)
    if kind is AttributeType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise invalid(field, _l("Send a whole number."))
        try:
            return int(str(value).strip())
        except ValueError:
            raise invalid(field, _l("Send a whole number.")) from None
    if kind is AttributeType.DECIMAL:
        if isinstance(value, bool | float) or not isinstance(value, int | str):
            raise invalid(field, _l("Send a decimal string such as \"12.50\"."))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise invalid(field, _l("Send a decimal string such as \"12.50\".")) from None
        if not number.is_finite():
            raise invalid(field, _l("Send a decimal string such as \"12.50\"."))
        return str(number)
    if kind is AttributeType.BOOLEAN:
        if not isinstance(value, bool):
            raise invalid(field, _l("Send true or false."))
        return value
    if kind is AttributeType.DATE:
        try:
            return date.fromisoformat(value).isoformat() if isinstance(value, str) else _raise_date(field)
        except ValueError:
            raise invalid(field, _l("Send a date as YYYY-MM-DD.")) from None
    if kind is AttributeType.CHOICE:
        if value not in definition.choices:
            raise invalid(field, _l("Choose one of: %(choices)s.", choices=", ".join(definition.choices)))
        return value
    raise invalid(field, _l("Unknown attribute type."))  # pragma: no cover - the enum is closed


def _raise_date(field: str) -> Any:
    raise invalid(field, _l("Send a date as YYYY-MM-DD."))


def clean_attributes(
    values: object, definitions: Sequence[AttributeDefinition], *, required_from: Iterable[int] = ()
) -> dict[str, Any]:
    """Check values against the definitions; keys without a definition stay free-form scalars.

    Definitions of the shops in ``required_from`` make their required fields mandatory.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise invalid("attributes", _l("Send an object of name/value pairs."))
    by_name = {definition.name: definition for definition in definitions}
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not key or len(key) > 64:
            raise invalid("attributes", _l("Names are non-empty strings of at most 64 characters."))
        if value is None or value == "":
            continue
        definition = by_name.get(key)
        if definition is not None:
            cleaned[key] = _attribute_value(definition, value)
        elif isinstance(value, dict | list | float):
            raise invalid(f"attributes.{key}", _l("Values are text, whole numbers or booleans."))
        else:
            cleaned[key] = value
    required_shops = set(required_from)
    for definition in definitions:
        if definition.is_required and definition.shop_id in required_shops and definition.name not in cleaned:
            raise invalid(f"attributes.{definition.name}", _l("This field is required."))
    return cleaned


def search_text_for(customer: Customer, tags: Iterable[str]) -> str:
    """What the search matches: lower-case name, email, company, phone (and its digits), tags."""
    digits = re.sub(r"\D", "", customer.phone or "")
    parts = [
        customer.first_name, customer.last_name, customer.email, customer.company, customer.department,
        customer.phone, digits, *(f"#{tag}" for tag in tags),
    ]
    return " ".join(part for part in parts if part).lower()


# -- creating and registering ------------------------------------------------------------


def create_customer(access: Access, data: CustomerInput) -> Customer:
    """Register a new customer with ``data.shop``.

    An email already known in the shop's sharing group raises ``Conflict``
    (``customer_exists``, the existing ``id`` in ``fields``) instead of a duplicate.
    """
    shop = tenants.get_shop(access, data.shop)
    access.require(Permission.CUSTOMER_CREATE, shop.id)
    email = clean_email(data.email)
    first_name = clean_text(data.first_name, "first_name", max_length=100, required=False)
    last_name = clean_text(data.last_name, "last_name", max_length=100, required=False)
    company = clean_text(data.company, "company", max_length=200, required=False)
    if not (first_name or last_name or company):
        raise invalid("last_name", _l("Give a name or a company."))
    if not isinstance(data.addresses or [], list | tuple):
        raise invalid("addresses", _l("Send a list of addresses."))
    addresses = [clean_address(item, f"addresses.{index}") for index, item in enumerate(data.addresses or [])]
    if len(addresses) > MAX_ADDRESSES:
        raise invalid("addresses", _l("At most %(count)s addresses.", count=MAX_ADDRESSES))
    _check_one_default(addresses)
    tags = clean_tags(data.tags)
    attributes = clean_attributes(data.attributes, attribute_definitions([shop.id]), required_from=[shop.id])
    existing = find_in_group(shop, email)
    if existing is not None:
        raise _exists(existing)
    key = group_key_for(shop)
    customer = Customer(
        group_key=key,
        sharing_group_id=shop.sharing_group_id,
        home_shop_id=shop.id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        type=_customer_type(data.type),
        company=company,
        department=clean_text(data.department, "department", max_length=200, required=False),
        phone=clean_phone(data.phone),
        locale=clean_locale(data.locale) if data.locale else shop.locale,
        wants_order_emails=bool(data.wants_order_emails),
        allow_assistance=bool(data.allow_assistance),
        password_hash=clean_password(data.password),
        attributes=attributes,
    )
    customer.tag_rows = [CustomerTag(group_key=key, tag=tag) for tag in tags]
    customer.search_text = search_text_for(customer, tags)
    for kind in AddressKind:
        of_kind = [a for a in addresses if a.kind == kind.value]
        if of_kind and not any(a.is_default for a in of_kind):
            of_kind[0].is_default = True
    customer.addresses = [_address_row(key, a) for a in addresses]
    customer.links = [CustomerShop(group_key=key, shop_id=shop.id)]
    try:
        with db.session.begin_nested():
            db.session.add(customer)
            db.session.flush()
    except IntegrityError:
        # Two requests raced on the same email: the other one won.
        existing = find_in_group(shop, email)
        if existing is None:
            raise
        raise _exists(existing) from None
    audit.record(access, "customer.create", customer, shop_id=shop.id, email=email)
    return customer


def _exists(existing: Customer) -> Conflict:
    return Conflict(
        _l("A customer with this email already exists in this sharing group."),
        code="customer_exists",
        fields={"id": existing.id, "email": [_l("Already registered.")]},
    )


def _address_row(key: str, data: AddressInput) -> CustomerAddress:
    return CustomerAddress(
        group_key=key, kind=AddressKind(data.kind), name=data.name, company=data.company, line1=data.line1,
        line2=data.line2, city=data.city, postcode=data.postcode, region=data.region, country=data.country,
        phone=data.phone, is_default=bool(data.is_default),
    )


def ensure_registered(access: Access, customer: Customer, shop: Shop) -> CustomerShop:
    """Make sure the customer is registered with ``shop`` (idempotent); returns the link.

    Raises ``Invalid`` (field ``shop``) for a shop outside the customer's sharing group and
    ``Conflict`` (``customer_disabled``) when that shop has disabled the customer.
    """
    access.require(Permission.CUSTOMER_REGISTER, shop.id)
    if group_key_for(shop) != customer.group_key:
        raise invalid("shop", _l("This shop is not in the customer's sharing group."))
    link = next((link for link in customer.links if link.shop_id == shop.id), None)
    if link is not None:
        if link.disabled_at is not None:
            raise Conflict(_l("This shop has disabled the customer."), code="customer_disabled",
                           fields={"shop": [shop.code]})
        return link
    required = clean_attributes(customer.attributes, attribute_definitions([shop.id]), required_from=[shop.id])
    link = CustomerShop(group_key=customer.group_key, shop_id=shop.id, customer=customer)
    customer.attributes = required
    db.session.add(link)
    db.session.flush()
    audit.record(access, "customer.register", customer, shop_id=shop.id, shop=shop.code)
    return link


def register_with_shop(access: Access, customer_id: int, shop_code: str) -> Customer:
    """``POST /customers/{id}/shops``: the caller must see the customer and the shop."""
    customer = get_customer(access, customer_id)
    shop = tenants.get_shop(access, shop_code)
    ensure_registered(access, customer, shop)
    db.session.refresh(customer, ["links"])
    return customer


def set_link_disabled(access: Access, customer: Customer, shop: Shop, *, disabled: bool) -> CustomerShop:
    """A shop stops (or resumes) taking orders from the customer; other shops are untouched."""
    access.require(Permission.CUSTOMER_DISABLE, shop.id)
    link = next((link for link in customer.links if link.shop_id == shop.id), None)
    if link is None:
        raise invalid("shop", _l("The customer is not registered with this shop."))
    link.disabled_at = utcnow() if disabled else None
    db.session.flush()
    audit.record(access, "customer.disable" if disabled else "customer.enable", customer, shop_id=shop.id)
    return link


# -- changing the profile ------------------------------------------------------------------

UPDATABLE_FIELDS = (
    "email", "first_name", "last_name", "type", "company", "department", "phone", "locale", "tags",
    "attributes", "addresses", "password", "allow_assistance", "wants_order_emails",
)


def update_customer(access: Access, customer: Customer, changes: dict[str, Any]) -> Customer:
    """Change the shared profile. ``addresses`` replaces the address book when given."""
    shop_id = acting_shop_id(access, customer, Permission.CUSTOMER_EDIT)
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise Invalid(_l("These fields cannot be changed."),
                      fields={key: [_l("Cannot be changed.")] for key in sorted(unknown)})
    texts = {"first_name": 100, "last_name": 100, "company": 200, "department": 200}
    for key, value in changes.items():
        if key in texts:
            if value is not None and not isinstance(value, str):
                raise invalid(key, _l("Send text."))
            setattr(customer, key, clean_text(value, key, max_length=texts[key], required=False))
        elif key == "email":
            email = clean_email(value)
            if email != customer.email:
                clash = db.session.scalar(
                    sa.select(Customer.id).where(Customer.group_key == customer.group_key, Customer.email == email)
                )
                if clash:
                    raise Conflict(_l("Another customer of this sharing group has this email."),
                                   code="customer_exists", fields={"id": clash, "email": [_l("Already registered.")]})
                customer.email = email
        elif key == "type":
            customer.type = _customer_type(value)
        elif key == "phone":
            customer.phone = clean_phone(value)
        elif key == "locale":
            customer.locale = clean_locale(value)
        elif key == "password":
            customer.password_hash = clean_password(value) if value else customer.password_hash
        elif key in ("allow_assistance", "wants_order_emails"):
            setattr(customer, key, bool(value))
    if not (customer.first_name or customer.last_name or customer.company):
        raise invalid("last_name", _l("Give a name or a company."))
    if "attributes" in changes:
        registered = [link.shop_id for link in customer.links]
        customer.attributes = clean_attributes(
            changes["attributes"], attribute_definitions(registered), required_from=registered
        )
    if "tags" in changes:
        _set_tags(customer, clean_tags(changes["tags"]))
    if "addresses" in changes:
        if not isinstance(changes["addresses"], list):
            raise invalid("addresses", _l("Send a list of addresses."))
        replace_addresses(access, customer, changes["addresses"], _checked=True)
    customer.search_text = search_text_for(customer, customer.tags)
    db.session.flush()
    audit.record(access, "customer.update", customer, shop_id=shop_id,
                 fields=sorted(key for key in changes if key != "password"))
    return customer


def _set_tags(customer: Customer, tags: list[str]) -> None:
    current = {row.tag: row for row in customer.tag_rows}
    customer.tag_rows = [current.get(tag) or CustomerTag(group_key=customer.group_key, tag=tag) for tag in tags]


def add_tags(access: Access, customer_ids: Sequence[int], tags: Sequence[str]) -> int:
    """Bulk-tag visible customers (the list's action); returns how many were changed."""
    cleaned = clean_tags(list(tags))
    if not cleaned:
        raise invalid("tags", _l("Give at least one tag."))
    changed = 0
    for customer_id in customer_ids:
        customer = get_customer(access, customer_id, Permission.CUSTOMER_EDIT)
        merged = sorted(set(customer.tags) | set(cleaned))
        if merged != customer.tags:
            if len(merged) > MAX_TAGS:
                raise invalid("tags", _l("At most %(count)s tags.", count=MAX_TAGS))
            _set_tags(customer, merged)
            customer.search_text = search_text_for(customer, merged)
            changed += 1
    db.session.flush()
    if changed:
        audit.record(access, "customer.bulk_tag", "customers", shop_id=None, tags=cleaned, count=changed)
    return changed


def replace_addresses(access: Access, customer: Customer, items: Sequence[dict[str, Any] | AddressInput],
                      *, _checked: bool = False) -> list[CustomerAddress]:
    if not _checked:
        acting_shop_id(access, customer, Permission.CUSTOMER_EDIT)
    addresses = [clean_address(item, f"addresses.{index}") for index, item in enumerate(items)]
    if len(addresses) > MAX_ADDRESSES:
        raise invalid("addresses", _l("At most %(count)s addresses.", count=MAX_ADDRESSES))
    _check_one_default(addresses)
    for kind in AddressKind:
        of_kind = [a for a in addresses if a.kind == kind.value]
        if of_kind and not any(a.is_default for a in of_kind):
            of_kind[0].is_default = True
    customer.addresses = [_address_row(customer.group_key, a) for a in addresses]
    return customer.addresses


def add_address(access: Access, customer: Customer, data: AddressInput | dict[str, Any]) -> CustomerAddress:
    shop_id = acting_shop_id(access, customer, Permission.CUSTOMER_EDIT)
    if len(customer.addresses) >= MAX_ADDRESSES:
        raise invalid("addresses", _l("At most %(count)s addresses.", count=MAX_ADDRESSES))
    cleaned = clean_address(data, "address")
    same_kind = [a for a in customer.addresses if a.kind.value == cleaned.kind]
    if cleaned.is_default or not same_kind:
        for other in same_kind:
            other.is_default = False
        cleaned.is_default = True
    row = _address_row(customer.group_key, cleaned)
    customer.addresses.append(row)
    db.session.flush()
    audit.record(access, "customer.address_add", customer, shop_id=shop_id, address_id=row.id)
    return row


def get_address(access: Access, customer: Customer, address_id: int) -> CustomerAddress:
    address = next((a for a in customer.addresses if a.id == address_id), None)
    if address is None:
        raise NotFound(_l("No such address."))
    return address


def make_default_address(access: Access, customer: Customer, address_id: int) -> CustomerAddress:
    shop_id = acting_shop_id(access, customer, Permission.CUSTOMER_EDIT)
    address = get_address(access, customer, address_id)
    for other in customer.addresses:
        if other.kind is address.kind:
            other.is_default = other.id == address.id
    db.session.flush()
    audit.record(access, "customer.address_default", customer, shop_id=shop_id, address_id=address.id)
    return address


def delete_address(access: Access, customer: Customer, address_id: int) -> None:
    shop_id = acting_shop_id(access, customer, Permission.CUSTOMER_EDIT)
    address = get_address(access, customer, address_id)
    customer.addresses.remove(address)
    if address.is_default:
        successor = next((a for a in customer.addresses if a.kind is address.kind), None)
        if successor is not None:
            successor.is_default = True
    db.session.flush()
    audit.record(access, "customer.address_delete", customer, shop_id=shop_id, address_id=address_id)


def default_address(customer: Customer, kind: AddressKind) -> CustomerAddress | None:
    return next((a for a in customer.addresses if a.kind is kind and a.is_default), None)


# -- shop-private notes --------------------------------------------------------------------


def private_note(access: Access, customer: Customer, shop_id: int) -> CustomerPrivateNote | None:
    access.require(Permission.CUSTOMER_PRIVATE_NOTES, shop_id)
    return db.session.scalars(
        sa.select(CustomerPrivateNote).where(
            CustomerPrivateNote.customer_id == customer.id, CustomerPrivateNote.shop_id == shop_id
        )
    ).one_or_none()


def private_notes(access: Access, customer: Customer) -> list[CustomerPrivateNote]:
    """The private notes of the shops the caller sees (the guard hides the others)."""
    acting_shop_id(access, customer, Permission.CUSTOMER_VIEW)
    notes = db.session.scalars(
        sa.select(CustomerPrivateNote).where(CustomerPrivateNote.customer_id == customer.id)
        .order_by(CustomerPrivateNote.shop_id)
    )
    return [note for note in notes if access.can(Permission.CUSTOMER_PRIVATE_NOTES, note.shop_id)]


def set_private_note(access: Access, customer: Customer, shop: Shop, *, notes: str, tags: object = None
                     ) -> CustomerPrivateNote:
    """Set one shop's internal notes and tags about a customer of its group."""
    acting_shop_id(access, customer, Permission.CUSTOMER_PRIVATE_NOTES, shop.id)
    text = clean_text(notes, "notes", max_length=MAX_NOTES, required=False)
    cleaned_tags = clean_tags(tags, "private_tags")
    note = private_note(access, customer, shop.id)
    if note is None:
        note = CustomerPrivateNote(customer_id=customer.id, shop_id=shop.id)
        db.session.add(note)
    note.notes = text
    note.tags = cleaned_tags
    note.updated_by_id = access.user_id
    db.session.flush()
    audit.record(access, "customer.private_note", customer, shop_id=shop.id)
    return note


# -- search ----------------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_statement(
    *,
    q: str | None = None,
    tag: str | None = None,
    shop_id: int | None = None,
    customer_type: str | None = None,
    has_alert: bool | None = None,
) -> sa.Select[Customer]:
    """Customers matching a search; the scope guard adds the caller's shops on execution.

    ``q`` matches a substring of name, email, company, phone (or its digits) and tags
    (``#tag``), or a customer id. On PostgreSQL the substring test uses the trigram index
    on ``search_text``.
    """
    stmt = sa.select(Customer)
    text = (q or "").strip().lower()
    if text:
        condition: sa.ColumnElement[bool] = Customer.search_text.like(like_pattern(text), escape="\\")
        if text.lstrip("#").isdigit() and len(text.lstrip("#")) < 10:
            condition = sa.or_(condition, Customer.id == int(text.lstrip("#")))
        stmt = stmt.where(condition)
    if tag:
        tagged = sa.select(CustomerTag.customer_id).where(CustomerTag.tag == clean_tag(tag, "tag"))
        stmt = stmt.where(Customer.id.in_(tagged))
    if shop_id is not None:
        stmt = stmt.where(Customer.id.in_(sa.select(CustomerShop.customer_id).where(CustomerShop.shop_id == shop_id)))
    if customer_type:
        stmt = stmt.where(Customer.type == _customer_type(customer_type))
    if has_alert is not None:
        from shopadmin.customers.models import CustomerAlert

        active = sa.select(CustomerAlert.customer_id).where(CustomerAlert.cleared_at.is_(None))
        stmt = stmt.where(Customer.id.in_(active) if has_alert else Customer.id.not_in(active))
    return stmt


def search_customers(
    access: Access,
    *,
    q: str | None = None,
    tag: str | None = None,
    shop: str | None = None,
    customer_type: str | None = None,
    has_alert: bool | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[Customer]:
    """A page of visible customers in id order (keyset: ``after_id``), never counted."""
    if not access.sees_all_shops and not access.can_anywhere(Permission.CUSTOMER_VIEW):
        raise Forbidden(_l("Your role does not allow this."), fields={"permission": str(Permission.CUSTOMER_VIEW)})
    shop_id = tenants.get_shop(access, shop).id if shop else None
    stmt = search_statement(q=q, tag=tag, shop_id=shop_id, customer_type=customer_type, has_alert=has_alert)
    if after_id is not None:
        stmt = stmt.where(Customer.id > after_id)
    # A result page shows a summary: no address book, no sharing-group join.
    stmt = stmt.options(sa.orm.lazyload(Customer.addresses), sa.orm.lazyload(Customer.sharing_group))
    return list(db.session.scalars(stmt.order_by(Customer.id).limit(limit)))


def export_rows(access: Access, *, q: str | None = None, batch: int = 1000) -> Iterator[list[object]]:
    """Rows for the CSV export: the visible customers of the groups where the caller may export.

    Read in id-keyset batches, so a large export streams instead of loading everything.
    """
    allowed = access.shops_allowing(Permission.CUSTOMER_EXPORT)
    if allowed is not None and not allowed:
        raise Forbidden(_l("Your role does not allow this."), fields={"permission": str(Permission.CUSTOMER_EXPORT)})
    stmt = search_statement(q=q)
    if allowed is not None:
        keys = sa.select(shop_group_key()).where(Shop.id.in_(sorted(allowed)))
        stmt = stmt.where(Customer.group_key.in_(keys))
    last_id = 0
    while True:
        customers = db.session.scalars(stmt.where(Customer.id > last_id).order_by(Customer.id).limit(batch)).all()
        if not customers:
            return
        for customer in customers:
            yield [
                customer.id, customer.email, customer.first_name, customer.last_name, customer.type.value,
                customer.company, customer.department, customer.phone, customer.locale, " ".join(customer.tags),
                " ".join(shop_codes(customer, active_only=True)), customer.allow_assistance,
                customer.created_at.isoformat(),
            ]
        last_id = customers[-1].id
        for customer in customers:  # keep the identity map small on long exports
            for child in (*customer.links, *customer.tag_rows, *customer.addresses, *customer.alerts):
                db.session.expunge(child)
            db.session.expunge(customer)
