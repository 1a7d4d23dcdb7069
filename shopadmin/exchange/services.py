"""Import files all or nothing, with a dry run; export orders and customers.

``import_records`` runs every record inside its own savepoint, inside one savepoint for
the file. Every record is tried, so the result lists every row's errors; then the file's
savepoint is rolled back when there was any error or when it is a dry run, and the jobs
and mails the records asked for are dropped with it. Only a clean, real run stays in the
caller's unit of work to be committed. A dry run therefore checks exactly what the real
run would do (duplicates, stock, the caller's limits), and writes nothing.

``import_upload`` is what the screen calls: a file of up to ``inline_rows()`` records is
imported during the request; a larger one is stored first (``ImportRun``) and imported by
a job after the commit (an RQ worker, or in-process right after the commit in inline
mode), with the same ``import_records`` and so the same all-or-nothing rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Access, Permission
from shopadmin.core.csvsafe import csv_lines
from shopadmin.core.db import after_commit_mark, drop_after_commit_since
from shopadmin.core.errors import DomainError, Forbidden, Invalid, NotFound
from shopadmin.core.jobs import enqueue
from shopadmin.customers import services as customers
from shopadmin.exchange.formats import FORMATS, read_records
from shopadmin.exchange.importers import IMPORTERS, group_order_lines
from shopadmin.exchange.models import ImportRun
from shopadmin.extensions import db
from shopadmin.orders.models import Order
from shopadmin.tenants import services as tenants
from shopadmin.tenants.models import Shop

Progress = Callable[[int], None]


@dataclass
class RowResult:
    row: int  # the CSV line (header = 1) or the JSON item (from 1)
    outcome: str  # created, updated, matched, error
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: list[RowResult]
    written: bool = False

    @property
    def error_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.error_rows

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    def summary(self) -> dict[str, Any]:
        """What a background run keeps (``ImportRun.result``) and the screen shows."""
        return {"rows": len(self.rows), "created": self.count("created"), "updated": self.count("updated"),
                "matched": self.count("matched"), "errors": len(self.error_rows), "ok": self.ok,
                "written": self.written, "dry_run": self.dry_run,
                "error_rows": [{"row": row.row, "errors": row.errors} for row in self.error_rows]}


def _messages(exc: DomainError) -> list[str]:
    details = [
        f"{key}: {'; '.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in exc.fields.items() if key not in ("permission", "id")
    ]
    return details or [exc.message]


def import_records(access: Access, kind: str, records: list[tuple[int, dict[str, Any]]], *,
                   shop_code: str | None = None, dry_run: bool = False,
                   progress: Progress | None = None) -> ImportResult:
    """Import ``records`` into ``shop_code`` (or each record's ``shop``), all or nothing.

    Raises ``Invalid`` for an unknown kind, ``NotFound``/``Forbidden`` for a shop outside
    the scope or beyond the role; per-record problems are returned, never raised.
    """
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise Invalid(_l("Unknown import."), fields={"kind": [_l("One of %(kinds)s.", kinds=", ".join(IMPORTERS))]})
    default_shop = _import_shop(access, shop_code, importer.permission) if shop_code else None
    if importer.grouped:
        records = group_order_lines(records)
    session = db.session()
    mark = after_commit_mark(session)
    result = ImportResult(kind, dry_run, [])
    shops: dict[str, Shop] = {}
    file_savepoint = session.begin_nested()
    try:
        for done, (number, record) in enumerate(records, start=1):
            try:
                with session.begin_nested():
                    shop = default_shop
                    code = str(record.get("shop") or "").strip()
                    if code and (shop is None or code != shop.code):
                        shop = shops.get(code) or _import_shop(access, code, importer.permission)
                        shops[code] = shop
                    if shop is None:
                        raise Invalid(_l("Some fields are invalid."),
                                      fields={"shop": [_l("Name the shop (--shop or a shop column).")]})
                    outcome = importer.apply(access, shop, record)
                result.rows.append(RowResult(number, outcome))
            except DomainError as exc:
                result.rows.append(RowResult(number, "error", _messages(exc)))
            if progress is not None:
                progress(done)
    except BaseException:
        file_savepoint.rollback()
        drop_after_commit_since(mark, session)
        raise
    if dry_run or not result.ok:
        file_savepoint.rollback()
        drop_after_commit_since(mark, session)  # nothing was written: nothing to send either
    else:
        file_savepoint.commit()
        result.written = True
    return result


def inline_rows() -> int:
    """Files of up to this many records are imported during the request; larger ones by a job."""
    return int(current_app.config.get("SHOPADMIN_IMPORT_INLINE_ROWS", 500))


def import_upload(access: Access, kind: str, data: bytes, fmt: str, *, filename: str = "",
                  shop_code: str | None = None, dry_run: bool = False) -> ImportResult | ImportRun:
    """Import an uploaded file now (small: an ``ImportResult``) or store it and queue its
    import (large: the queued ``ImportRun``, imported after the commit).

    Raises ``Invalid`` for an unreadable file or an unknown kind, ``NotFound``/``Forbidden``
    for a shop outside the scope or beyond the role (checked before anything is stored).
    """
    records = read_records(data, fmt)
    if len(records) <= inline_rows():
        return import_records(access, kind, records, shop_code=shop_code, dry_run=dry_run)
    return start_import(access, kind, data, fmt, row_count=len(records), filename=filename, shop_code=shop_code,
                        dry_run=dry_run)


def start_import(access: Access, kind: str, data: bytes, fmt: str, *, row_count: int, filename: str = "",
                 shop_code: str | None = None, dry_run: bool = False) -> ImportRun:
    """Store the upload as a queued ``ImportRun`` and ask for its job (after the commit).

    What can be checked without importing is checked now (``Invalid``, ``NotFound``,
    ``Forbidden``); the job checks everything again with the user's access of that moment.
    """
    if access.user_id is None:
        raise Forbidden(_l("Only staff users can import in the background."))
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise Invalid(_l("Unknown import."), fields={"kind": [_l("One of %(kinds)s.", kinds=", ".join(IMPORTERS))]})
    if fmt not in FORMATS:
        raise Invalid(_l("Unknown format."), fields={"format": ["csv or json."]})
    if shop_code:
        _import_shop(access, shop_code, importer.permission)
    elif not access.can_anywhere(Permission.DATA_IMPORT):
        raise Forbidden(_l("Your role does not allow this."), fields={"permission": str(Permission.DATA_IMPORT)})
    run = ImportRun(user_id=access.user_id, kind=kind, shop_code=shop_code or None, format=fmt,
                    filename=filename[:200], is_dry_run=dry_run, status="queued", row_count=row_count, rows_done=0,
                    content=data)
    db.session.add(run)
    db.session.flush()
    from shopadmin.exchange.jobs import run_import

    enqueue(run_import, run.id)
    return run


def get_import_run(access: Access, run_id: int) -> ImportRun:
    """An import run of the caller's own (``NotFound`` for anyone else's)."""
    run = db.session.scalars(sa.select(ImportRun).where(ImportRun.id == run_id,
                                                        ImportRun.user_id == access.user_id)).one_or_none()
    if run is None or access.user_id is None:
        raise NotFound(_l("No such import run."))
    return run


def list_import_runs(access: Access, limit: int = 20) -> list[ImportRun]:
    return list(db.session.scalars(sa.select(ImportRun).where(ImportRun.user_id == access.user_id)
                                   .order_by(ImportRun.id.desc()).limit(limit)))


def _import_shop(access: Access, code: str, permission: Permission) -> Shop:
    shop = tenants.get_shop(access, code)
    access.require(Permission.DATA_IMPORT, shop.id)
    access.require(permission, shop.id)
    return shop


# -- export --------------------------------------------------------------------------------------

ORDER_COLUMNS = ["number", "shop", "state", "channel", "currency", "subtotal", "tax", "charges", "total", "paid",
                 "customer_id", "customer_name", "customer_email", "ship_to_name", "created_at", "lines"]
CUSTOMER_COLUMNS = ["id", "email", "first_name", "last_name", "type", "company", "department", "phone", "locale",
                    "tags", "shops", "allow_assistance", "created_at"]


@dataclass(frozen=True)
class ExportQuery:
    shop: str | None = None
    state: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def export_orders(access: Access, query: ExportQuery, *, batch: int = 500) -> Iterator[dict[str, Any]]:
    """The orders of the shops where the caller may export, newest last, read in id batches."""
    allowed = access.shops_allowing(Permission.ORDER_EXPORT)
    stmt = sa.select(Order).where(Order.state.not_in(("cart", "quote")))
    if query.shop:
        shop = tenants.get_shop(access, query.shop)
        access.require(Permission.ORDER_EXPORT, shop.id)
        stmt = stmt.where(Order.shop_id == shop.id)
    elif allowed is not None:
        if not allowed:
            raise Forbidden(_l("Your role does not allow this."), fields={"permission": str(Permission.ORDER_EXPORT)})
        stmt = stmt.where(Order.shop_id.in_(sorted(allowed)))
    if query.state:
        stmt = stmt.where(Order.state == query.state)
    if query.date_from:
        stmt = stmt.where(Order.created_at >= datetime.combine(query.date_from, time.min, tzinfo=UTC))
    if query.date_to:
        stmt = stmt.where(Order.created_at < datetime.combine(query.date_to + timedelta(days=1), time.min, tzinfo=UTC))
    last_id = 0
    while True:
        page = db.session.scalars(stmt.where(Order.id > last_id).order_by(Order.id).limit(batch)).all()
        if not page:
            return
        for order in page:
            yield {
                "number": order.number, "shop": order.shop.code, "state": order.state, "channel": order.channel,
                "currency": order.currency, "subtotal": str(order.subtotal), "tax": str(order.tax),
                "charges": str(order.charges), "total": str(order.total), "paid": str(order.paid),
                "customer_id": order.customer_id, "customer_name": order.customer_name,
                "customer_email": order.customer_email, "ship_to_name": order.ship_to_name,
                "created_at": order.created_at.isoformat(),
                "lines": [{"sku": line.sku, "name": line.name, "quantity": line.quantity,
                           "unit_price": str(line.unit_price), "total": str(line.total)} for line in order.lines],
            }
        last_id = page[-1].id
        db.session.expunge_all()  # keep memory flat on long exports


def export_customers(access: Access, *, q: str | None = None) -> Iterator[dict[str, Any]]:
    """The customers the caller may export (the customers domain decides which)."""
    for row in customers.export_rows(access, q=q):
        yield dict(zip(CUSTOMER_COLUMNS, row, strict=True))


def export_stream(what: str, records: Iterator[dict[str, Any]], fmt: str) -> Iterator[str]:
    """CSV (injection-safe; an order's lines as ``sku×quantity``) or a JSON array, streamed."""
    columns = ORDER_COLUMNS if what == "orders" else CUSTOMER_COLUMNS
    if fmt == "json":
        yield "["
        for index, record in enumerate(records):
            yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False, default=str)
        yield "\n]\n"
        return

    def flat() -> Iterator[list[object]]:
        for record in records:
            row = dict(record)
            if what == "orders":
                row["lines"] = " ".join(f"{line['sku']}×{line['quantity']}" for line in record["lines"])
            yield [row.get(column) for column in columns]

    yield "\ufeff"
    yield from csv_lines(columns, flat())
