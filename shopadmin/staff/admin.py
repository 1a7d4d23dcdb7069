"""Admin views for staff users and memberships; writes go through ``staff.services``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, request
from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Permission
from shopadmin.core.admin import ScopedModelView
from shopadmin.core.errors import DomainError, Invalid
from shopadmin.extensions import db
from shopadmin.staff import services
from shopadmin.staff.forms import MembershipForm, UserForm
from shopadmin.staff.models import Membership, User
from shopadmin.tenants import services as tenants
from shopadmin.tenants.admin import shop_options


class UserAdmin(ScopedModelView):
    """Users are not shop-owned; the visible set comes from ``staff.services.users_query``."""

    view_permission = Permission.USER_VIEW
    create_permission = Permission.USER_CREATE
    edit_permission = Permission.USER_MANAGE

    form = UserForm
    column_list = ("email", "name", "locale", "is_superadmin", "active", "last_login_at")
    column_searchable_list = ("email", "name")
    column_exclude_list = ("password_hash",)
    column_details_exclude_list = ("password_hash", "session_epoch")
    column_labels = {  # noqa: RUF012
        "email": _l("Email"),
        "name": _l("Name"),
        "locale": _l("Language"),
        "is_superadmin": _l("Superadmin"),
        "active": _l("Active"),
        "last_login_at": _l("Last sign-in"),
    }

    def get_query(self) -> Any:
        ids = services.users_query(self.access).with_only_columns(User.id)
        return db.session.query(User).filter(User.id.in_(ids))

    def get_count_query(self) -> Any:
        ids = services.users_query(self.access).with_only_columns(User.id)
        return db.session.query(sa.func.count(User.id)).filter(User.id.in_(ids))

    def find_record(self, id: Any) -> Any:
        if not str(id).isdigit():
            abort(404)
        try:
            return services.get_user(self.access, int(id))
        except DomainError as exc:
            abort(exc.status)

    def require_on(self, record: Any, permission: Permission | None) -> None:
        # get_user already decided who may look; changing a user is for the platform.
        if permission is not self.view_permission and not (permission and self.access.can(permission)):
            abort(403)

    def edit_form(self, obj: Any = None) -> UserForm:
        form = super().edit_form(obj)
        if obj is not None and request.method == "GET":
            form.superadmin.data = obj.is_superadmin
            form.locale.data = obj.locale or ""
            form.password.data = ""
        form.email.render_kw = {"readonly": True}
        return form

    def create_record(self, form: UserForm) -> User:
        if not form.password.data:
            raise Invalid(_l("A new user needs a password."), fields={"password": [_l("Required.")]})
        return services.create_user(
            self.access,
            email=form.email.data,
            password=form.password.data,
            name=form.name.data or "",
            superadmin=form.superadmin.data,
            locale=form.locale.data or None,
        )

    def update_record(self, form: UserForm, model: User) -> User:
        return services.update_user(
            self.access,
            model,
            name=form.name.data or "",
            locale=form.locale.data or "",
            active=form.active.data,
            superadmin=form.superadmin.data,
            password=form.password.data or None,
        )


class MembershipAdmin(ScopedModelView):
    view_permission = Permission.MEMBER_VIEW
    create_permission = Permission.MEMBER_MANAGE
    edit_permission = Permission.MEMBER_MANAGE
    delete_permission = Permission.MEMBER_MANAGE

    form = MembershipForm
    column_list = ("shop", "user", "role", "override_limit_pct", "created_at")
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"),
        "user": _l("User"),
        "role": _l("Role"),
        "override_limit_pct": _l("Override limit (%)"),
        "created_at": _l("Since"),
    }
    column_formatters = {"role": lambda v, c, m, p: m.role.label}  # noqa: RUF012

    def create_form(self, obj: Any = None) -> MembershipForm:
        form = super().create_form(obj)
        form.shop.choices = shop_options(Permission.MEMBER_MANAGE)
        return form

    def edit_form(self, obj: Any = None) -> MembershipForm:
        # Shop and user are fixed once a membership exists; only role and limit change.
        form = super().edit_form(obj)
        del form.shop
        del form.email
        if obj is not None and request.method == "GET":
            form.role.data = obj.role.label
        return form

    def create_record(self, form: MembershipForm) -> Membership:
        shop = tenants.get_shop_by_id(self.access, form.shop.data)
        return services.add_member(
            self.access,
            shop,
            email=form.email.data,
            role=form.role.data,
            override_limit_pct=form.override_limit_pct.data,
        )

    def update_record(self, form: MembershipForm, model: Membership) -> Membership:
        return services.update_member(
            self.access, model, role=form.role.data, override_limit_pct=form.override_limit_pct.data
        )

    def delete_record(self, model: Membership) -> None:
        services.remove_member(self.access, model)
