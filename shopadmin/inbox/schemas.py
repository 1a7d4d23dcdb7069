from __future__ import annotations

from marshmallow import fields, validate

from shopadmin.core.api import InputSchema, PageArgs

STATUSES = ["received", "applied", "review", "unmatched", "rejected"]


class MessageListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    shop = fields.String(load_default=None)


class KpiArgs(InputSchema):
    shop = fields.String(load_default=None)
    since = fields.AwareDateTime(load_default=None, default_timezone=None)


class EditIn(InputSchema):
    changes = fields.List(fields.Dict(), validate=validate.Length(max=100))
    note = fields.String(validate=validate.Length(max=1000), allow_none=True)


class DecisionIn(InputSchema):
    changes = fields.List(fields.Dict(), validate=validate.Length(max=100), load_default=None)
    note = fields.String(validate=validate.Length(max=1000), load_default=None, allow_none=True)
    order_id = fields.Integer(load_default=None, allow_none=True)
    dry_run = fields.Boolean(load_default=False)


class RejectIn(InputSchema):
    note = fields.String(validate=validate.Length(max=1000), load_default=None, allow_none=True)
    dry_run = fields.Boolean(load_default=False)
