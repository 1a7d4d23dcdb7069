"""Imports every model module, so metadata and mappers are complete (Alembic, the guard)."""

from shopadmin.core.audit import AuditEntry
from shopadmin.staff.models import ApiToken, Membership, User
from shopadmin.tenants.models import SharingGroup, Shop, TaxRule

__all__ = ["ApiToken", "AuditEntry", "Membership", "SharingGroup", "Shop", "TaxRule", "User"]
