"""Shops and tax rules. Plain functions: they check access, flush, and never commit.

Every function raises ``NotFound`` for a shop outside the caller's scope, ``Forbidden``
beyond the caller's role and ``Invalid``/``Conflict`` for bad or clashing input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from shopadmin.core import audit
from shopadmin.core.access import Access, Grant, Permission
from shopadmin.core.db import set_access
from shopadmin.core.errors import Conflict, Forbidden, Invalid, NotFound
from shopadmin.core.validation import (
    clean_code,
    clean_country,
    clean_currency,
    clean_decimal,
    clean_email,
    clean_locale,
    clean_text,
    clean_timezone,
    invalid,
)
from shopadmin.extensions import db
from shopadmin.tenants.models import SharingGroup, Shop, ShopKind, TaxRule


@dataclass
class ShopInput:
    code: str
    name: str
    kind: str = "b2c"
    master: str | None = None
    currency: str = "EUR"
    locale: str = "en"
    timezone: str = "UTC"
    sharing_group: str | None = None
    customer_assistance: bool = False
    email: str | None = None
    attributes: dict[str, Any] | None = None


def get_shop(access: Access, code: str) -> Shop:
    """The visible shop with this code, or ``NotFound``."""
    shop = db.session.scalars(sa.select(Shop).where(Shop.code == code)).one_or_none()
    if shop is None:
        raise NotFound(_l("No shop '%(code)s'.", code=code))
    access.require(Permission.SHOP_VIEW, shop.id)
    return shop


def get_shop_by_id(access: Access, shop_id: int) -> Shop:
    shop = db.session.scalars(sa.select(Shop).where(Shop.id == shop_id)).one_or_none()
    if shop is None:
        raise NotFound(_l("No such shop."))
    access.require(Permission.SHOP_VIEW, shop.id)
    return shop


def list_shops(access: Access, *, after_id: int | None = None, limit: int | None = None) -> list[Shop]:
    stmt = sa.select(Shop).order_by(Shop.id)
    if after_id is not None:
        stmt = stmt.where(Shop.id > after_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def _kind(value: str) -> ShopKind:
    try:
        return ShopKind((value or "").strip().lower())
    except ValueError:
        raise invalid("kind", _l("Use 'b2c' or 'b2b'.")) from None


def _sharing_group(name: str | None) -> SharingGroup | None:
    if name is None or not name.strip():
        return None
    name = clean_text(name, "sharing_group", max_length=80)
    group = db.session.scalars(sa.select(SharingGroup).where(SharingGroup.name == name)).one_or_none()
    if group is None:
        group = SharingGroup(name=name)
        db.session.add(group)
    return group


def _master(access: Access, code: str | None) -> Shop | None:
    if not code:
        return None
    master = db.session.scalars(
        sa.select(Shop).where(Shop.code == code).execution_options(all_shops=True)
    ).one_or_none()
    if master is None or not (access.sees_all_shops or access.sees(master.id)):
        raise invalid("master", _l("No shop '%(code)s'.", code=code))
    if master.kind is not ShopKind.B2B or master.master_id is not None:
        raise invalid("master", _l("A master shop must be a B2B shop that is not itself a sub-shop."))
    return master


def create_shop(access: Access, data: ShopInput) -> Shop:
    """Create a shop. Superadmins create any; an owner of a B2B master creates its sub-shops."""
    code = clean_code(data.code)
    name = clean_text(data.name, "name", max_length=200)
    kind = _kind(data.kind)
    master = _master(access, data.master)
    if master is None:
        access.require(Permission.SHOP_CREATE)
    else:
        access.require(Permission.SUBSHOP_CREATE, master.id)
    exists = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Shop)
        .where(sa.func.lower(Shop.code) == code.lower())
        .execution_options(all_shops=True)
    )
    if exists:
        raise Conflict(_l("A shop with code '%(code)s' exists.", code=code), code="duplicate",
                       fields={"code": [_l("Already taken.")]})
    shop = Shop(
        code=code,
        name=name,
        kind=kind,
        master=master,
        currency=clean_currency(data.currency),
        locale=clean_locale(data.locale),
        timezone=clean_timezone(data.timezone),
        sharing_group=_sharing_group(data.sharing_group),
        customer_assistance=bool(data.customer_assistance),
        email=clean_email(data.email) if data.email else None,
        attributes=_attributes(data.attributes),
    )
    db.session.add(shop)
    db.session.flush()
    if master is not None and not access.sees_all_shops:
        # The master-shop rule: whoever holds a role on the master now reaches the new sub-shop.
        master_grant = access.grants[master.id]
        access = access.with_grant(shop.id, Grant(master_grant.role, master_grant.via_shop_id))
        set_access(access)
    audit.record(access, "shop.create", shop, shop_id=shop.id, code=code)
    return shop


def _attributes(value: dict[str, Any] | None) -> dict[str, Any]:
    value = value or {}
    if not isinstance(value, dict):
        raise invalid("attributes", _l("Send an object of key/value pairs."))
    for key, item in value.items():
        if not isinstance(key, str) or not key or len(key) > 64:
            raise invalid("attributes", _l("Keys are non-empty strings of at most 64 characters."))
        if isinstance(item, dict | list):
            raise invalid("attributes", _l("%(key)s: values are strings, numbers, booleans or null.", key=key))
    return dict(value)


UPDATABLE_SHOP_FIELDS = (
    "name",
    "currency",
    "locale",
    "timezone",
    "customer_assistance",
    "email",
    "attributes",
    "sharing_group",
    "is_active",
)


def update_shop(access: Access, shop: Shop, changes: dict[str, Any]) -> Shop:
    """Change a shop's settings (manager and up). Unknown keys are refused."""
    access.require(Permission.SHOP_SETTINGS, shop.id)
    unknown = set(changes) - set(UPDATABLE_SHOP_FIELDS)
    if unknown:
        raise Invalid(
            _l("These fields cannot be changed."), fields={key: [_l("Cannot be changed.")] for key in sorted(unknown)}
        )
    cleaners: dict[str, Callable[[Any], Any]] = {
        "name": lambda v: clean_text(v, "name", max_length=200),
        "currency": clean_currency,
        "locale": clean_locale,
        "timezone": clean_timezone,
        "customer_assistance": bool,
        "is_active": bool,
        "email": lambda v: clean_email(v) if v else None,
        "attributes": _attributes,
    }
    for key, value in changes.items():
        if key == "sharing_group":
            if not access.sees_all_shops:
                raise Forbidden(_l("Only a superadmin may move a shop between sharing groups."))
            shop.sharing_group = _sharing_group(value)
        else:
            setattr(shop, key, cleaners[key](value))
    db.session.flush()
    audit.record(access, "shop.update", shop, shop_id=shop.id, fields=sorted(changes))
    return shop


def add_tax_rule(
    access: Access, shop: Shop, *, country: str, region: str | None, tax_class: str, rate: object
) -> TaxRule:
    access.require(Permission.TAX_RULE_MANAGE, shop.id)
    rule = TaxRule(
        shop_id=shop.id,
        country=clean_country(country),
        region=clean_text(region, "region", max_length=16, required=False).upper(),
        tax_class=clean_text(tax_class or "standard", "tax_class", max_length=32),
        rate=clean_decimal(rate, "rate", minimum=Decimal("0"), maximum=Decimal("0.9999"), places=4),
    )
    clash = db.session.scalar(
        sa.select(TaxRule.id).where(
            TaxRule.shop_id == shop.id,
            TaxRule.country == rule.country,
            TaxRule.region == rule.region,
            TaxRule.tax_class == rule.tax_class,
        )
    )
    if clash:
        raise Conflict(_l("This shop already has a rule for that country, region and tax class."), code="duplicate")
    db.session.add(rule)
    db.session.flush()
    audit.record(access, "tax_rule.create", rule, shop_id=shop.id, country=rule.country, rate=str(rule.rate))
    return rule


def delete_tax_rule(access: Access, rule: TaxRule) -> None:
    access.require(Permission.TAX_RULE_MANAGE, rule.shop_id)
    audit.record(access, "tax_rule.delete", rule, shop_id=rule.shop_id, country=rule.country)
    db.session.delete(rule)
    db.session.flush()


def list_tax_rules(access: Access, shop: Shop) -> list[TaxRule]:
    access.require(Permission.TAX_RULE_VIEW, shop.id)
    return list(
        db.session.scalars(
            sa.select(TaxRule)
            .where(TaxRule.shop_id == shop.id)
            .order_by(TaxRule.country, TaxRule.region, TaxRule.tax_class)
        )
    )


def tax_rate_for(shop_id: int, country: str, region: str | None, tax_class: str) -> Decimal | None:
    """The rate for an address: the region's rule wins over the country's."""
    rules = db.session.scalars(
        sa.select(TaxRule).where(
            TaxRule.shop_id == shop_id, TaxRule.country == country.upper(), TaxRule.tax_class == tax_class
        )
    ).all()
    by_region = {rule.region: rule.rate for rule in rules}
    return by_region.get((region or "").upper(), by_region.get(""))
