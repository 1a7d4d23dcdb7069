"""The dashboard's part of the admin: its templates (the index view itself lives in core.admin)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

# Routes-free: only makes ``templates/dashboard/...`` known to Jinja.
templates_bp = Blueprint("dashboard_screens", __name__, template_folder="templates")


def register_admin(app: Any, admin: Any) -> None:
    app.register_blueprint(templates_bp)
