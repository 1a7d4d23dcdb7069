"""``/api/v1/shops/{code}/products`` and ``/api/v1/shops/{code}/stock/{sku}``."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from shopadmin.catalogue import services
from shopadmin.catalogue.schemas import (
    ProductIn,
    ProductListArgs,
    ProductOut,
    ProductPatch,
    StockArgs,
    StockIn,
    StockOut,
)
from shopadmin.core.access import Permission
from shopadmin.core.api import api_blueprint, page, page_schema
from shopadmin.core.db import unit_of_work
from shopadmin.core.web import api_route, request_access
from shopadmin.tenants import services as tenants

blp = api_blueprint("catalogue_api", __name__, "/shops", description="Products and stock per warehouse")


@blp.route("/<string:code>/products")
class Products(MethodView):
    @api_route(Permission.CATALOGUE_VIEW)
    @blp.arguments(ProductListArgs, location="query")
    @blp.response(200, page_schema(ProductOut, "ProductPage"))
    def get(self, args: dict[str, Any], code: str) -> Any:
        """The shop's products (``q`` matches SKU or name)."""
        access = request_access()
        shop = tenants.get_shop(access, code)
        return page(lambda after, limit: services.list_products(access, shop, q=args["q"], after_id=after,
                                                                limit=limit), args)

    @api_route(Permission.PRODUCT_MANAGE)
    @blp.arguments(ProductIn)
    @blp.response(201, ProductOut)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Add a product (manager and up)."""
        access = request_access()
        with unit_of_work():
            shop = tenants.get_shop(access, code)
            return services.create_product(access, shop, services.ProductInput(**data))


@blp.route("/<string:code>/products/<string:sku>")
class ProductBySku(MethodView):
    @api_route(Permission.CATALOGUE_VIEW)
    @blp.response(200, ProductOut)
    def get(self, code: str, sku: str) -> Any:
        access = request_access()
        return services.get_product(access, tenants.get_shop(access, code), sku)

    @api_route(Permission.PRODUCT_MANAGE)
    @blp.arguments(ProductPatch)
    @blp.response(200, ProductOut)
    def patch(self, changes: dict[str, Any], code: str, sku: str) -> Any:
        access = request_access()
        with unit_of_work():
            product = services.get_product(access, tenants.get_shop(access, code), sku)
            return services.update_product(access, product, changes)


@blp.route("/<string:code>/stock/<string:sku>")
class Stock(MethodView):
    @api_route(Permission.CATALOGUE_VIEW)
    @blp.arguments(StockArgs, location="query")
    @blp.response(200, StockOut)
    def get(self, args: dict[str, Any], code: str, sku: str) -> Any:
        """Stock of a product in a warehouse (``?warehouse=``, MAIN by default)."""
        access = request_access()
        return services.get_stock(access, tenants.get_shop(access, code), sku, args["warehouse"])

    @api_route(Permission.STOCK_MANAGE)
    @blp.arguments(StockIn)
    @blp.response(200, StockOut)
    def put(self, data: dict[str, Any], code: str, sku: str) -> Any:
        """Set the quantity on hand in a warehouse (manager and up)."""
        access = request_access()
        with unit_of_work():
            shop = tenants.get_shop(access, code)
            return services.set_stock(access, shop, sku, warehouse=data["warehouse"], quantity=data["quantity"])
