"""Demo data for customer assistance: reason codes per shop, a protected customer, and
storefront passwords for a few customers (printed with the demo logins). Idempotent.

The demo's b2c customers allow assistance, and HOME, EU-1 and EU-2 have the switch on:
a CSR can assist Emma Wilson (HOME) or Anna Schmidt (EU-1 and EU-2) at once.
"""

from __future__ import annotations

from typing import Any

from shopadmin.assistance import services
from shopadmin.core.access import Access
from shopadmin.customers import services as customers
from shopadmin.tenants import services as tenants

# shop -> the reason codes its CSRs pick from ("code: label" per line, as in the settings form)
DEMO_REASON_CODES = {
    "HOME": "phone_order: Order by phone\norder_help: Help with an order\ndelivery: Where is my delivery?",
    "EU-1": "telefon: Telefonbestellung\nbestellung: Hilfe bei einer Bestellung\nkonto: Hilfe mit dem Konto",
    "EU-2": "telephone: Commande par téléphone\ncommande: Aide pour une commande\nreclamation: Réclamation",
}
# (shop, email): customers who can sign in to the storefront with the demo password
DEMO_STOREFRONT_CUSTOMERS = [("HOME", "emma.wilson@example.com"), ("EU-1", "anna.schmidt@example.com"),
                             ("EU-2", "claire.martin@example.com")]
# (shop, email, note): never assisted there
DEMO_PROTECTED = [("EU-2", "hugo.bernard@example.com", "Asked that staff never sign in to the account.")]


def load(ctx: Any) -> None:
    access: Access = ctx.access
    for code, text in DEMO_REASON_CODES.items():
        shop = tenants.get_shop(access, code)
        if services.settings_for(shop.id).id is None:
            services.update_settings(access, shop, session_minutes=30, notify_customer=code == "HOME",
                                     reason_codes_text=text)
    for code, email in DEMO_STOREFRONT_CUSTOMERS:
        shop = tenants.get_shop(access, code)
        customer = customers.find_in_group(shop, email)
        if customer is None:
            continue
        if customer.password_hash is None:
            customers.update_customer(access, customer, {"password": ctx.password})
        ctx.logins.append((email, f"storefront customer: /store/{code}/ (allows assistance)"))
    for code, email, note in DEMO_PROTECTED:
        shop = tenants.get_shop(access, code)
        customer = customers.find_in_group(shop, email)
        if customer is not None and not services.is_protected(shop.id, customer.id):
            services.protect_customer(access, shop, customer.id, note=note)
