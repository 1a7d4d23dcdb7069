"""Forms of the notification screens (labels are lazy: evaluated per request's locale)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from shopadmin.notifications.events import EVENTS
from shopadmin.notifications.rendering import default_locales


def event_choices() -> list[SelectChoice]:
    return [SelectChoice(name, str(spec.label)) for name, spec in EVENTS.items()]


def locale_choices() -> list[SelectChoice]:
    return [SelectChoice(code, code) for code in sorted({*default_locales(), "en", "de", "fr"})]


class TemplateForm(FlaskForm):
    shop = SelectField(_l("Shop"), coerce=int, validators=[DataRequired()])
    event = SelectField(_l("Event"), validators=[DataRequired()])
    locale = SelectField(_l("Language"), validators=[DataRequired()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body_text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=100_000)],
                              render_kw={"rows": 12})
    body_html = TextAreaField(_l("HTML"), validators=[Optional(), Length(max=200_000)], render_kw={"rows": 12})
    preview_order = IntegerField(_l("Preview on order (id; empty: sample data)"), validators=[Optional()])
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview"))
    test_send = SubmitField(_l("Send a test to me"))


class ComposeForm(FlaskForm):
    """An email from an order or a customer screen, started from a template."""

    order_id = HiddenField()
    customer_id = HiddenField()
    shop = SelectField(_l("Shop"), coerce=int, validators=[Optional()])
    template = SelectField(_l("Start from template"), validators=[Optional()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body_text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=100_000)],
                              render_kw={"rows": 12})
    body_html = TextAreaField(_l("HTML"), validators=[Optional(), Length(max=200_000)], render_kw={"rows": 8})
    load = SubmitField(_l("Copy the template"))
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send"))


class RecordActionForm(FlaskForm):
    """A POST with only the CSRF token (retry, dismiss, resend)."""


class SettingsForm(FlaskForm):
    shop = SelectField(_l("Shop"), coerce=int, validators=[DataRequired()])
    reminder_days = StringField(_l("Remind after (days, comma-separated)"), validators=[Optional(), Length(max=100)])
    escalate_after_days = IntegerField(_l("Escalate after (days)"), validators=[DataRequired(),
                                                                                  NumberRange(min=1, max=365)])
    retention_days = IntegerField(_l("Delete email bodies after (days; empty: keep)"),
                                  validators=[Optional(), NumberRange(min=1, max=36_500)])
    fulfilment_addresses = TextAreaField(_l("Fulfilment centre per warehouse (one per line: WAREHOUSE = address)"),
                                         validators=[Optional(), Length(max=5000)], render_kw={"rows": 4})
