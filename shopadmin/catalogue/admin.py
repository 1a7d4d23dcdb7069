"""Admin views for products and stock; every write goes through ``catalogue.services``."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from shopadmin.catalogue import services
from shopadmin.catalogue.forms import ProductForm, StockForm
from shopadmin.catalogue.models import Product, StockLevel
from shopadmin.core.access import Permission
from shopadmin.core.admin import EnumFilter, ScopedModelView
from shopadmin.core.i18n import label
from shopadmin.core.money import money_str
from shopadmin.tenants import services as tenants
from shopadmin.tenants.admin import shop_options


class ProductAdmin(ScopedModelView):
    view_permission = Permission.CATALOGUE_VIEW
    create_permission = Permission.PRODUCT_MANAGE
    edit_permission = Permission.PRODUCT_MANAGE

    form = ProductForm
    column_list = ("shop", "sku", "name", "price", "availability", "release_date", "is_active")
    column_searchable_list = ("sku", "name")
    column_filters = (EnumFilter(Product.availability, _l("Availability"), "availability"), "is_active")
    simple_list_pager = True
    column_labels = {  # noqa: RUF012
        "shop": _l("Shop"), "sku": _l("SKU"), "name": _l("Name"), "price": _l("Price"),
        "availability": _l("Availability"), "release_date": _l("Release date"), "is_active": _l("Active"),
    }
    column_formatters = {  # noqa: RUF012
        "shop": lambda v, c, m, p: m.shop.code,
        "price": lambda v, c, m, p: f"{money_str(m.price, m.shop.currency)} {m.shop.currency}",
        "availability": lambda v, c, m, p: label(m.availability, "availability"),
    }

    def create_form(self, obj: Any = None) -> ProductForm:
        form = super().create_form(obj)
        form.shop.choices = shop_options(Permission.PRODUCT_MANAGE)
        return form

    def edit_form(self, obj: Any = None) -> ProductForm:
        form = super().edit_form(obj)
        del form.shop
        form.sku.render_kw = {"readonly": True}
        if obj is not None:
            form.availability.data = form.availability.data or obj.availability.value
        return form

    def create_record(self, form: ProductForm) -> Product:
        shop = tenants.get_shop_by_id(self.access, form.shop.data)
        return services.create_product(self.access, shop, services.ProductInput(
            sku=form.sku.data or "", name=form.name.data or "", price=form.price.data,
            tax_class=form.tax_class.data or "standard", availability=form.availability.data or "standard",
            release_date=form.release_date.data))

    def update_record(self, form: ProductForm, model: Product) -> Product:
        return services.update_product(self.access, model, {
            "name": form.name.data, "price": form.price.data, "tax_class": form.tax_class.data,
            "availability": form.availability.data, "release_date": form.release_date.data,
            "is_active": bool(form.is_active.data)})


class StockAdmin(ScopedModelView):
    view_permission = Permission.CATALOGUE_VIEW
    edit_permission = Permission.STOCK_MANAGE

    form = StockForm
    column_list = ("shop_id", "product", "warehouse", "quantity", "reserved", "available")
    column_labels = {  # noqa: RUF012
        "shop_id": _l("Shop"), "product": _l("Product"), "warehouse": _l("Warehouse"),
        "quantity": _l("On hand"), "reserved": _l("Reserved"), "available": _l("Available"),
    }
    column_formatters = {  # noqa: RUF012
        "shop_id": lambda v, c, m, p: m.product.shop.code,
        "product": lambda v, c, m, p: f"{m.product.sku} — {m.product.name}",
        "available": lambda v, c, m, p: m.available,
    }
    simple_list_pager = True

    def update_record(self, form: StockForm, model: StockLevel) -> StockLevel:
        return services.set_stock(self.access, model.product.shop, model.product.sku, warehouse=model.warehouse,
                                  quantity=form.quantity.data)
