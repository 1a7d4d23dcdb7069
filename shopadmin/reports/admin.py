"""The report screens: the list, one report (parameters, rows, PDF/CSV), background runs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shopadmin.core.access import Permission
from shopadmin.core.admin import ScopedPage
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Invalid
from shopadmin.reports import services
from shopadmin.reports.base import load_reports, report_shops

SCREEN_ROWS = 500

# Routes-free: only makes ``templates/reports/...`` known to Jinja.
templates_bp = Blueprint("reports_screens", __name__, template_folder="templates")


def _download(file: services.ReportFile) -> Response:
    response = Response(file.content, mimetype=file.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


class ReportsView(ScopedPage):
    page_permission = Permission.REPORT_VIEW

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if name == "report_view" and current_user.is_authenticated:
            return None  # the report's shop decides: 404 outside the scope first, then 403 (services.prepare)
        return super()._handle_view(name, **kwargs)

    @expose("/")
    def index(self) -> Any:
        return self.render("reports/index.html", reports=load_reports())

    @expose("/<key>/", methods=("GET", "POST"))
    def report_view(self, key: str) -> Any:
        access = self.access
        if request.method == "POST":
            params = {name: value for name, value in request.form.items() if name not in ("csrf_token", "format")}
            with unit_of_work():
                run = services.start_run(access, key, params, request.form.get("format", "pdf"))
                run_id = run.id
            return redirect(url_for(".runs_view", id=run_id))
        fmt = request.args.get("format")
        report, ctx = services.prepare(access, key, request.args)
        errors: dict[str, Any] = {}
        if fmt:
            if fmt not in services.FORMATS:
                raise Invalid(_l("Unknown format."), fields={"format": ["pdf or csv."]})
            if report.count(ctx) <= services.inline_limit(fmt):
                return _download(services.render_file(services.run_report(access, key, request.args), fmt))
            flash(_("This report is large: it runs in the background. Start it below."), "warning")
        result = services.run_report(access, key, request.args)
        return self.render("reports/report.html", report=report, ctx=ctx, rows=result.rows[:SCREEN_ROWS],
                           total=len(result.rows), screen_rows=SCREEN_ROWS, errors=errors,
                           shops=report_shops(access, report.permission), args=request.args,
                           query={k: v for k, v in request.args.items() if k != "format"})

    @expose("/runs/")
    def runs_view(self) -> Any:
        access = self.access
        run_id = request.args.get("id", type=int)
        if run_id is None:
            return self.render("reports/runs.html", runs=services.list_runs(access), run=None,
                               reports=load_reports())
        run = services.get_run(access, run_id)
        if request.args.get("download") and run.status == "expired":
            abort(410, description=_("This report's file was deleted %(days)s days after it was made. "
                                     "Run the report again.", days=services.retention().days))
        if request.args.get("download") and run.status == "done" and run.content is not None:
            return _download(services.ReportFile(run.filename or "report", services.FORMATS[run.format],
                                                 run.content))
        return self.render("reports/runs.html", runs=[], run=run, reports=load_reports(),
                           retention_days=services.retention().days)


def register_admin(app: Any, admin: Any) -> None:
    app.register_blueprint(templates_bp)
    admin.add_view(ReportsView(name=_l("Reports"), endpoint="reports", url="/admin/reports"))
