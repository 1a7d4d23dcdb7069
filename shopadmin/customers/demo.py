"""Demo customers: some in every shop, some shared within a sharing group, with addresses,
tags, activities and an alert. Idempotent: customers are found again by email."""

from __future__ import annotations

from typing import Any

from shopadmin.core.access import Access
from shopadmin.customers import activities, services
from shopadmin.customers.models import Customer
from shopadmin.tenants import services as tenants

# (shop, email, first, last, type, company, phone, tags, country, city, also registered with)
DEMO_CUSTOMERS: list[tuple[str, str, str, str, str, str, str, list[str], str, str, list[str]]] = [
    ("HOME", "emma.wilson@example.com", "Emma", "Wilson", "b2c", "", "+44 20 7946 0001", ["vip"], "GB", "London", []),
    ("HOME", "oliver.brown@example.com", "Oliver", "Brown", "b2c", "", "+44 161 496 0002", ["newsletter"], "GB",
     "Manchester", []),
    ("EU-1", "anna.schmidt@example.com", "Anna", "Schmidt", "b2c", "", "+49 30 901820", ["vip", "newsletter"], "DE",
     "Berlin", ["EU-2"]),
    ("EU-1", "lukas.weber@example.com", "Lukas", "Weber", "b2c", "", "+49 89 2180", [], "DE", "München", []),
    ("EU-2", "claire.martin@example.com", "Claire", "Martin", "b2c", "", "+33 1 44 55 66 77", ["newsletter"], "FR",
     "Paris", ["EU-1"]),
    ("EU-2", "hugo.bernard@example.com", "Hugo", "Bernard", "b2c", "", "+33 4 72 10 30 30", ["returns"], "FR",
     "Lyon", []),
    ("B2B-DE", "einkauf@baumarkt-nord.example", "Jonas", "Keller", "b2b", "Baumarkt Nord GmbH", "+49 40 3000",
     ["key-account"], "DE", "Hamburg", ["B2B-FR"]),
    ("B2B-FR", "achats@jardinerie-sud.example", "Léa", "Dubois", "b2b", "Jardinerie Sud SARL", "+33 4 91 00 00 00",
     ["trade"], "FR", "Marseille", []),
]


def _address(kind: str, name: str, company: str, city: str, country: str) -> dict[str, Any]:
    return {"kind": kind, "name": name, "company": company, "line1": "Demo Street 1" if kind == "shipping"
            else "PO Box 12", "city": city, "postcode": "12345", "country": country}


def load(ctx: Any) -> None:
    access: Access = ctx.access
    for shop_code, email, first, last, kind, company, phone, tags, country, city, others in DEMO_CUSTOMERS:
        shop = tenants.get_shop(access, shop_code)
        customer = services.find_in_group(shop, email)
        if customer is not None:
            continue
        name = f"{first} {last}"
        customer = services.create_customer(access, services.CustomerInput(
            shop=shop_code, email=email, first_name=first, last_name=last, type=kind, company=company,
            phone=phone, locale=shop.locale, tags=tags, allow_assistance=kind == "b2c",
            addresses=[_address("shipping", name, company, city, country),
                       _address("billing", name, company, city, country)],
        ))
        for other in others:
            services.ensure_registered(access, customer, tenants.get_shop(access, other))
        _timeline(access, customer, shop.id)


def _timeline(access: Access, customer: Customer, shop_id: int) -> None:
    activities.add_activity(access, customer, kind="call", subject="Asked about delivery times",
                            body="Explained standard and express delivery.", activity_code="delivery",
                            result_code="satisfied", shop_id=shop_id)
    activities.add_activity(access, customer, kind="note", subject="Prefers email contact",
                            body="Do not call before 10:00.", shop_id=shop_id)
    if "returns" in customer.tags:
        activities.flag_alert(access, customer, message="Many returns this quarter: check before refunding.",
                              shop_id=shop_id)
