from __future__ import annotations

from marshmallow import Schema, fields, validate

from shopadmin.core.api import InputSchema


class ShopIn(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="b2c", validate=validate.OneOf(["b2c", "b2b"]))
    master = fields.String(load_default=None, allow_none=True)
    currency = fields.String(load_default="EUR")
    locale = fields.String(load_default="en")
    timezone = fields.String(load_default="UTC")
    sharing_group = fields.String(load_default=None, allow_none=True)
    customer_assistance = fields.Boolean(load_default=False)
    email = fields.String(load_default=None, allow_none=True)
    attributes = fields.Dict(keys=fields.String(), load_default=dict)


class ShopPatch(InputSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    currency = fields.String()
    locale = fields.String()
    timezone = fields.String()
    sharing_group = fields.String(allow_none=True)
    customer_assistance = fields.Boolean()
    email = fields.String(allow_none=True)
    attributes = fields.Dict(keys=fields.String())
    is_active = fields.Boolean()


class ShopOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.Function(lambda shop: shop.kind.value)
    master = fields.Function(lambda shop: shop.master.code if shop.master else None)
    sub_shops = fields.Function(lambda shop: [sub.code for sub in shop.sub_shops])
    currency = fields.String()
    locale = fields.String()
    timezone = fields.String()
    sharing_group = fields.Function(lambda shop: shop.sharing_group.name if shop.sharing_group else None)
    customer_assistance = fields.Boolean()
    email = fields.String(allow_none=True)
    attributes = fields.Dict()
    is_active = fields.Boolean()
    version = fields.Integer()
    created_at = fields.AwareDateTime(default_timezone=None)


class TaxRuleIn(InputSchema):
    country = fields.String(required=True)
    region = fields.String(load_default=None, allow_none=True)
    tax_class = fields.String(load_default="standard")
    rate = fields.Raw(required=True, metadata={"type": "string", "example": "0.19"})


class TaxRuleOut(Schema):
    id = fields.Integer()
    shop = fields.Function(lambda rule: rule.shop.code)
    country = fields.String()
    region = fields.Function(lambda rule: rule.region or None)
    tax_class = fields.String()
    rate = fields.Decimal(as_string=True)
    created_at = fields.AwareDateTime(default_timezone=None)
