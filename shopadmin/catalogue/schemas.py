from __future__ import annotations

from marshmallow import Schema, fields, validate

from shopadmin.core.api import InputSchema
from shopadmin.core.money import money_str

MONEY = {"type": "string", "example": "12.50"}


class ProductIn(InputSchema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    price = fields.Raw(required=True, metadata=MONEY)
    tax_class = fields.String(load_default="standard")
    availability = fields.String(load_default="standard",
                                 validate=validate.OneOf(["standard", "backorder", "preorder", "digital"]))
    release_date = fields.Date(load_default=None, allow_none=True)


class ProductPatch(InputSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    price = fields.Raw(metadata=MONEY)
    tax_class = fields.String()
    availability = fields.String(validate=validate.OneOf(["standard", "backorder", "preorder", "digital"]))
    release_date = fields.Date(allow_none=True)
    is_active = fields.Boolean()


class ProductOut(Schema):
    id = fields.Integer()
    shop = fields.Function(lambda p: p.shop.code)
    sku = fields.String()
    name = fields.String()
    price = fields.Function(lambda p: money_str(p.price, p.shop.currency))
    currency = fields.Function(lambda p: p.shop.currency)
    tax_class = fields.String()
    availability = fields.Function(lambda p: p.availability.value)
    release_date = fields.Date(allow_none=True)
    is_active = fields.Boolean()


class ProductListArgs(InputSchema):
    q = fields.String(load_default=None)
    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class StockIn(InputSchema):
    warehouse = fields.String(load_default="MAIN")
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class StockArgs(InputSchema):
    warehouse = fields.String(load_default="MAIN")


class StockOut(Schema):
    sku = fields.Function(lambda s: s.product.sku)
    warehouse = fields.String()
    quantity = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()
