"""The storefront: a customer signs in, keeps an address book, orders, confirms quotes.

Plain functions: they check access, flush, and never commit. The customer's own data is
reached through a ``customer_access`` (one shop, no staff role); every loader here also
checks that the record is the customer's, and the ORM's customer ring does it again.

While staff assists (``access.operator_id`` set) the password, the email, consent flags,
payment details and account deletion are out of reach (``Forbidden``), and the
customer's last sign-in is never touched. Errors: ``NotFound``, ``Forbidden``,
``Invalid``, ``Conflict`` as the domains raise them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shopadmin.catalogue import services as catalogue
from shopadmin.catalogue.models import Product, StockLevel
from shopadmin.core.access import Access
from shopadmin.core.db import customer_scoped, utcnow
from shopadmin.core.errors import Forbidden, Invalid, NotFound
from shopadmin.core.security import verify_password
from shopadmin.customers import services as customers
from shopadmin.customers.models import (
    Customer,
    CustomerActivity,
    CustomerAddress,
    CustomerShop,
    CustomerTag,
    group_key_for,
)
from shopadmin.extensions import db
from shopadmin.notifications.models import Notification
from shopadmin.orders import services as orders
from shopadmin.orders import statemachine as sm
from shopadmin.orders import workflow
from shopadmin.orders.models import (
    Block,
    Delivery,
    Order,
    OrderComment,
    OrderEvent,
    OrderLine,
    OrderVersion,
    Payment,
    StockReservation,
)
from shopadmin.storefront.models import StorefrontLogin
from shopadmin.tenants.models import Shop, TaxRule

RESET_MAX_AGE = 3600  # seconds a password-reset link works
# Stands for the reset token in the stored mail; URL-safe, so it survives quoting and escaping.
RESET_TOKEN_PLACEHOLDER = "TOKEN-ADDED-WHEN-SENT"  # noqa: S105 - no secret: a marker
PROFILE_FIELDS = ("first_name", "last_name", "company", "phone", "locale")
# Out of reach while staff assists: credentials, identity, consent, payment details, deletion.
ASSISTED_FORBIDDEN = ("password", "email", "allow_assistance", "wants_order_emails")
PAYMENT_FLOWS = ("prepay", "on_delivery")


def _own_orders(customer_id: int) -> Any:
    return sa.select(Order.id).where(Order.customer_id == customer_id).scalar_subquery()


# The customer ring (``core.db``): what a storefront customer may read of each model.
customer_scoped(Shop, None)
customer_scoped(TaxRule, None)
customer_scoped(Product, None)
customer_scoped(StockLevel, None)
customer_scoped(Customer, lambda customer_id: Customer.id == customer_id)
for _model in (CustomerAddress, CustomerShop, CustomerTag, CustomerActivity, StorefrontLogin):
    customer_scoped(_model, lambda customer_id, model=_model: model.customer_id == customer_id)  # type: ignore[misc]
customer_scoped(Order, lambda customer_id: Order.customer_id == customer_id)
for _child in (OrderLine, Delivery, Payment, Block, OrderVersion, OrderEvent, StockReservation, OrderComment):
    customer_scoped(_child, lambda customer_id, model=_child: model.order_id.in_(  # type: ignore[misc]
        _own_orders(customer_id)))


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def total(self) -> Any:
        return self.product.price * self.quantity


def is_assisted(access: Access) -> bool:
    return access.operator_id is not None


def refuse_while_assisted(access: Access, what: str) -> None:
    if is_assisted(access):
        raise Forbidden(_l("Staff assisting the customer cannot change this: %(what)s.", what=what), code="assisted")


def _shop_id(access: Access) -> int:
    shop_id = next(iter(access.grants), None)
    if shop_id is None or access.customer_id is None:
        raise NotFound(_l("Not found."))
    return shop_id


# -- shops and sign-in --------------------------------------------------------------------------


def storefront_shop(access: Access, code: str) -> Shop | None:
    """The active shop with this storefront code (a platform lookup)."""
    return db.session.scalars(sa.select(Shop).where(Shop.code == code, Shop.is_active.is_(True))).one_or_none()


def auth_fingerprint(customer: Customer) -> str:
    """Ties a session to the current password: changing it signs out every session."""
    key = str(current_app.secret_key or "").encode()
    return hmac.new(key, f"{customer.id}:{customer.password_hash or ''}".encode(), hashlib.sha256).hexdigest()[:32]


def _may_use_shop(customer: Customer, shop: Shop) -> bool:
    if group_key_for(shop) != customer.group_key:
        return False
    link = next((link for link in customer.links if link.shop_id == shop.id), None)
    if shop.sharing_group_id is None and link is None:
        return False
    return link is None or link.disabled_at is None


def signed_in_customer(access: Access, shop: Shop, customer_id: int, fingerprint: object) -> Customer | None:
    """The customer of a storefront session, if it still holds (same password, not disabled)."""
    customer = db.session.scalars(sa.select(Customer).where(Customer.id == customer_id)).one_or_none()
    if customer is None or not customer.password_hash or not _may_use_shop(customer, shop):
        return None
    if not isinstance(fingerprint, str) or not hmac.compare_digest(fingerprint, auth_fingerprint(customer)):
        return None
    return customer


def authenticate(access: Access, shop: Shop, email: str, password: str) -> Customer | None:
    """The customer of this shop with these credentials, or ``None`` (same cost either way).

    A successful sign-in records the time (``StorefrontLogin``); ``access`` is the platform.
    """
    customer = customers.find_in_group(shop, (email or "").strip().lower()) if email else None
    ok = verify_password(customer.password_hash if customer else None, password or "")
    if not ok or customer is None or not _may_use_shop(customer, shop):
        return None
    login = db.session.get(StorefrontLogin, customer.id)
    if login is None:
        login = StorefrontLogin(customer_id=customer.id, group_key=customer.group_key)
        db.session.add(login)
    login.last_login_at = utcnow()
    login.last_login_shop_id = shop.id
    db.session.flush()
    return customer


def last_login(customer_id: int) -> Any:
    login = db.session.scalars(sa.select(StorefrontLogin).where(StorefrontLogin.customer_id == customer_id)).first()
    return login.last_login_at if login else None


# -- password reset -------------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="storefront-password-reset")


def reset_token(customer: Customer, shop: Shop) -> str:
    """A signed token for one shop; it dies with the password it was made for (single use)."""
    return _reset_serializer().dumps({"c": customer.id, "s": shop.id, "f": auth_fingerprint(customer)})


def customer_for_reset_token(access: Access, shop: Shop, token: str) -> Customer | None:
    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or data.get("s") != shop.id or not isinstance(data.get("c"), int):
        return None
    customer = db.session.scalars(sa.select(Customer).where(Customer.id == data["c"])).one_or_none()
    if customer is None or not _may_use_shop(customer, shop):
        return None
    if not hmac.compare_digest(str(data.get("f")), auth_fingerprint(customer)):
        return None  # used already (the password changed since)
    return customer


def request_password_reset(access: Access, shop: Shop, email: str, link_for: Any) -> bool:
    """Mail a reset link when the email belongs to a customer of this shop (says nothing either way)."""
    customer = customers.find_in_group(shop, (email or "").strip().lower()) if email else None
    if customer is None or not _may_use_shop(customer, shop):
        return False
    from shopadmin.notifications.services import request_notification

    # The outbox row (which staff can read) gets a placeholder; the token is made when the
    # mail is sent (``reset_link_secrets``), and only for the customer's own address.
    request_notification(access, event="password_reset", shop_id=shop.id, customer_id=customer.id,
                         payload={"reset_url": link_for(RESET_TOKEN_PLACEHOLDER),
                                  "valid_minutes": RESET_MAX_AGE // 60})
    return True


def reset_link_secrets(row: Notification) -> dict[str, str]:
    """At delivery (``notifications.sendtime``): the placeholder -> a fresh reset token.

    Only for a mail to the customer's own current address in a shop they may use; any other
    recipient (a test send, an edited copy) gets ``{}``: the placeholder stays, the link is dead.
    """
    customer = db.session.scalars(sa.select(Customer).where(Customer.id == row.customer_id)).one_or_none()
    shop = db.session.scalars(sa.select(Shop).where(Shop.id == row.shop_id)).one_or_none()
    if customer is None or shop is None or row.audience != "customer" or not _may_use_shop(customer, shop):
        return {}
    if (row.recipient or "").strip().lower() != (customer.email or "").strip().lower():
        return {}
    return {RESET_TOKEN_PLACEHOLDER: reset_token(customer, shop)}


def reset_password(access: Access, shop: Shop, customer: Customer, password: str) -> Customer:
    """Set a new password from a reset link (``access`` is the platform: nobody is signed in)."""
    hashed = customers.clean_password(password)
    if hashed is None:
        raise Invalid(_l("Choose a password."), fields={"password": [_l("This field is required.")]})
    customer.password_hash = hashed
    db.session.flush()
    from shopadmin.core import audit

    audit.record(access, "customer.password_reset", customer, shop_id=shop.id)
    return customer


# -- the customer's own account ------------------------------------------------------------------------


def me(access: Access) -> Customer:
    shop_id = _shop_id(access)
    customer = db.session.scalars(sa.select(Customer).where(Customer.id == access.customer_id)).one_or_none()
    if customer is None:
        raise NotFound(_l("Not found."))
    shop = db.session.scalars(sa.select(Shop).where(Shop.id == shop_id)).one()
    if not _may_use_shop(customer, shop):
        raise NotFound(_l("Not found."))
    return customer


def update_profile(access: Access, changes: dict[str, Any]) -> Customer:
    """Names, company, phone, language; password, email and consent only by the customer."""
    customer = me(access)
    blocked = [key for key in changes if key in ASSISTED_FORBIDDEN]
    if blocked and is_assisted(access):
        refuse_while_assisted(access, ", ".join(sorted(blocked)))
    unknown = set(changes) - set(PROFILE_FIELDS) - set(ASSISTED_FORBIDDEN)
    if unknown:
        raise Invalid(_l("These fields cannot be changed."),
                      fields={key: [_l("Cannot be changed.")] for key in unknown})
    return customers.update_customer(access, customer, changes)


def change_password(access: Access, current: str, new: str) -> Customer:
    refuse_while_assisted(access, "password")
    customer = me(access)
    if not verify_password(customer.password_hash, current or ""):
        raise Invalid(_l("The current password is wrong."), fields={"current_password": [_l("Wrong password.")]})
    return customers.update_customer(access, customer, {"password": new})


def delete_account(access: Access) -> None:
    """Not offered while staff assists; customers ask the shop to close their account."""
    refuse_while_assisted(access, "account")
    raise Forbidden(_l("Ask the shop to close your account."), code="not_self_service")


def add_address(access: Access, data: dict[str, Any]) -> CustomerAddress:
    return customers.add_address(access, me(access), data)


def delete_address(access: Access, address_id: int) -> None:
    customers.delete_address(access, me(access), address_id)


def make_default_address(access: Access, address_id: int) -> CustomerAddress:
    return customers.make_default_address(access, me(access), address_id)


# -- catalogue and cart ---------------------------------------------------------------------------------


def catalogue_page(access: Access, q: str | None, *, limit: int = 50) -> list[Product]:
    shop = db.session.scalars(sa.select(Shop).where(Shop.id == _shop_id(access))).one()
    return [product for product in catalogue.list_products(access, shop, q=q or None, limit=limit)
            if product.is_active]


def cart_lines(access: Access, cart: dict[str, int]) -> list[CartLine]:
    """The session's cart as products of this shop (unknown or retired SKUs drop out)."""
    products = catalogue.products_by_sku(_shop_id(access), list(cart))
    return [CartLine(products[sku], quantity) for sku, quantity in cart.items()
            if sku in products and products[sku].is_active and quantity > 0]


def clean_cart(access: Access, cart: object) -> dict[str, int]:
    if not isinstance(cart, dict):
        return {}
    return {str(sku): int(qty) for sku, qty in cart.items() if isinstance(qty, int) and 0 < qty <= 9999}


def _address(customer: Customer, address_id: object, field: str) -> dict[str, Any]:
    address = next((a for a in customer.addresses if str(a.id) == str(address_id)), None)
    if address is None:
        raise Invalid(_l("Choose an address from your address book."), fields={field: [_l("Choose an address.")]})
    return {key: getattr(address, key, "") or "" for key in orders.ADDRESS_FIELDS}


def checkout(access: Access, lines: Sequence[CartLine], *, shipping_address_id: object,
             billing_address_id: object, payment_flow: str, as_cart: bool = False) -> Order:
    """Place the cart as an order (or keep it as a saved cart), stamped with any operator."""
    customer = me(access)
    shop = db.session.scalars(sa.select(Shop).where(Shop.id == _shop_id(access))).one()
    if not lines:
        raise Invalid(_l("Your cart is empty."), fields={"lines": [_l("Add a product first.")]})
    if payment_flow not in PAYMENT_FLOWS:
        raise Invalid(_l("Choose how to pay."), fields={"payment_flow": [_l("Choose how to pay.")]})
    data = orders.OrderInput(
        shop=shop.code, customer_id=customer.id, channel="web", payment_flow=payment_flow, cart=as_cart,
        lines=[orders.LineInput(sku=line.product.sku, quantity=line.quantity) for line in lines],
        shipping_address=_address(customer, shipping_address_id, "shipping_address"),
        billing_address=_address(customer, billing_address_id, "billing_address"),
    )
    return orders.place_order(access, data, customer_id_as_creator=customer.id)


# -- orders ---------------------------------------------------------------------------------------------


def my_orders(access: Access, *, limit: int = 50) -> list[Order]:
    shop_id = _shop_id(access)
    return list(db.session.scalars(
        sa.select(Order).where(Order.customer_id == access.customer_id, Order.shop_id == shop_id)
        .order_by(Order.id.desc()).limit(limit)
    ).unique())


def my_order(access: Access, order_id: int) -> Order:
    """The customer's own order in this shop, else ``NotFound`` (the same for any other id)."""
    order = db.session.scalars(
        sa.select(Order).where(Order.id == order_id, Order.customer_id == access.customer_id,
                               Order.shop_id == _shop_id(access))
    ).unique().one_or_none()
    if order is None:
        raise NotFound(_l("No such order."))
    return order


def answer_quote(access: Access, order_id: int, *, accept: bool) -> Order:
    """Confirm a quote (it becomes an order) or decline it."""
    order = my_order(access, order_id)
    if order.state != sm.QUOTE:
        raise Invalid(_l("This is not an open quote."), code="not_a_quote")
    outcome = orders.fire_event(access, order, "submit" if accept else "cancel")
    if not outcome.decision.allowed:
        workflow.raise_refusal(outcome)
    return order
