"""``/api/v1/shops`` and ``/api/v1/shops/{code}/tax-rules``."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from shopadmin.core.access import Permission
from shopadmin.core.api import (
    PageArgs,
    api_blueprint,
    check_if_match,
    page,
    page_schema,
)
from shopadmin.core.db import unit_of_work
from shopadmin.core.web import api_route, request_access
from shopadmin.tenants import services
from shopadmin.tenants.schemas import ShopIn, ShopOut, ShopPatch, TaxRuleIn, TaxRuleOut

blp = api_blueprint("shops_api", __name__, "/shops", description="Shops (tenants) and their tax rules")


def _etag(shop: Any) -> dict[str, str]:
    return {"ETag": f'"{shop.version}"'}


@blp.route("")
class Shops(MethodView):
    @api_route(Permission.SHOP_VIEW)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(ShopOut, "ShopPage"))
    def get(self, args: dict[str, Any]) -> Any:
        """The shops the caller can see."""
        access = request_access()
        return page(lambda after, limit: services.list_shops(access, after_id=after, limit=limit), args)

    @api_route(Permission.SHOP_CREATE)
    @blp.arguments(ShopIn)
    @blp.response(201, ShopOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a shop (superadmin; the owner of a B2B master may add sub-shops)."""
        with unit_of_work():
            shop = services.create_shop(request_access(), services.ShopInput(**data))
        return shop, _etag(shop)


@blp.route("/<string:code>")
class ShopByCode(MethodView):
    @api_route(Permission.SHOP_VIEW)
    @blp.response(200, ShopOut)
    def get(self, code: str) -> Any:
        shop = services.get_shop(request_access(), code)
        return shop, _etag(shop)

    @api_route(Permission.SHOP_SETTINGS)
    @blp.arguments(ShopPatch)
    @blp.response(200, ShopOut)
    def patch(self, changes: dict[str, Any], code: str) -> Any:
        """Change settings; send ``If-Match`` with the version you read."""
        access = request_access()
        with unit_of_work():
            shop = services.get_shop(access, code)
            access.require(Permission.SHOP_SETTINGS, shop.id)
            check_if_match(shop.version)
            services.update_shop(access, shop, changes)
        return shop, _etag(shop)


@blp.route("/<string:code>/tax-rules")
class TaxRules(MethodView):
    @api_route(Permission.TAX_RULE_VIEW)
    @blp.response(200, page_schema(TaxRuleOut, "TaxRulePage"))
    def get(self, code: str) -> Any:
        access = request_access()
        shop = services.get_shop(access, code)
        return {"items": services.list_tax_rules(access, shop), "next": None}

    @api_route(Permission.TAX_RULE_MANAGE)
    @blp.arguments(TaxRuleIn)
    @blp.response(201, TaxRuleOut)
    def post(self, data: dict[str, Any], code: str) -> Any:
        access = request_access()
        with unit_of_work():
            shop = services.get_shop(access, code)
            return services.add_tax_rule(access, shop, **data)
