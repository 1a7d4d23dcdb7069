"""Imports every model module, so metadata and mappers are complete (Alembic, the guard)."""

from shopadmin.assistance.models import (
    AssistanceAction,
    AssistanceSession,
    AssistanceSettings,
    ProtectedCustomer,
)
from shopadmin.catalogue.models import Product, StockLevel
from shopadmin.core.audit import AuditEntry
from shopadmin.customers.models import (
    ActivityCode,
    AttributeDefinition,
    Customer,
    CustomerActivity,
    CustomerAddress,
    CustomerAlert,
    CustomerPrivateNote,
    CustomerShop,
    CustomerTag,
)
from shopadmin.exchange.models import ImportRun
from shopadmin.inbox.models import InboxMessage
from shopadmin.notifications.models import Notification, NotificationSettings, NotificationTemplate
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
from shopadmin.reports.models import ReportRun
from shopadmin.staff.models import ApiToken, Membership, User
from shopadmin.storefront.models import StorefrontLogin
from shopadmin.tenants.models import SharingGroup, Shop, TaxRule

__all__ = [
    "ActivityCode",
    "ApiToken",
    "AssistanceAction",
    "AssistanceSession",
    "AssistanceSettings",
    "AttributeDefinition",
    "AuditEntry",
    "Block",
    "Customer",
    "CustomerActivity",
    "CustomerAddress",
    "CustomerAlert",
    "CustomerPrivateNote",
    "CustomerShop",
    "CustomerTag",
    "Delivery",
    "IdempotencyKey",
    "ImportRun",
    "InboxMessage",
    "Membership",
    "Notification",
    "NotificationSettings",
    "NotificationTemplate",
    "Order",
    "OrderComment",
    "OrderCounter",
    "OrderEvent",
    "OrderLine",
    "OrderVersion",
    "Payment",
    "Product",
    "ProtectedCustomer",
    "ReportRun",
    "SharingGroup",
    "Shop",
    "StockLevel",
    "StockReservation",
    "StorefrontLogin",
    "TaxRule",
    "User",
]
