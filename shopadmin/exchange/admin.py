"""The import/export screen: upload a file, see every row's errors (dry run by default), export."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, redirect, request, stream_with_context, url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shopadmin.core.access import Permission
from shopadmin.core.admin import ScopedPage
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.core.errors import DomainError, Invalid
from shopadmin.exchange import services
from shopadmin.exchange.formats import FORMATS, guess_format
from shopadmin.exchange.importers import IMPORTERS
from shopadmin.exchange.models import ImportRun
from shopadmin.reports.base import report_shops

templates_bp = Blueprint("exchange_screens", __name__, template_folder="templates")
MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(_l("Some parameters are invalid."), fields={name: [_l("A date: YYYY-MM-DD.")]}) from None


class ExchangeView(ScopedPage):
    page_permission = Permission.DATA_IMPORT

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if name == "export_view" and current_user.is_authenticated:
            return None  # the export's shop decides: 404 outside the scope first, then 403
        return super()._handle_view(name, **kwargs)

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        access = self.access
        result = error = None
        form: dict[str, Any] = {"kind": "customers", "shop": "", "dry_run": True}
        if request.method == "POST":
            upload = request.files.get("file")
            form = {"kind": request.form.get("kind", ""), "shop": request.form.get("shop", ""),
                    "dry_run": bool(request.form.get("dry_run"))}
            try:
                if upload is None or not upload.filename:
                    raise Invalid(_l("Choose a file."), fields={"file": [_l("Choose a file.")]})
                fmt = request.form.get("format") or guess_format(upload.filename)
                with unit_of_work():
                    outcome = services.import_upload(access, form["kind"], upload.read(), fmt,
                                                     filename=upload.filename, shop_code=form["shop"] or None,
                                                     dry_run=form["dry_run"])
                    run_id = outcome.id if isinstance(outcome, ImportRun) else None
                if isinstance(outcome, services.ImportResult):
                    result = outcome.summary()
                else:  # a large file: imported by a job, followed on its page
                    return redirect(url_for(".runs_view", id=run_id))
            except DomainError as exc:
                error = exc.explain()
        return self.render("exchange/index.html", importers=IMPORTERS, result=result, error=error, form=form,
                           shops=report_shops(access, Permission.DATA_IMPORT), formats=FORMATS,
                           export_shops=report_shops(access, Permission.ORDER_EXPORT),
                           inline_rows=services.inline_rows())

    @expose("/runs/")
    def runs_view(self) -> Any:
        """The caller's background imports, or one of them (``?id=``): status, progress, result."""
        access = self.access
        run_id = request.args.get("id", type=int)
        if run_id is None:
            return self.render("exchange/runs.html", runs=services.list_import_runs(access), run=None)
        return self.render("exchange/runs.html", runs=[], run=services.get_import_run(access, run_id))

    @expose("/export")
    def export_view(self) -> Any:
        access = self.access
        what = request.args.get("what", "orders")
        fmt = request.args.get("format", "csv")
        if what not in ("orders", "customers") or fmt not in FORMATS:
            raise Invalid(_l("Export orders or customers as csv or json."))
        if what == "orders":
            query = services.ExportQuery(shop=request.args.get("shop") or None, state=request.args.get("state") or None,
                                         date_from=_date_arg("from"), date_to=_date_arg("to"))
            records = services.export_orders(access, query)
        else:
            records = services.export_customers(access, q=request.args.get("q") or None)
        first = next(records, None)  # scope and role errors surface now, as a page, not mid-stream

        def generate() -> Any:
            def all_records() -> Any:
                if first is not None:
                    yield first
                yield from records

            # The streamed body outlives the view: it sets the caller's access on the session again.
            with acting_as(access):
                yield from services.export_stream(what, all_records(), fmt)

        stamp = datetime.now(UTC).strftime("%Y-%m-%d_%H%M%S")
        response = Response(stream_with_context(generate()), mimetype=MIMETYPES[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="export-{what}_{stamp}.{fmt}"'
        return response


def register_admin(app: Any, admin: Any) -> None:
    app.register_blueprint(templates_bp)
    admin.add_view(ExchangeView(name=_l("Import and export"), endpoint="exchange", url="/admin/exchange"))
