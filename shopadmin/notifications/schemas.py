from __future__ import annotations

from marshmallow import Schema, fields, validate

from shopadmin.core.api import PageArgs


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
