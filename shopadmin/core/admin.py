"""Flask-Admin base views. Every admin view derives from ``ScopedModelView``.

Reads go through the session, which carries the request's access context, so the ORM
guard scopes lists, counts, filters, exports and relation pickers alike; ``get_one``
uses ``select()`` so an id typed into the URL is scoped too (Flask-Admin's default
``session.get`` would skip the guard). Writes never use Flask-Admin's ``populate_obj``
path: each view turns the form into a call to its domain's service, which checks the
role per action; domain errors come back as a flashed message.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shopadmin.core.access import Access, Permission
from shopadmin.core.db import Scoped, unit_of_work
from shopadmin.core.errors import DomainError, Message
from shopadmin.core.i18n import labels_of
from shopadmin.core.web import flash_error, request_access
from shopadmin.extensions import db


def _login_redirect() -> Any:
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class SecureIndexView(AdminIndexView):  # type: ignore[misc]
    """The admin home page: signed-in staff only."""

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return _login_redirect()

    @expose("/")
    def index(self) -> Any:
        from shopadmin.dashboard.services import dashboard_context
        from shopadmin.tenants.explain import visible_shops_with_reasons

        access = request_access()
        return self.render(
            "admin/dashboard.html",
            access=access,
            shops=visible_shops_with_reasons(access),
            **dashboard_context(access, request.args),
        )


class ScopedPage(BaseView):  # type: ignore[misc]
    """A custom admin page (dashboard pieces, reports, import): signed-in staff holding
    ``page_permission`` on some visible shop. Anonymous visitors go to the login page,
    others get 403. The page's services scope the data per shop themselves.
    """

    __scoped_page__ = True
    page_permission: ClassVar[Permission]

    @property
    def access(self) -> Access:
        return request_access()

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated) and self.access.can_anywhere(self.page_permission)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _login_redirect()
        abort(403)


class EnumFilter(BaseSQLAFilter):  # type: ignore[misc]
    """A list filter "<column> is <one of a fixed set of values>", shown as a select.

    ``labels`` is a kind registered with ``core.i18n.register_labels`` (``"inbox_status"``)
    or a mapping ``{value: label}``; the keys (enum members or their codes) are the values
    allowed in the URL. Any other value (``?flt0_0=nonsense``, an enum member's *name*
    where Flask-Admin's own enum filters expected one) is refused by ``validate``:
    Flask-Admin then flashes "invalid filter value" and lists without that filter, where
    its own enum filters raised ``KeyError`` (a 500).

    The code is compared as the column's Python value: an ``sa.Enum`` column gets its enum
    member, a boolean column ``"1"``/``"0"`` as ``True``/``False``, anything else the code.
    Subclasses with a condition of their own (an ``EXISTS``, a subquery) override
    ``condition``.
    """

    def __init__(self, column: Any, name: Message, labels: str | Mapping[Any, Message], **kwargs: Any) -> None:
        self._labels = labels
        super().__init__(column, name, options=self.choices, **kwargs)

    def labels(self) -> dict[str, Message]:
        """The allowed codes with their (lazy) labels, in display order."""
        if isinstance(self._labels, str):
            return labels_of(self._labels)
        return {
            (str(value.value) if isinstance(value, enum.Enum) else str(value)): text
            for value, text in self._labels.items()
        }

    def choices(self) -> list[tuple[str, Message]]:
        return list(self.labels().items())

    def validate(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.labels()

    def clean(self, value: str) -> Any:
        column_type = getattr(self.column, "type", None)
        enum_class = getattr(column_type, "enum_class", None)
        if enum_class is not None:
            return enum_class(value)
        if isinstance(column_type, sa.Boolean):
            return value == "1"
        return value

    def condition(self, column: Any, value: Any) -> sa.ColumnElement[bool]:
        return column == value  # type: ignore[no-any-return]

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        return query.filter(self.condition(self.get_column(alias), value))

    def operation(self) -> Any:
        return _l("is")


class ScopedModelView(ModelView):  # type: ignore[misc]
    """A model view scoped by the access module and checked per action by role.

    Subclasses set the permissions and implement ``create_record``, ``update_record``
    and ``delete_record`` by calling their services.
    """

    view_permission: ClassVar[Permission]
    create_permission: ClassVar[Permission | None] = None
    edit_permission: ClassVar[Permission | None] = None
    delete_permission: ClassVar[Permission | None] = None

    can_export = False  # exports come with CSV-injection-safe writers in the reports issue
    can_view_details = True
    page_size = 25

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        super().__init__(model, db, **kwargs)

    # -- who may see and do what ---------------------------------------------------------

    @property
    def access(self) -> Access:
        return request_access()

    def _allowed(self, permission: Permission | None) -> bool:
        return permission is not None and bool(current_user.is_authenticated) and self.access.can_anywhere(permission)

    @property  # type: ignore[override]
    def can_create(self) -> bool:
        return self._allowed(self.create_permission)

    @property  # type: ignore[override]
    def can_edit(self) -> bool:
        return self._allowed(self.edit_permission)

    @property  # type: ignore[override]
    def can_delete(self) -> bool:
        return self._allowed(self.delete_permission)

    def is_accessible(self) -> bool:
        return self._allowed(self.view_permission)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _login_redirect()
        abort(403)

    # -- reads: 404 outside the scope first, then 403 beyond the role ----------------------

    RECORD_VIEWS: ClassVar[dict[str, str]] = {
        "details_view": "view_permission",
        "edit_view": "edit_permission",
        "delete_view": "delete_permission",
    }

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _login_redirect()
        record_id = request.args.get("id") or request.form.get("id")
        if name in self.RECORD_VIEWS and record_id is not None:
            record = self.find_record(record_id)
            self.require_on(record, getattr(self, self.RECORD_VIEWS[name]))
        elif name == "create_view" and not self.can_create and self.is_accessible():
            abort(403)
        return super()._handle_view(name, **kwargs)

    def find_record(self, id: Any) -> Any:
        """The record with this id through the scope guard, or 404."""
        return self.one_or_404(sa.select(self.model), id)

    def record_shop_id(self, record: Any) -> int | None:
        return record.scope_shop_id() if isinstance(record, Scoped) else None

    def require_on(self, record: Any, permission: Permission | None) -> None:
        if permission is None or not self.access.can(permission, self.record_shop_id(record)):
            abort(403)

    def get_one(self, id: Any) -> Any:
        record = self.find_record(id)
        self.require_on(record, self.view_permission)
        return record

    def one_or_404(self, stmt: sa.Select[Any], id: Any) -> Any:
        pk = self.model.__mapper__.primary_key[0]
        try:
            key = pk.type.python_type(id)
        except (TypeError, ValueError):
            abort(404)
        record = db.session.scalars(stmt.where(pk == key)).one_or_none()
        if record is None:
            abort(404)
        return record

    # -- writes go through the services --------------------------------------------------

    def create_record(self, form: Any) -> Any:
        raise NotImplementedError

    def update_record(self, form: Any, model: Any) -> Any:
        raise NotImplementedError

    def delete_record(self, model: Any) -> None:
        raise NotImplementedError

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, DomainError):
            flash_error(exc)
            return True
        return bool(super().handle_view_exception(exc))

    def _write(self, action: Any) -> Any:
        try:
            with unit_of_work():
                return action()
        except DomainError as exc:
            flash_error(exc)
            return None

    def create_model(self, form: Any) -> Any:
        model = self._write(lambda: self.create_record(form))
        if model is None:
            return False
        self.after_model_change(form, model, True)
        return model

    def update_model(self, form: Any, model: Any) -> bool:
        result = self._write(lambda: self.update_record(form, model) or model)
        if result is None:
            return False
        self.after_model_change(form, model, False)
        return True

    def delete_model(self, model: Any) -> bool:
        def delete() -> bool:
            self.delete_record(model)
            return True

        return self._write(delete) is not None


__all__ = ["EnumFilter", "ScopedModelView", "ScopedPage", "SecureIndexView"]
