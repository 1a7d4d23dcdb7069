"""The ORM guard: no context -> error; with one, never another shop's rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import aliased, selectinload

from shopadmin.core.access import Access, Grant, Role, system_access
from shopadmin.core.db import ScopeMissing, ScopeViolation, acting_as, current_access, set_access, unit_of_work
from shopadmin.extensions import db
from shopadmin.staff.models import Membership, User
from shopadmin.tenants.models import Shop, TaxRule
from tests.factories import make_shop, make_user


@pytest.fixture
def two_shops(app: Flask) -> dict[str, int]:
    with app.app_context():
        ids = {"A": make_shop(code="A"), "B": make_shop(code="B")}
        make_user("a@test.example", roles={"A": Role.CSR})
        make_user("b@test.example", roles={"B": Role.CSR})
        with unit_of_work(system_access("tests")):
            for code, rate in (("A", "0.19"), ("B", "0.20")):
                db.session.add(TaxRule(shop_id=ids[code], country="DE", region="", tax_class="standard", rate=rate))
    return ids


def _only(shop_id: int) -> Access:
    return Access(actor="test", user_id=None, grants={shop_id: Grant(Role.CSR, shop_id)})


def test_query_without_context_raises(ctx: Flask, two_shops: dict[str, int]) -> None:
    assert current_access() is None
    with pytest.raises(ScopeMissing):
        db.session.scalars(sa.select(TaxRule)).all()
    with pytest.raises(ScopeMissing):
        db.session.scalars(sa.select(Shop)).all()
    with pytest.raises(ScopeMissing):
        db.session.query(Membership).all()
    # Query.count() wraps the entity in a subquery: the guard cannot name it, so it fails closed.
    assert db.session.query(Membership).count() == 0
    # Unscoped models need no context (sign-in looks users up before anyone is known).
    assert len(db.session.scalars(sa.select(User)).all()) == 2


def test_joined_scoped_rows_without_context_match_nothing(ctx: Flask, two_shops: dict[str, int]) -> None:
    rows = db.session.execute(sa.select(User.email).join(Membership, Membership.user_id == User.id)).all()
    assert rows == []


def test_context_filters_selects_joins_counts_and_relationships(ctx: Flask, two_shops: dict[str, int]) -> None:
    set_access(_only(two_shops["A"]))
    assert [s.code for s in db.session.scalars(sa.select(Shop))] == ["A"]
    assert [str(r.rate) for r in db.session.scalars(sa.select(TaxRule))] == ["0.1900"]
    assert db.session.scalar(sa.select(sa.func.count(TaxRule.id))) == 1
    assert db.session.query(TaxRule).count() == 1
    joined = db.session.execute(sa.select(TaxRule.rate, Shop.code).join(Shop, Shop.id == TaxRule.shop_id)).all()
    assert [code for _rate, code in joined] == ["A"]
    emails = db.session.scalars(sa.select(User.email).join(Membership, Membership.user_id == User.id)).all()
    assert emails == ["a@test.example"]
    other = aliased(Shop)
    assert db.session.scalars(sa.select(other.code)).all() == ["A"]
    by_id = db.session.scalars(sa.select(TaxRule).where(TaxRule.shop_id == two_shops["B"])).all()
    assert by_id == []
    shop = db.session.scalars(sa.select(Shop).options(selectinload(Shop.tax_rules))).one()
    assert len(shop.tax_rules) == 1
    subquery = sa.select(TaxRule.shop_id).scalar_subquery()
    assert db.session.scalars(sa.select(Shop.code).where(Shop.id.in_(subquery))).all() == ["A"]


def test_lazy_loads_are_scoped(ctx: Flask, two_shops: dict[str, int]) -> None:
    set_access(_only(two_shops["A"]))
    user_b = db.session.scalars(sa.select(User).where(User.email == "b@test.example")).one()
    memberships = db.session.scalars(sa.select(Membership).where(Membership.user_id == user_b.id)).all()
    assert memberships == []


def test_updates_and_deletes_are_scoped(ctx: Flask, two_shops: dict[str, int]) -> None:
    with unit_of_work(_only(two_shops["A"])):
        db.session.execute(sa.update(TaxRule).values(rate="0.05"))
        db.session.execute(sa.delete(TaxRule).where(TaxRule.rate == 0))
    with acting_as(system_access("tests")):
        rates = {r.shop_id: str(r.rate) for r in db.session.scalars(sa.select(TaxRule))}
    assert rates == {two_shops["A"]: "0.0500", two_shops["B"]: "0.2000"}


def test_writes_outside_the_scope_are_refused(ctx: Flask, two_shops: dict[str, int]) -> None:
    def write(shop: str, access: Access | None) -> None:
        with unit_of_work(access):
            db.session.add(TaxRule(shop_id=two_shops[shop], country="FR", region="", tax_class="standard", rate="0.2"))

    with pytest.raises(ScopeViolation):
        write("B", _only(two_shops["A"]))
    with pytest.raises(ScopeMissing):
        write("A", None)


def test_all_shops_escape_is_explicit(ctx: Flask, two_shops: dict[str, int]) -> None:
    set_access(_only(two_shops["A"]))
    everything = db.session.scalars(sa.select(Shop.code).execution_options(all_shops=True)).all()
    assert sorted(everything) == ["A", "B"]


def test_visible_shops_are_known_to_postgresql_per_transaction(ctx: Flask, two_shops: dict[str, int]) -> None:
    set_access(_only(two_shops["A"]))
    db.session.commit()
    value = db.session.scalar(sa.text("SELECT current_setting('shopadmin.visible_shops', true)"))
    assert value == str(two_shops["A"])
    set_access(system_access("tests"))
    assert db.session.scalar(sa.text("SELECT current_setting('shopadmin.visible_shops', true)")) == "*"
