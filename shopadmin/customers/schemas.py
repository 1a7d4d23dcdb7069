"""Request and response shapes of ``/api/v1/customers`` (the services validate the values)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from shopadmin.core.api import InputSchema, PageArgs
from shopadmin.customers.services import shop_code


class AddressIn(InputSchema):
    kind = fields.String(required=True, metadata={"enum": ["shipping", "billing"]})
    name = fields.String(required=True)
    company = fields.String(load_default="")
    line1 = fields.String(required=True)
    line2 = fields.String(load_default="", allow_none=True)
    city = fields.String(required=True)
    postcode = fields.String(load_default="", allow_none=True)
    region = fields.String(load_default="", allow_none=True)
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    phone = fields.String(load_default="", allow_none=True)
    is_default = fields.Boolean(load_default=None, allow_none=True)


_ADDRESSES = {"description": "address book entries: kind, name, line1, line2, city, postcode, region, country"}


class CustomerIn(InputSchema):
    shop = fields.String(required=True, metadata={"description": "code of the shop the customer registers with"})
    email = fields.String(required=True)
    first_name = fields.String(load_default="", allow_none=True)
    last_name = fields.String(load_default="", allow_none=True)
    type = fields.String(load_default="b2c", validate=validate.OneOf(["b2c", "b2b"]))
    company = fields.String(load_default="", allow_none=True)
    department = fields.String(load_default="", allow_none=True)
    phone = fields.String(load_default="", allow_none=True)
    locale = fields.String(load_default=None, allow_none=True)
    tags = fields.Raw(load_default=list, metadata={"type": "array", "items": {"type": "string"}})
    attributes = fields.Raw(load_default=dict, metadata={"type": "object"})
    addresses = fields.Raw(load_default=list, metadata={"type": "array", "items": {"type": "object"}, **_ADDRESSES})
    password = fields.String(load_default=None, allow_none=True, load_only=True)
    allow_assistance = fields.Boolean(load_default=False)
    wants_order_emails = fields.Boolean(load_default=True)


class CustomerPatch(InputSchema):
    email = fields.String()
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    type = fields.String(validate=validate.OneOf(["b2c", "b2b"]))
    company = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    locale = fields.String()
    tags = fields.Raw(metadata={"type": "array", "items": {"type": "string"}})
    attributes = fields.Raw(metadata={"type": "object"})
    addresses = fields.Raw(metadata={"type": "array", "items": {"type": "object"}, **_ADDRESSES})
    password = fields.String(allow_none=True, load_only=True)
    allow_assistance = fields.Boolean()
    wants_order_emails = fields.Boolean()


class CustomerSearchArgs(PageArgs):
    q = fields.String(load_default=None, metadata={"description": "name, email, company, phone, tag or id"})
    tag = fields.String(load_default=None)
    shop = fields.String(load_default=None, metadata={"description": "only customers registered with this shop"})
    type = fields.String(load_default=None, validate=validate.OneOf(["b2c", "b2b"]))
    alert = fields.Boolean(load_default=None, metadata={"description": "with (true) or without (false) open alerts"})


class RegistrationIn(InputSchema):
    shop = fields.String(required=True)


class RegistrationPatch(InputSchema):
    disabled = fields.Boolean(required=True)


class AddressOut(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda a: a.kind.value)
    name = fields.String()
    company = fields.String()
    line1 = fields.String()
    line2 = fields.String()
    city = fields.String()
    postcode = fields.String()
    region = fields.String()
    country = fields.String()
    phone = fields.String()
    is_default = fields.Boolean()


class RegistrationOut(Schema):
    shop = fields.Function(lambda link: shop_code(link.shop_id))
    registered_at = fields.AwareDateTime(default_timezone=None)
    disabled_at = fields.AwareDateTime(default_timezone=None, allow_none=True)
    active = fields.Boolean(attribute="is_active")


class AlertOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    order_id = fields.Integer(allow_none=True)
    shop = fields.Function(lambda alert: shop_code(alert.shop_id))
    message = fields.String()
    raised_by = fields.Function(lambda alert: _who(alert.raised_by, alert.raised_by_actor))
    raised_at = fields.AwareDateTime(default_timezone=None)
    active = fields.Boolean(attribute="is_active")
    cleared_by = fields.Function(lambda alert: _who(alert.cleared_by, None) if alert.cleared_at else None)
    cleared_at = fields.AwareDateTime(default_timezone=None, allow_none=True)
    clear_note = fields.String()


def _who(user: Any, actor: str | None) -> dict[str, Any]:
    if user is None:
        return {"user_id": None, "name": actor or ""}
    return {"user_id": user.id, "name": user.name or user.email}


class CustomerOut(Schema):
    id = fields.Integer()
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    name = fields.String()
    type = fields.Function(lambda c: c.type.value)
    company = fields.String()
    department = fields.String()
    phone = fields.String()
    locale = fields.String()
    wants_order_emails = fields.Boolean()
    allow_assistance = fields.Boolean()
    has_password = fields.Function(lambda c: c.password_hash is not None)
    tags = fields.List(fields.String())
    attributes = fields.Dict()
    addresses = fields.List(fields.Nested(AddressOut))
    shops = fields.Function(lambda c: [shop_code(link.shop_id) for link in c.links if link.disabled_at is None],
                            metadata={"description": "codes of the shops the customer is registered with (active)"})
    registrations = fields.List(fields.Nested(RegistrationOut), attribute="links")
    sharing_group = fields.Function(lambda c: c.sharing_group.name if c.sharing_group else None)
    home_shop = fields.Function(lambda c: shop_code(c.home_shop_id))
    alerts = fields.Function(lambda c: AlertOut(many=True).dump([a for a in c.alerts if a.cleared_at is None]),
                             metadata={"description": "open alerts"})
    version = fields.Integer()
    created_at = fields.AwareDateTime(default_timezone=None)
    updated_at = fields.AwareDateTime(default_timezone=None)


class CustomerSummaryOut(Schema):
    """A search result: the profile without the address book (read the customer for it)."""

    id = fields.Integer()
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    name = fields.String()
    type = fields.Function(lambda c: c.type.value)
    company = fields.String()
    phone = fields.String()
    locale = fields.String()
    tags = fields.List(fields.String())
    shops = fields.Function(lambda c: [shop_code(link.shop_id) for link in c.links if link.disabled_at is None])
    alerts = fields.Function(lambda c: AlertOut(many=True).dump([a for a in c.alerts if a.cleared_at is None]),
                             metadata={"description": "open alerts"})
    version = fields.Integer()


class ActivityIn(InputSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["note", "call"]))
    subject = fields.String(load_default="", allow_none=True)
    body = fields.String(load_default="", allow_none=True)
    activity_code = fields.String(load_default=None, allow_none=True)
    result_code = fields.String(load_default=None, allow_none=True)
    order_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    shop = fields.String(load_default=None, allow_none=True,
                         metadata={"description": "the shop the entry is written in (default: the caller's)"})


class ActivityOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    shop = fields.Function(lambda a: shop_code(a.shop_id))
    kind = fields.Function(lambda a: a.kind.value)
    subject = fields.String()
    body = fields.String()
    activity_code = fields.String(allow_none=True)
    result_code = fields.String(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    author = fields.Function(lambda a: {**_who(a.author, a.actor), "operator_id": a.operator_id})
    created_at = fields.AwareDateTime(default_timezone=None)


class TimelineArgs(PageArgs):
    kind = fields.String(load_default=None, validate=validate.OneOf(["note", "call", "email", "system"]))


class AlertIn(InputSchema):
    message = fields.String(required=True)
    order_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    shop = fields.String(load_default=None, allow_none=True)


class AlertClearIn(InputSchema):
    note = fields.String(load_default="", allow_none=True)


class PrivateNoteIn(InputSchema):
    notes = fields.String(load_default="", allow_none=True)
    tags = fields.Raw(load_default=list, metadata={"type": "array", "items": {"type": "string"}})


class PrivateNoteOut(Schema):
    shop = fields.Function(lambda n: shop_code(n.shop_id))
    notes = fields.String()
    tags = fields.List(fields.String())
    updated_at = fields.AwareDateTime(default_timezone=None)


class CodeItem(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)


class CodeListIn(InputSchema):
    activity = fields.List(fields.Dict(), load_default=None, metadata={"description": "[{code, label}]"})
    result = fields.List(fields.Dict(), load_default=None, metadata={"description": "[{code, label}]"})


class CodeListOut(Schema):
    shop = fields.String()
    activity = fields.List(fields.Nested(CodeItem))
    result = fields.List(fields.Nested(CodeItem))


class AttributeDefinitionIn(InputSchema):
    name = fields.String(required=True)
    label = fields.String(load_default=None, allow_none=True)
    type = fields.String(load_default="string")
    required = fields.Boolean(load_default=False)
    choices = fields.List(fields.String(), load_default=None, allow_none=True)


class AttributeDefinitionOut(Schema):
    name = fields.String()
    label = fields.String()
    type = fields.Function(lambda d: d.type.value)
    required = fields.Boolean(attribute="is_required")
    choices = fields.List(fields.String())
