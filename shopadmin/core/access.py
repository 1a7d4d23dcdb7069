"""One place for access: who sees which shops, and who may do what on them.

* ``Role`` orders the staff roles; a higher role may do all a lower one may.
* ``PERMISSIONS`` is the registry: every action names the lowest role that may do it
  (``None`` means superadmin only). Routes declare one of these; services check it.
* ``Access`` is the context built once per request, CLI command or job and handed to
  every service. It knows the visible shops (memberships on a B2B master reach its
  sub-shops with the same role) and answers ``require(permission, shop_id)`` with the
  contract's rule: outside the scope -> ``NotFound``, inside but beyond the role ->
  ``Forbidden``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from shopadmin.core.errors import Forbidden, NotFound


class Role(enum.IntEnum):
    CSR = 1
    SUPERVISOR = 2
    MANAGER = 3
    OWNER = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown role {value!r}") from None


class Permission(enum.StrEnum):
    SHOP_VIEW = "shop.view"
    SHOP_SETTINGS = "shop.settings"
    SHOP_CREATE = "shop.create"
    SUBSHOP_CREATE = "shop.create_subshop"
    TAX_RULE_VIEW = "tax_rule.view"
    TAX_RULE_MANAGE = "tax_rule.manage"
    MEMBER_VIEW = "member.view"
    MEMBER_MANAGE = "member.manage"
    USER_VIEW = "user.view"
    USER_CREATE = "user.create"
    USER_MANAGE = "user.manage"
    NOTIFICATION_VIEW = "notification.view"
    NOTIFICATION_SEND = "notification.send"
    NOTIFICATION_RETRY = "notification.retry"
    TEMPLATE_MANAGE = "template.manage"
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_CREATE = "customer.create"
    CUSTOMER_EDIT = "customer.edit"
    CUSTOMER_REGISTER = "customer.register"
    CUSTOMER_DISABLE = "customer.disable"
    CUSTOMER_EXPORT = "customer.export"
    CUSTOMER_PRIVATE_NOTES = "customer.private_notes"
    ACTIVITY_VIEW = "activity.view"
    ACTIVITY_ADD = "activity.add"
    ALERT_FLAG = "alert.flag"
    ALERT_CLEAR = "alert.clear"
    ACTIVITY_CODES_MANAGE = "activity_codes.manage"
    CUSTOMER_ATTRIBUTES_MANAGE = "customer_attributes.manage"
    CATALOGUE_VIEW = "catalogue.view"
    PRODUCT_MANAGE = "product.manage"
    STOCK_MANAGE = "stock.manage"
    ORDER_VIEW = "order.view"
    ORDER_CAPTURE = "order.capture"
    ORDER_EDIT = "order.edit"
    ORDER_CONFIRM = "order.confirm"
    ORDER_SUSPEND = "order.suspend"
    ORDER_RESUME = "order.resume"
    ORDER_CANCEL = "order.cancel"
    ORDER_VOID = "order.void"
    ORDER_RETURN = "order.return"
    ORDER_COMMENT = "order.comment"
    ORDER_HAND_OVER_ANY = "order.hand_over_any"
    BLOCK_ADD = "block.add"
    BLOCK_RELEASE = "block.release"
    DELIVERY_MOVE = "delivery.move"
    PAYMENT_RECORD = "payment.record"
    INBOX_VIEW = "inbox.view"
    INBOX_INTAKE = "inbox.intake"
    INBOX_REVIEW = "inbox.review"
    CUSTOMER_ASSIST = "customer.assist"
    ASSISTANCE_LOG_VIEW = "assistance_log.view"
    ASSISTANCE_LOG_EXPORT = "assistance_log.export"
    ASSISTANCE_SETTINGS = "assistance.settings"
    DASHBOARD_VIEW = "dashboard.view"
    REPORT_VIEW = "report.view"
    DATA_IMPORT = "data.import"
    ORDER_EXPORT = "order.export"


# The lowest role that may do each action; None: superadmin only.
PERMISSIONS: dict[Permission, Role | None] = {
    Permission.SHOP_VIEW: Role.CSR,
    Permission.SHOP_SETTINGS: Role.MANAGER,
    Permission.SHOP_CREATE: None,
    Permission.SUBSHOP_CREATE: Role.OWNER,
    Permission.TAX_RULE_VIEW: Role.CSR,
    Permission.TAX_RULE_MANAGE: Role.MANAGER,
    Permission.MEMBER_VIEW: Role.OWNER,
    Permission.MEMBER_MANAGE: Role.OWNER,
    Permission.USER_VIEW: Role.OWNER,
    Permission.USER_CREATE: None,
    Permission.USER_MANAGE: None,
    Permission.NOTIFICATION_VIEW: Role.CSR,
    Permission.NOTIFICATION_SEND: Role.CSR,
    Permission.NOTIFICATION_RETRY: Role.SUPERVISOR,
    Permission.TEMPLATE_MANAGE: Role.MANAGER,
    Permission.CUSTOMER_VIEW: Role.CSR,
    Permission.CUSTOMER_CREATE: Role.CSR,
    Permission.CUSTOMER_EDIT: Role.CSR,
    Permission.CUSTOMER_REGISTER: Role.CSR,
    # Refusing a customer further orders in a shop is a supervisor's call.
    Permission.CUSTOMER_DISABLE: Role.SUPERVISOR,
    Permission.CUSTOMER_EXPORT: Role.MANAGER,
    Permission.CUSTOMER_PRIVATE_NOTES: Role.CSR,
    Permission.ACTIVITY_VIEW: Role.CSR,
    Permission.ACTIVITY_ADD: Role.CSR,
    Permission.ALERT_FLAG: Role.CSR,
    Permission.ALERT_CLEAR: Role.SUPERVISOR,
    Permission.ACTIVITY_CODES_MANAGE: Role.MANAGER,
    Permission.CUSTOMER_ATTRIBUTES_MANAGE: Role.MANAGER,
    Permission.CATALOGUE_VIEW: Role.CSR,
    Permission.PRODUCT_MANAGE: Role.MANAGER,
    Permission.STOCK_MANAGE: Role.MANAGER,
    Permission.ORDER_VIEW: Role.CSR,
    Permission.ORDER_CAPTURE: Role.CSR,
    Permission.ORDER_EDIT: Role.CSR,
    Permission.ORDER_CONFIRM: Role.CSR,
    Permission.ORDER_SUSPEND: Role.CSR,
    Permission.ORDER_RESUME: Role.CSR,
    Permission.ORDER_CANCEL: Role.CSR,
    Permission.ORDER_VOID: Role.SUPERVISOR,
    Permission.ORDER_RETURN: Role.SUPERVISOR,
    Permission.ORDER_COMMENT: Role.CSR,
    # The holder hands over their own saved cart or quote; anyone else's: a supervisor.
    Permission.ORDER_HAND_OVER_ANY: Role.SUPERVISOR,
    Permission.BLOCK_ADD: Role.CSR,
    Permission.BLOCK_RELEASE: Role.SUPERVISOR,
    Permission.DELIVERY_MOVE: Role.CSR,
    # Gateways call back with a token of their own; a CSR records a phone payment.
    Permission.PAYMENT_RECORD: Role.CSR,
    Permission.INBOX_VIEW: Role.CSR,
    # A CSR may hand a customer's mail to the worker; approving what it proposes is a supervisor's call.
    Permission.INBOX_INTAKE: Role.CSR,
    Permission.INBOX_REVIEW: Role.SUPERVISOR,
    # The worklist tiles; charts and KPIs are business figures: reports, managers.
    Permission.DASHBOARD_VIEW: Role.CSR,
    Permission.REPORT_VIEW: Role.MANAGER,
    Permission.DATA_IMPORT: Role.MANAGER,
    Permission.ORDER_EXPORT: Role.MANAGER,
    # Signing in to the storefront as the customer (where the shop and the customer allow it).
    Permission.CUSTOMER_ASSIST: Role.CSR,
    Permission.ASSISTANCE_LOG_VIEW: Role.SUPERVISOR,
    Permission.ASSISTANCE_LOG_EXPORT: Role.MANAGER,
    Permission.ASSISTANCE_SETTINGS: Role.MANAGER,
}

# What a storefront customer (or staff assisting one) may do, in its one shop only. The
# storefront's loaders and the ORM's customer ring (``core.db``) keep it to its own records.
CUSTOMER_PERMISSIONS: frozenset[Permission] = frozenset(
    {
        Permission.SHOP_VIEW,
        Permission.CATALOGUE_VIEW,
        Permission.CUSTOMER_VIEW,
        Permission.CUSTOMER_EDIT,
        Permission.CUSTOMER_REGISTER,
        Permission.ORDER_VIEW,
        Permission.ORDER_CAPTURE,
        Permission.ORDER_CANCEL,
    }
)


@dataclass(frozen=True)
class Grant:
    """Why a user sees a shop: the role, and the shop whose membership grants it.

    ``override_limit_pct`` is that membership's price-override limit when it was read with
    the memberships (``None``: not read; ask the membership).
    """

    role: Role
    via_shop_id: int
    override_limit_pct: Decimal | None = None


@dataclass(frozen=True)
class Access:
    """Who is acting, and on which shops. Immutable; build one per request/command/job.

    ``actor`` is a short label for audit entries (``user:12``, ``system:inbox``).
    ``customer_id`` marks a storefront customer (``customer_access``): it holds no staff
    role and may only do ``CUSTOMER_PERMISSIONS`` in its one shop.
    """

    actor: str
    user_id: int | None = None
    is_superadmin: bool = False
    is_system: bool = False
    grants: Mapping[int, Grant] = field(default_factory=dict)
    operator_id: int | None = None
    customer_id: int | None = None

    @property
    def is_customer(self) -> bool:
        return self.customer_id is not None

    @property
    def sees_all_shops(self) -> bool:
        return self.is_superadmin or self.is_system

    @property
    def visible_shop_ids(self) -> frozenset[int] | None:
        """The shops this context may read; ``None`` means every shop."""
        if self.sees_all_shops:
            return None
        return frozenset(self.grants)

    def sees(self, shop_id: int | None) -> bool:
        return shop_id is not None and (self.sees_all_shops or shop_id in self.grants)

    def role_on(self, shop_id: int) -> Role | None:
        grant = self.grants.get(shop_id)
        return grant.role if grant else None

    def can(self, permission: Permission, shop_id: int | None = None) -> bool:
        if self.customer_id is not None:
            return shop_id is not None and shop_id in self.grants and permission in CUSTOMER_PERMISSIONS
        if self.sees_all_shops:
            return True
        needed = PERMISSIONS[permission]
        if needed is None or shop_id is None:
            return False
        role = self.role_on(shop_id)
        return role is not None and role >= needed

    def can_anywhere(self, permission: Permission) -> bool:
        """True when some visible shop allows it (menus and buttons)."""
        return self.sees_all_shops or any(self.can(permission, shop_id) for shop_id in self.grants)

    def shops_allowing(self, permission: Permission) -> frozenset[int] | None:
        if self.sees_all_shops:
            return None
        return frozenset(shop_id for shop_id in self.grants if self.can(permission, shop_id))

    def with_grant(self, shop_id: int, grant: Grant) -> Access:
        """A copy that also sees ``shop_id`` (a sub-shop created under a master, say)."""
        return replace(self, grants={**self.grants, shop_id: grant})

    def require(self, permission: Permission, shop_id: int | None = None) -> None:
        """Raise ``NotFound`` outside the scope, ``Forbidden`` beyond the role."""
        if shop_id is not None and not self.sees(shop_id):
            raise NotFound(_l("Not found."))
        if not self.can(permission, shop_id):
            raise Forbidden(_l("Your role does not allow this."), fields={"permission": str(permission)})


ANONYMOUS = Access(actor="anonymous")


def customer_access(customer_id: int, shop_id: int, *, operator_id: int | None = None) -> Access:
    """A storefront customer in one shop; ``operator_id``: the staff user assisting them."""
    return Access(
        actor=f"customer:{customer_id}",
        grants={shop_id: Grant(Role.CSR, shop_id)},  # the scope only: ``can`` ignores the role
        operator_id=operator_id,
        customer_id=customer_id,
    )


def system_access(reason: str) -> Access:
    """The context for jobs and platform work that truly need every shop."""
    return Access(actor=f"system:{reason}", is_system=True)


def grants_from_memberships(
    memberships: Iterable[tuple[int, Role]],
    sub_shops_of: Mapping[int, Iterable[int]],
    override_limits: Mapping[int, Decimal] | None = None,
) -> dict[int, Grant]:
    """Apply the master-shop rule: a membership on a master reaches its sub-shops.

    Where two memberships reach one shop, the higher role wins; a direct membership is
    preferred as the explanation when the roles are equal.
    """
    grants: dict[int, Grant] = {}

    def offer(shop_id: int, grant: Grant) -> None:
        current = grants.get(shop_id)
        direct_tie = current is not None and grant.role == current.role and grant.via_shop_id == shop_id
        if current is None or grant.role > current.role or direct_tie:
            grants[shop_id] = grant

    limits = override_limits or {}
    for shop_id, role in memberships:
        grant = Grant(role, shop_id, limits.get(shop_id))
        offer(shop_id, grant)
        for sub_id in sub_shops_of.get(shop_id, ()):
            offer(sub_id, grant)
    return grants
