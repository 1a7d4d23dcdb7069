"""Shops for the customer tests: EU1 and EU2 share customers (group "eu"), ALONE is in
no group, US1 is in another group ("us"). Staff: a CSR and a supervisor of EU1 only, a
CSR of EU2 only, a CSR of ALONE, a manager of EU1, a superadmin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from shopadmin.core.access import Access, Role
from shopadmin.core.db import set_access
from shopadmin.extensions import db
from shopadmin.staff import services as staff
from shopadmin.staff.models import User
from tests.factories import make_shop, make_user


@pytest.fixture
def shops(app: Flask) -> dict[str, int]:
    with app.app_context():
        ids = {
            "EU1": make_shop(code="EU1", sharing_group="eu", locale="de"),
            "EU2": make_shop(code="EU2", sharing_group="eu", locale="fr"),
            "ALONE": make_shop(code="ALONE"),
            "US1": make_shop(code="US1", sharing_group="us"),
        }
        make_user("csr-eu1@test.example", roles={"EU1": Role.CSR})
        make_user("sup-eu1@test.example", roles={"EU1": Role.SUPERVISOR})
        make_user("mgr-eu1@test.example", roles={"EU1": Role.MANAGER})
        make_user("csr-eu2@test.example", roles={"EU2": Role.CSR})
        make_user("csr-alone@test.example", roles={"ALONE": Role.CSR})
        make_user("csr-us1@test.example", roles={"US1": Role.CSR})
        make_user("root@test.example", superadmin=True)
    return ids


@pytest.fixture
def as_user(ctx: Flask, shops: dict[str, int]) -> Iterator[Any]:
    """``as_user(email)`` -> the Access of that user, bound to the session."""

    def bind(email: str) -> Access:
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        access = staff.access_for_user(user)
        set_access(access)
        return access

    yield bind
    set_access(None)
