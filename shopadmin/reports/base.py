"""The report plug-in API.

A report is a subclass of ``Report`` with a ``key``, a ``title``, its ``columns``, its
``params`` and a ``rows(ctx)`` query; defining the class registers it. Modules in
``shopadmin.reports.builtin`` (and any module listed in ``SHOPADMIN_REPORT_MODULES``) are
imported on first use, so adding a report needs no change anywhere else.

``ReportContext.shop_ids`` are the shops the report may cover: those where the caller
holds ``Permission.REPORT_VIEW``, narrowed by the ``shop`` parameter. Queries filter on
them explicitly, and the ORM guard scopes every statement again.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Access, Permission
from shopadmin.core.errors import Invalid, NotFound
from shopadmin.extensions import db
from shopadmin.tenants import services as tenants
from shopadmin.tenants.models import Shop


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy string
    width: float = 1.0  # relative, for the PDF
    numeric: bool = False


@dataclass(frozen=True)
class Param:
    """A report parameter: ``kind`` is ``shop``, ``date``, ``choice`` or ``text``."""

    name: str
    label: Any
    kind: str = "text"
    choices: Sequence[tuple[str, Any]] = ()
    default: Any = None  # a value, or a callable returning one

    def initial(self) -> Any:
        return self.default() if callable(self.default) else self.default

    def parse(self, raw: str | None) -> Any:
        raw = (raw or "").strip()
        if not raw:
            return self.initial()
        if self.kind == "date":
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise Invalid(_l("Some parameters are invalid."),
                              fields={self.name: [_l("A date: YYYY-MM-DD.")]}) from None
        if self.kind == "choice" and raw not in {value for value, _ in self.choices}:
            raise Invalid(_l("Some parameters are invalid."), fields={self.name: [_l("Not one of the choices.")]})
        if len(raw) > 100:
            raise Invalid(_l("Some parameters are invalid."), fields={self.name: [_l("At most 100 characters.")]})
        return raw


def days_ago(days: int) -> Any:
    return lambda: datetime.now(UTC).date() - timedelta(days=days)


def today() -> date:
    return datetime.now(UTC).date()


SHOP_PARAM = Param("shop", _l("Shop"), "shop")


@dataclass
class ReportContext:
    access: Access
    shop_ids: frozenset[int]
    params: dict[str, Any]
    shops: dict[int, Shop] = field(default_factory=dict)

    def shop_code(self, shop_id: int) -> str:
        shop = self.shops.get(shop_id)
        return shop.code if shop else str(shop_id)


REPORTS: dict[str, type[Report]] = {}


class Report:
    """Subclass with ``key``, ``title``, ``slug`` (the file name), ``columns``, ``params`` and ``rows``."""

    key: ClassVar[str] = ""
    title: ClassVar[Any] = ""
    description: ClassVar[Any] = ""
    slug: ClassVar[str] = ""
    columns: ClassVar[Sequence[Column]] = ()
    params: ClassVar[Sequence[Param]] = (SHOP_PARAM,)
    permission: ClassVar[Permission] = Permission.REPORT_VIEW

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.key:
            REPORTS[cls.key] = cls

    def count(self, ctx: ReportContext) -> int:
        """How many rows ``rows`` will give (decides between a download and a background job)."""
        return sum(1 for _ in self.rows(ctx))

    def rows(self, ctx: ReportContext) -> Iterable[Sequence[Any]]:
        raise NotImplementedError

    def param_summary(self, ctx: ReportContext) -> list[tuple[Any, str]]:
        out = []
        for param in self.params:
            value = ctx.params.get(param.name)
            if value in (None, ""):
                continue
            label = dict(param.choices).get(value, value) if param.kind == "choice" else value
            out.append((param.label, str(label)))
        return out


_loaded = False


def load_reports() -> dict[str, type[Report]]:
    """Every registered report (built-ins and configured modules imported once)."""
    global _loaded
    if not _loaded:
        from shopadmin.reports import builtin

        for module in pkgutil.iter_modules(builtin.__path__):
            importlib.import_module(f"{builtin.__name__}.{module.name}")
        extra = current_app.config.get("SHOPADMIN_REPORT_MODULES", ()) if has_app_context() else ()
        for name in extra:
            importlib.import_module(name)
        _loaded = True
    return dict(sorted(REPORTS.items()))


def get_report(key: str) -> Report:
    report = load_reports().get(key)
    if report is None:
        raise NotFound(_l("No such report."))
    return report()


def report_shops(access: Access, permission: Permission) -> list[Shop]:
    """The shops where ``access`` may run reports, by code."""
    shops = db.session.scalars(sa.select(Shop).order_by(Shop.code)).all()
    return [shop for shop in shops if access.can(permission, shop.id)]


def build_context(access: Access, report: Report, raw: Mapping[str, str]) -> ReportContext:
    """Parse the parameters; the ``shop`` parameter must name a shop the caller may report on
    (``NotFound`` outside the scope, ``Forbidden`` beyond the role)."""
    allowed = {shop.id: shop for shop in report_shops(access, report.permission)}
    code = (raw.get("shop") or "").strip() if any(param.kind == "shop" for param in report.params) else ""
    if code:
        shop = tenants.get_shop(access, code)
        access.require(report.permission, shop.id)
        shop_ids = frozenset({shop.id})
    else:
        if not allowed:
            access.require(report.permission)
        shop_ids = frozenset(allowed)
    params = {param.name: param.parse(raw.get(param.name)) for param in report.params}
    return ReportContext(access, shop_ids, params, allowed)


def serialise_params(ctx: ReportContext) -> dict[str, str]:
    return {name: value.isoformat() if isinstance(value, date) else str(value)
            for name, value in ctx.params.items() if value not in (None, "")}
