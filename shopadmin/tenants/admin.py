"""Admin views for shops and tax rules; every write goes through ``tenants.services``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from shopadmin.core.access import Permission
from shopadmin.core.admin import EnumFilter, ScopedModelView
from shopadmin.core.web import request_access
from shopadmin.extensions import db
from shopadmin.tenants import services
from shopadmin.tenants.forms import ShopForm, TaxRuleForm
from shopadmin.tenants.models import Shop, ShopKind, TaxRule


def shop_options(permission: Permission) -> list[SelectChoice]:
    """Choices for a shop picker: only the shops where the user may do ``permission``."""
    allowed = request_access().shops_allowing(permission)
    stmt = sa.select(Shop).order_by(Shop.code)
    if allowed is not None:
        stmt = stmt.where(Shop.id.in_(sorted(allowed)))
    return [SelectChoice(shop.id, str(shop)) for shop in db.session.scalars(stmt)]


class ShopAdmin(ScopedModelView):
    view_permission = Permission.SHOP_VIEW
    create_permission = Permission.SUBSHOP_CREATE
    edit_permission = Permission.SHOP_SETTINGS

    form = ShopForm
    column_list = ("code", "name", "kind", "master", "currency", "locale", "sharing_group", "customer_assistance")
    column_searchable_list = ("code", "name")
    column_filters = (EnumFilter(Shop.kind, _l("Kind"), {ShopKind.B2C: "B2C", ShopKind.B2B: "B2B"}), "currency",
                      "customer_assistance")
    column_labels = {  # noqa: RUF012
        "code": _l("Code"),
        "name": _l("Name"),
        "kind": _l("Kind"),
        "master": _l("Master shop"),
        "currency": _l("Currency"),
        "locale": _l("Locale"),
        "sharing_group": _l("Sharing group"),
        "customer_assistance": _l("Customer assistance"),
    }
    column_formatters = {"kind": lambda v, c, m, p: m.kind.value.upper()}  # noqa: RUF012

    def _prepare(self, form: ShopForm) -> ShopForm:
        masters = db.session.scalars(
            sa.select(Shop).where(Shop.kind == ShopKind.B2B, Shop.master_id.is_(None)).order_by(Shop.code)
        ).all()
        allowed = self.access.shops_allowing(Permission.SUBSHOP_CREATE)
        choices = [SelectChoice(m.code, str(m)) for m in masters if allowed is None or m.id in allowed]
        form.master.choices = ([SelectChoice("", "—")] if self.access.is_superadmin else []) + choices
        return form

    def create_form(self, obj: Any = None) -> ShopForm:
        return self._prepare(super().create_form(obj))

    def edit_form(self, obj: Any = None) -> ShopForm:
        # Code, kind and master are fixed once a shop exists.
        form = super().edit_form(obj)
        del form.kind
        del form.master
        if obj is not None and request.method == "GET":
            form.sharing_group.data = obj.sharing_group.name if obj.sharing_group else ""
        form.code.render_kw = {"readonly": True}
        if not self.access.is_superadmin:
            form.sharing_group.render_kw = {"readonly": True}
        return form

    def create_record(self, form: ShopForm) -> Shop:
        data = {k: v for k, v in form.data.items()}
        data["master"] = data.get("master") or None
        data["sharing_group"] = data.get("sharing_group") or None
        data["email"] = data.get("email") or None
        return services.create_shop(self.access, services.ShopInput(**data))

    def update_record(self, form: ShopForm, model: Shop) -> Shop:
        changes: dict[str, Any] = {
            key: form.data[key] for key in ("name", "currency", "locale", "timezone", "customer_assistance", "email")
        }
        changes["email"] = changes["email"] or None
        current_group = model.sharing_group.name if model.sharing_group else ""
        if (form.sharing_group.data or "") != current_group:
            changes["sharing_group"] = form.sharing_group.data or None
        return services.update_shop(self.access, model, changes)


class TaxRuleAdmin(ScopedModelView):
    view_permission = Permission.TAX_RULE_VIEW
    create_permission = Permission.TAX_RULE_MANAGE
    delete_permission = Permission.TAX_RULE_MANAGE

    form = TaxRuleForm
    column_list = ("shop", "country", "region", "tax_class", "rate")
    column_filters = ("country", "tax_class")
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"),
        "country": _l("Country"),
        "region": _l("Region"),
        "tax_class": _l("Tax class"),
        "rate": _l("Rate"),
    }

    def create_form(self, obj: Any = None) -> TaxRuleForm:
        form = super().create_form(obj)
        form.shop.choices = shop_options(Permission.TAX_RULE_MANAGE)
        return form

    def create_record(self, form: TaxRuleForm) -> TaxRule:
        shop = services.get_shop_by_id(self.access, form.shop.data)
        return services.add_tax_rule(
            self.access,
            shop,
            country=form.country.data,
            region=form.region.data,
            tax_class=form.tax_class.data,
            rate=form.rate.data,
        )

    def delete_record(self, model: TaxRule) -> None:
        services.delete_tax_rule(self.access, model)
