from __future__ import annotations

from marshmallow import Schema, fields, validate

from shopadmin.core.api import InputSchema


class TokenIn(InputSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1024))
    name = fields.String(load_default="", validate=validate.Length(max=100))


class TokenOut(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime(default_timezone=None)
    user_id = fields.Integer()


class UserIn(InputSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1024))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    superadmin = fields.Boolean(load_default=False)
    locale = fields.String(load_default=None, allow_none=True)


class UserOut(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    locale = fields.String(allow_none=True)
    superadmin = fields.Boolean(attribute="is_superadmin")
    active = fields.Boolean()
    created_at = fields.AwareDateTime(default_timezone=None)


class MemberIn(InputSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    role = fields.String(required=True, validate=validate.OneOf(["csr", "supervisor", "manager", "owner"]))
    override_limit_pct = fields.Raw(load_default="0", metadata={"type": "string", "example": "10"})


class MemberOut(Schema):
    id = fields.Integer()
    shop = fields.Function(lambda m: m.shop.code)
    user_id = fields.Integer()
    email = fields.Function(lambda m: m.user.email)
    name = fields.Function(lambda m: m.user.name)
    role = fields.Function(lambda m: m.role.label)
    override_limit_pct = fields.Decimal(as_string=True)
    created_at = fields.AwareDateTime(default_timezone=None)
