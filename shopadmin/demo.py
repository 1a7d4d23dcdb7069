"""``shopadmin demo``: a demo data set with shops of every kind and staff of every role.

Idempotent: what exists already (by shop code or user email) is kept, so it can run
again after an upgrade. Later domains add their demo data through ``DEMO_STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click
import sqlalchemy as sa

from shopadmin.core.access import Access, Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db
from shopadmin.staff import services as staff
from shopadmin.staff.models import Membership, User
from shopadmin.tenants import services as tenants
from shopadmin.tenants.models import Shop

DEMO_SHOPS = [
    tenants.ShopInput(code="HOME", name="Home & Garden", kind="b2c", currency="GBP", locale="en",
                      timezone="Europe/London", customer_assistance=True, email="service@home.example"),
    tenants.ShopInput(code="EU-1", name="Euro Outlet Berlin", kind="b2c", currency="EUR", locale="de",
                      timezone="Europe/Berlin", sharing_group="euro-outlets", customer_assistance=True,
                      email="service@eu1.example"),
    tenants.ShopInput(code="EU-2", name="Euro Outlet Paris", kind="b2c", currency="EUR", locale="fr",
                      timezone="Europe/Paris", sharing_group="euro-outlets", customer_assistance=True,
                      email="service@eu2.example"),
    tenants.ShopInput(code="MASTER", name="Wholesale Master", kind="b2b", currency="EUR", locale="en",
                      timezone="Europe/Berlin", customer_assistance=False, email="sales@master.example"),
    tenants.ShopInput(code="B2B-DE", name="Wholesale Germany", kind="b2b", master="MASTER", currency="EUR",
                      locale="de", timezone="Europe/Berlin", sharing_group="wholesale", customer_assistance=True,
                      email="sales@b2b-de.example"),
    tenants.ShopInput(code="B2B-FR", name="Wholesale France", kind="b2b", master="MASTER", currency="EUR",
                      locale="fr", timezone="Europe/Paris", sharing_group="wholesale", customer_assistance=True,
                      email="sales@b2b-fr.example"),
]

# (email, name, locale, superadmin, [(shop, role)])
DEMO_STAFF = [
    ("admin@demo.example", "Ada Admin", "en", True, []),
    ("owner@demo.example", "Olga Owner", "en", False, [("HOME", Role.OWNER)]),
    ("manager@demo.example", "Max Manager", "de", False, [("EU-1", Role.MANAGER), ("EU-2", Role.MANAGER)]),
    ("supervisor@demo.example", "Sam Supervisor", "en", False, [("EU-1", Role.SUPERVISOR)]),
    ("csr@demo.example", "Chloé CSR", "fr", False, [("EU-2", Role.CSR), ("HOME", Role.CSR)]),
    ("master@demo.example", "Mia Master", "en", False, [("MASTER", Role.OWNER)]),
    ("b2b-csr@demo.example", "Ben B2B", "de", False, [("B2B-DE", Role.CSR)]),
]

DEMO_TAX_RULES = {
    "HOME": [("GB", "standard", "0.20"), ("GB", "reduced", "0.05")],
    "EU-1": [("DE", "standard", "0.19"), ("DE", "reduced", "0.07"), ("FR", "standard", "0.20")],
    "EU-2": [("FR", "standard", "0.20"), ("FR", "reduced", "0.055"), ("DE", "standard", "0.19")],
    "B2B-DE": [("DE", "standard", "0.19")],
    "B2B-FR": [("FR", "standard", "0.20")],
}


@dataclass
class DemoContext:
    access: Access
    password: str
    logins: list[tuple[str, str]]


def _shops(ctx: DemoContext) -> None:
    existing = set(db.session.scalars(sa.select(Shop.code)))
    for spec in DEMO_SHOPS:
        if spec.code not in existing:
            tenants.create_shop(ctx.access, spec)
    for code, rules in DEMO_TAX_RULES.items():
        shop = tenants.get_shop(ctx.access, code)
        if tenants.list_tax_rules(ctx.access, shop):
            continue
        for country, tax_class, rate in rules:
            tenants.add_tax_rule(ctx.access, shop, country=country, region=None, tax_class=tax_class, rate=rate)


def _staff(ctx: DemoContext) -> None:
    for email, name, locale, superadmin, roles in DEMO_STAFF:
        user = staff.find_user_by_email(email) or staff.create_user(
            ctx.access, email=email, password=ctx.password, name=name, superadmin=superadmin, locale=locale
        )
        for code, role in roles:
            shop = tenants.get_shop(ctx.access, code)
            has = db.session.scalar(
                sa.select(Membership.id).where(Membership.user_id == user.id, Membership.shop_id == shop.id)
            )
            if not has:
                staff.add_member(ctx.access, shop, email=email, role=role, override_limit_pct=_limit(role))
        what = "superadmin" if superadmin else ", ".join(f"{role.label} of {code}" for code, role in roles)
        ctx.logins.append((email, what))


def _load_orders(ctx: DemoContext) -> None:
    from shopadmin.orders.demo import load

    load(ctx)


def _load_customers(ctx: DemoContext) -> None:
    from shopadmin.customers.demo import load

    load(ctx)


def _load_assistance(ctx: DemoContext) -> None:
    from shopadmin.assistance.demo import load

    load(ctx)


def _load_inbox(ctx: DemoContext) -> None:
    from shopadmin.inbox.demo import load

    load(ctx)


def _limit(role: Role) -> str:
    return {Role.CSR: "5", Role.SUPERVISOR: "15", Role.MANAGER: "30", Role.OWNER: "100"}[role]


# Later domains append their loaders here (customers, orders, ...); each runs in its own transaction.
DEMO_STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("shops", _shops),
    ("staff", _staff),
    ("customers", _load_customers),
    ("orders", _load_orders),
    ("assistance", _load_assistance),
    ("inbox", _load_inbox),
]


def load_demo(*, password: str = "demo-password") -> list[tuple[str, str]]:  # noqa: S107 - demo data
    access = system_access("demo")
    ctx = DemoContext(access=access, password=password, logins=[])
    with click.progressbar(DEMO_STEPS, label="Loading demo data", item_show_func=lambda s: s[0] if s else "") as steps:
        for _name, step in steps:
            with unit_of_work(access):
                step(ctx)
    return ctx.logins


__all__ = ["DEMO_STEPS", "DemoContext", "User", "load_demo"]
