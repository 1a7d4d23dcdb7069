"""Shared accounts: one customer per sharing group, visible to every shop of it, to nobody else."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Conflict, Invalid, NotFound
from shopadmin.customers import services
from shopadmin.customers.models import Customer
from shopadmin.extensions import db
from shopadmin.tenants import services as tenants

PLATFORM = system_access("tests")


def _new(shop: str, email: str = "anna@example.com", **extra: Any) -> services.CustomerInput:
    return services.CustomerInput(shop=shop, email=email, first_name="Anna", last_name="Schmidt", **extra)


def _create(access: Any, shop: str, email: str = "anna@example.com", **extra: Any) -> int:
    with unit_of_work(access):
        return services.create_customer(access, _new(shop, email, **extra)).id


def test_a_customer_of_one_shop_is_visible_to_the_whole_group_and_nobody_else(as_user: Any) -> None:
    customer_id = _create(as_user("csr-eu1@test.example"), "EU1")
    assert services.get_customer(as_user("csr-eu2@test.example"), customer_id).email == "anna@example.com"
    for outsider in ("csr-alone@test.example", "csr-us1@test.example"):
        access = as_user(outsider)
        with pytest.raises(NotFound):
            services.get_customer(access, customer_id)
        assert services.search_customers(access, q="anna") == []
    assert [c.id for c in services.search_customers(as_user("csr-eu2@test.example"), q="schm")] == [customer_id]


def test_the_same_email_in_the_group_is_matched_not_duplicated(as_user: Any) -> None:
    customer_id = _create(as_user("csr-eu1@test.example"), "EU1")
    access = as_user("csr-eu2@test.example")
    with pytest.raises(Conflict) as caught, unit_of_work(access):
        services.create_customer(access, _new("EU2", "ANNA@Example.com"))
    assert caught.value.code == "customer_exists"
    assert caught.value.fields["id"] == customer_id


def test_the_same_email_in_two_groups_is_two_customers(as_user: Any) -> None:
    first = _create(as_user("csr-eu1@test.example"), "EU1")
    second = _create(as_user("csr-us1@test.example"), "US1")
    third = _create(as_user("csr-alone@test.example"), "ALONE")
    assert len({first, second, third}) == 3
    with unit_of_work(PLATFORM):
        assert db.session.scalar(sa.select(sa.func.count(Customer.id))) == 3


def test_registration_with_another_shop_of_the_group(as_user: Any) -> None:
    customer_id = _create(as_user("csr-eu1@test.example"), "EU1")
    access = as_user("root@test.example")
    with unit_of_work(access):
        customer = services.get_customer(access, customer_id)
        link = services.ensure_registered(access, customer, tenants.get_shop(access, "EU2"))
        assert services.ensure_registered(access, customer, tenants.get_shop(access, "EU2")) is link
    with unit_of_work(access):
        assert services.shop_codes(services.get_customer(access, customer_id)) == ["EU1", "EU2"]
    for code in ("US1", "ALONE"):
        with pytest.raises(Invalid) as caught, unit_of_work(access):
            services.ensure_registered(access, services.get_customer(access, customer_id),
                                       tenants.get_shop(access, code))
        assert "shop" in caught.value.fields


def test_a_shop_disables_its_link_without_touching_the_others(as_user: Any) -> None:
    customer_id = _create(as_user("csr-eu1@test.example"), "EU1")
    access = as_user("root@test.example")
    with unit_of_work(access):
        customer = services.get_customer(access, customer_id)
        services.ensure_registered(access, customer, tenants.get_shop(access, "EU2"))
        services.set_link_disabled(access, customer, tenants.get_shop(access, "EU2"), disabled=True)
    with unit_of_work(access):
        customer = services.get_customer(access, customer_id)
        eu2 = tenants.get_shop(access, "EU2")
        with pytest.raises(Conflict) as caught:
            services.ensure_registered(access, customer, eu2)
    assert caught.value.code == "customer_disabled"
    with unit_of_work(access):
        customer = services.get_customer(access, customer_id)
        assert services.shop_codes(customer, active_only=True) == ["EU1"]
        services.ensure_registered(access, customer, tenants.get_shop(access, "EU1"))


def test_a_customer_of_a_shop_without_group_belongs_to_that_shop_alone(as_user: Any) -> None:
    customer_id = _create(as_user("csr-alone@test.example"), "ALONE")
    for other in ("csr-eu1@test.example", "csr-us1@test.example"):
        with pytest.raises(NotFound):
            services.get_customer(as_user(other), customer_id)
