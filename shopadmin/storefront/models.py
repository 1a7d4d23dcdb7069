"""What the storefront keeps of a customer's own sign-ins."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shopadmin.customers.models import GroupScoped
from shopadmin.extensions import UTCDateTime, db


class StorefrontLogin(GroupScoped, db.Model):
    """The customer's last own sign-in (staff assisting never touches it)."""

    __tablename__ = "storefront_logins"

    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_shop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shops.id"))
