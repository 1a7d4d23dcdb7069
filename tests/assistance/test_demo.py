"""The demo has customers to assist, a protected one, storefront logins and reason codes."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from shopadmin.assistance import services
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers import services as customers
from shopadmin.extensions import db
from shopadmin.staff.models import User
from shopadmin.staff.services import access_for_user
from shopadmin.tenants import services as tenants
from tests.assistance.conftest import store_sign_in
from tests.factories import login

PLATFORM = system_access("tests")


def test_demo_assistance(app: Flask, runner: CliRunner) -> None:
    first = runner.invoke(args=["demo", "--password", "demo-password-1"])
    assert first.exit_code == 0, first.output
    assert "anna.schmidt@example.com" in first.output
    assert "storefront customer: /store/EU-1/" in first.output
    again = runner.invoke(args=["demo", "--password", "demo-password-1"])
    assert again.exit_code == 0, again.output
    with app.app_context(), unit_of_work(PLATFORM):
        csr = db.session.scalars(sa.select(User).where(User.email == "csr@demo.example")).one()
        csr_access = access_for_user(csr)
        eu2 = tenants.get_shop(PLATFORM, "EU-2")
        anna = customers.find_in_group(eu2, "anna.schmidt@example.com")
        hugo = customers.find_in_group(eu2, "hugo.bernard@example.com")
        assert anna is not None
        assert hugo is not None
        assert services.refusal_for(csr_access, eu2, anna) is None
        assert services.refusal_for(csr_access, eu2, hugo) == "protected"
        assert [code.code for code in services.reason_codes(tenants.get_shop(PLATFORM, "EU-1").id)] == [
            "telefon", "bestellung", "konto"]
        anna_id = anna.id
    assert store_sign_in(app.test_client(), "EU-1", "anna.schmidt@example.com", "demo-password-1").status_code == 302
    assert store_sign_in(app.test_client(), "HOME", "emma.wilson@example.com", "demo-password-1").status_code == 302
    # The demo CSR is offered the assist button on Anna's page.
    admin = app.test_client()
    assert login(admin, "csr@demo.example", "demo-password-1").status_code == 302
    page = admin.get(f"/admin/customers/details/?id={anna_id}").get_data(as_text=True)
    assert 'data-testid="assist-customer"' in page

