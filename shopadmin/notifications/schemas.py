from __future__ import annotations

from marshmallow import Schema, fields, validate

from shopadmin.core.api import InputSchema, PageArgs


class NotificationArgs(PageArgs):
    order_id = fields.Integer(load_default=None)
    customer_id = fields.Integer(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(["queued", "sent", "failed"]))


class NotificationOut(Schema):
    id = fields.Integer()
    event = fields.String()
    recipient = fields.String()
    status = fields.Function(lambda row: row.status.value)
    subject = fields.String()
    locale = fields.String()
    attempts = fields.Integer()
    audience = fields.String()
    shop = fields.Function(lambda row: row.shop_code)
    order_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    alert = fields.Boolean(attribute="is_alert_open")
    created_at = fields.AwareDateTime(default_timezone=None)
    sent_at = fields.AwareDateTime(default_timezone=None, allow_none=True)
    next_attempt_at = fields.AwareDateTime(default_timezone=None)


class NotificationDetailOut(NotificationOut):
    body_text = fields.String(allow_none=True)
    body_html = fields.String(allow_none=True)


class NotificationBatch(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    next = fields.String(allow_none=True)


class EmailIn(InputSchema):
    template = fields.String(load_default=None, validate=validate.Length(max=64))
    subject = fields.String(load_default=None, validate=validate.Length(max=300))
    body_text = fields.String(load_default=None, validate=validate.Length(max=100_000))
    body_html = fields.String(load_default=None, validate=validate.Length(max=200_000))
    shop = fields.String(load_default=None)
    order_id = fields.Integer(load_default=None)
