"""Imports every model module, so metadata and mappers are complete (Alembic, the guard)."""

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
from shopadmin.notifications.models import Notification, NotificationSettings, NotificationTemplate
from shopadmin.staff.models import ApiToken, Membership, User
from shopadmin.tenants.models import SharingGroup, Shop, TaxRule

__all__ = [
    "ActivityCode",
    "ApiToken",
    "AttributeDefinition",
    "AuditEntry",
    "Customer",
    "CustomerActivity",
    "CustomerAddress",
    "CustomerAlert",
    "CustomerPrivateNote",
    "CustomerShop",
    "CustomerTag",
    "Membership",
    "Notification",
    "NotificationSettings",
    "NotificationTemplate",
    "SharingGroup",
    "Shop",
    "TaxRule",
    "User",
]
