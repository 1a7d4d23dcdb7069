"""Tenant scope in the ORM, the unit of work and after-commit hooks.

The guard (``_apply_scope``) adds the caller's shop filter to every ORM statement that
touches a scoped model, relationship loads included, and fails closed: a statement on
scoped data with no ``Access`` on the session raises ``ScopeMissing``. Code that truly
needs every shop says so with ``execution_options(all_shops=True)`` (grep for it) or runs
under ``system_access``. Writes are checked too: a flush may only add or change rows of
shops the context sees.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql.elements import ColumnElement

from shopadmin.core.access import Access
from shopadmin.extensions import Base, db

log = logging.getLogger(__name__)

ACCESS_KEY = "shopadmin.access"
AFTER_COMMIT_KEY = "shopadmin.after_commit"
AFTER_COMMIT_BATCHES_KEY = "shopadmin.after_commit_batches"
ALL_SHOPS = "all_shops"


def utcnow() -> datetime:
    return datetime.now(UTC)


class ScopeMissing(RuntimeError):
    """A statement touched shop-owned data with no access context on the session."""


class ScopeViolation(RuntimeError):
    """A flush tried to write a row of a shop the access context does not see."""


class Scoped:
    """A model whose rows are visible only within some shops.

    Subclasses say how with ``scope_criteria``; ``scope_shop_id`` names the owning shop
    of an instance for the write check (``None`` when the row has no single owner).
    """

    __scoped__: ClassVar[bool] = True

    @classmethod
    def scope_criteria(cls, shop_ids: frozenset[int]) -> ColumnElement[bool]:
        raise NotImplementedError

    def scope_shop_id(self) -> int | None:
        raise NotImplementedError


class ShopOwned(Scoped):
    """A row that belongs to exactly one shop (``shop_id``)."""

    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id"), index=True)

    @classmethod
    def scope_criteria(cls, shop_ids: frozenset[int]) -> ColumnElement[bool]:
        return cls.shop_id.in_(sorted(shop_ids))

    def scope_shop_id(self) -> int | None:
        return self.shop_id


_scoped_cache: tuple[int, list[type[Scoped]]] = (-1, [])


def scoped_classes() -> list[type[Scoped]]:
    """The scoped model classes (cached; recomputed only when a new model is mapped)."""
    global _scoped_cache
    mappers = Base.registry.mappers
    if _scoped_cache[0] != len(mappers):
        _scoped_cache = (len(mappers), [m.class_ for m in mappers if issubclass(m.class_, Scoped)])
    return _scoped_cache[1]


# -- the customer ring: a storefront customer sees its own rows only ---------------------

# Per scoped model: how a customer's rows are told apart (``None``: every row of the shop,
# e.g. products). A scoped model missing here matches nothing for a customer (fail closed).
CustomerCriterion = Callable[[int], ColumnElement[bool]]
CUSTOMER_SCOPE: dict[type[Scoped], CustomerCriterion | None] = {}


def customer_scoped(model: type[Scoped], criterion: CustomerCriterion | None) -> None:
    """Declare what a storefront customer may read of ``model`` (see ``CUSTOMER_SCOPE``)."""
    CUSTOMER_SCOPE[model] = criterion


@functools.lru_cache(maxsize=4096)
def _customer_options(customer_id: int, registry_size: tuple[int, int]) -> tuple[Any, ...]:
    """The storefront's extra layer for one customer (cached like ``_scope_options``;
    ``registry_size`` renews the entry when a model or a customer rule is added)."""
    options = []
    for cls in scoped_classes():
        if cls not in CUSTOMER_SCOPE:
            options.append(with_loader_criteria(cls, sa.false(), include_aliases=True))
            continue
        criterion = CUSTOMER_SCOPE[cls]
        if criterion is not None:
            options.append(with_loader_criteria(cls, criterion(customer_id), include_aliases=True))
    return tuple(options)


# -- the access context on the session ------------------------------------------------


def current_access(session: Session | None = None) -> Access | None:
    info = (session or db.session()).info
    return info.get(ACCESS_KEY)


def set_access(access: Access | None, session: Session | None = None) -> None:
    """Bind the access context to the session (and so to its transactions)."""
    target = session or db.session()
    if access is None:
        target.info.pop(ACCESS_KEY, None)
    else:
        target.info[ACCESS_KEY] = access
    if target.in_transaction():
        _publish_visible_shops(target, target.connection())


@contextmanager
def acting_as(access: Access, session: Session | None = None) -> Iterator[Access]:
    """Run a block under ``access``, restoring the previous context afterwards."""
    target = session or db.session()
    previous = current_access(target)
    set_access(access, target)
    try:
        yield access
    finally:
        set_access(previous, target)


def _publish_visible_shops(session: Session, connection: sa.Connection) -> None:
    """Keep the visible shops known to PostgreSQL per transaction (for row-level security)."""
    if connection.dialect.name != "postgresql":
        return
    access = session.info.get(ACCESS_KEY)
    if access is None:
        value = ""
    elif access.visible_shop_ids is None:
        value = "*"
    else:
        value = ",".join(str(shop_id) for shop_id in sorted(access.visible_shop_ids))
    connection.exec_driver_sql("SELECT set_config('shopadmin.visible_shops', %s, true)", (value,))


@event.listens_for(Session, "after_begin")
def _on_begin(session: Session, transaction: Any, connection: sa.Connection) -> None:
    if ACCESS_KEY in session.info:
        _publish_visible_shops(session, connection)


@functools.lru_cache(maxsize=2048)
def _scope_options(shop_ids: frozenset[int] | None, mapper_count: int) -> tuple[Any, ...]:
    """The guard's statement options for one set of visible shops (None: no context).

    Built once per shop set and reused, so statements keep hitting SQLAlchemy's compiled
    cache; ``mapper_count`` invalidates the entry when a new model is mapped.
    """
    if shop_ids is None:
        # Joined scoped entities without a context: fail closed, match nothing.
        return tuple(with_loader_criteria(cls, sa.false(), include_aliases=True) for cls in scoped_classes())
    return tuple(
        with_loader_criteria(cls, cls.scope_criteria(shop_ids), include_aliases=True) for cls in scoped_classes()
    )


@event.listens_for(Session, "do_orm_execute")
def _apply_scope(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.execution_options.get(ALL_SHOPS, False):
        return
    access = state.session.info.get(ACCESS_KEY)
    if access is None:
        touched = [m.class_ for m in state.all_mappers if issubclass(m.class_, Scoped)]
        if touched:
            names = ", ".join(sorted(cls.__name__ for cls in touched))
            raise ScopeMissing(f"query on {names} without an access context")
        state.statement = state.statement.options(*_scope_options(None, len(Base.registry.mappers)))
        return
    shop_ids = access.visible_shop_ids
    if shop_ids is None:
        return
    state.statement = state.statement.options(*_scope_options(shop_ids, len(Base.registry.mappers)))
    if access.customer_id is not None:
        registry_size = (len(Base.registry.mappers), len(CUSTOMER_SCOPE))
        state.statement = state.statement.options(*_customer_options(access.customer_id, registry_size))


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, flush_context: Any, instances: Any) -> None:
    access = session.info.get(ACCESS_KEY)
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, Scoped):
            continue
        if access is None:
            raise ScopeMissing(f"write to {type(obj).__name__} without an access context")
        shop_id = obj.scope_shop_id()
        if shop_id is not None and not access.sees(shop_id):
            raise ScopeViolation(f"{type(obj).__name__} of shop {shop_id} is outside the scope")


# -- unit of work and after-commit hooks ------------------------------------------------


def after_commit(callback: Callable[[], None], session: Session | None = None) -> None:
    """Run ``callback`` once the current transaction commits; a rollback drops it."""
    target = session or db.session()
    target.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


def after_commit_batch(
    name: str, item: Any, flush: Callable[[list[Any]], None], session: Session | None = None
) -> None:
    """Collect ``item`` under ``name``; once the transaction commits, ``flush`` runs once with
    all of the transaction's items (one Redis round trip for many jobs). A rollback drops them."""
    target = session or db.session()
    batches: dict[str, list[Any]] = target.info.setdefault(AFTER_COMMIT_BATCHES_KEY, {})
    if name not in batches:
        items: list[Any] = []
        batches[name] = items
        after_commit(lambda: flush(items), target)
    batches[name].append(item)


@dataclass(frozen=True)
class AfterCommitMark:
    """How many side effects the transaction had asked for at a savepoint."""

    callbacks: int
    batches: dict[str, int]


def after_commit_mark(session: Session | None = None) -> AfterCommitMark:
    target = session or db.session()
    return AfterCommitMark(
        len(target.info.get(AFTER_COMMIT_KEY, [])),
        {name: len(items) for name, items in target.info.get(AFTER_COMMIT_BATCHES_KEY, {}).items()},
    )


def drop_after_commit_since(mark: AfterCommitMark, session: Session | None = None) -> None:
    """Forget the side effects asked for since ``mark`` (its savepoint was rolled back)."""
    target = session or db.session()
    del target.info.get(AFTER_COMMIT_KEY, [])[mark.callbacks :]
    batches: dict[str, list[Any]] = target.info.get(AFTER_COMMIT_BATCHES_KEY, {})
    for name in list(batches):
        if name in mark.batches:
            del batches[name][mark.batches[name] :]
        else:
            del batches[name]  # started after the mark: its flush callback went with the others


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy fires after_commit when a savepoint is released too: the data is not
        # committed yet, a job sent now would find its rows missing or locked.
        return
    session.info.pop(AFTER_COMMIT_BATCHES_KEY, None)  # what callbacks add belongs to the next transaction
    callbacks = session.info.pop(AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the data is committed; a failed side effect must not undo the request
            log.exception("after-commit callback %r failed", callback)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction: Any) -> None:
    # Fires on every rollback() of the outermost transaction, even when no SQL ran yet.
    if previous_transaction.parent is None:
        _forget_after_commit(session)


def _forget_after_commit(session: Session) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)
    session.info.pop(AFTER_COMMIT_BATCHES_KEY, None)


@contextmanager
def unit_of_work(access: Access | None = None) -> Iterator[Session]:
    """Commit once at the end of the block, or roll back everything on an error."""
    session = db.session()
    previous = current_access(session)
    if access is not None:
        set_access(access, session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        _forget_after_commit(session)  # even when no SQL had run yet (then no rollback event fires)
        raise
    finally:
        if access is not None:
            set_access(previous, session)
