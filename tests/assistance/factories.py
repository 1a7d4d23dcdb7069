"""Assistance test data, made through the services (system access)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from shopadmin.assistance import services
from shopadmin.assistance.models import AssistanceSession, AssistanceStatus
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db
from shopadmin.staff.models import User
from shopadmin.tenants import services as tenants
from tests.customers.factories import make_customer

PLATFORM = system_access("tests")


def matrix_records(app: Flask, shop: str) -> dict[str, Any]:
    """For the access matrix: a customer who allows assistance, the shop's settings, a
    protected customer and a (refused) entry of the assistance log."""
    with app.app_context():
        customer_id = make_customer(shop, allow_assistance=True)
        protected_id = make_customer(shop, allow_assistance=True)
        with unit_of_work(PLATFORM):
            shop_row = tenants.get_shop(PLATFORM, shop)
            settings = services.update_settings(PLATFORM, shop_row, session_minutes=30)
            protected = services.protect_customer(PLATFORM, shop_row, protected_id, note="VIP")
            operator_id = db.session.scalar(sa.select(User.id).where(User.email == "csr@test.example"))
            entry = AssistanceSession(shop_id=shop_row.id, customer_id=customer_id, operator_id=operator_id,
                                      status=AssistanceStatus.REFUSED, refusal="customer_declined",
                                      reason="matrix", customer_name="Matrix", operator_name="csr")
            db.session.add(entry)
            db.session.flush()
            return {"assist_customer_id": customer_id, "assistance_settings_id": settings.id,
                    "protected_id": protected.id, "assistance_session_id": entry.id}
