"""Customer screens' forms (CSRF through Flask-WTF; the services validate the values)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

TYPE_CHOICES = [SelectChoice("b2c", "B2C"), SelectChoice("b2b", "B2B")]
KIND_CHOICES = [SelectChoice("call", _l("Call")), SelectChoice("note", _l("Note"))]
ADDRESS_KINDS = [SelectChoice("shipping", _l("Shipping")), SelectChoice("billing", _l("Billing"))]


class CustomerForm(FlaskForm):
    shop = SelectField(_l("Registered with shop"), choices=[], validate_choice=False)
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=100)])
    type = SelectField(_l("Type"), choices=TYPE_CHOICES, default="b2c")
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Preferred language"), choices=[
        SelectChoice("", "—"), SelectChoice("en", "English"), SelectChoice("de", "Deutsch"),
        SelectChoice("fr", "Français"),
    ], default="")
    tags = StringField(_l("Tags"), description=_l("Separated by commas, e.g. vip, newsletter"),
                       validators=[Optional(), Length(max=1000)])
    wants_order_emails = BooleanField(_l("Send order confirmation emails"), default=True)
    allow_assistance = BooleanField(_l("Allows customer assistance (login as customer)"))
    password = PasswordField(_l("Storefront password"), validators=[Optional(), Length(max=1024)],
                             description=_l("Optional; leave empty to keep the current one."))
    # The first address of each kind, for quick entry; the address book holds more.
    address_name = StringField(_l("Address: name"), validators=[Optional(), Length(max=200)])
    address_line1 = StringField(_l("Address: street"), validators=[Optional(), Length(max=200)])
    address_line2 = StringField(_l("Address: line 2"), validators=[Optional(), Length(max=200)])
    address_postcode = StringField(_l("Address: postcode"), validators=[Optional(), Length(max=20)])
    address_city = StringField(_l("Address: city"), validators=[Optional(), Length(max=100)])
    address_country = StringField(_l("Address: country (ISO code)"), validators=[Optional(), Length(max=2)])


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="call")
    shop = SelectField(_l("Shop"), choices=[], validate_choice=False)
    activity_code = SelectField(_l("Activity code"), choices=[], validate_choice=False)
    result_code = SelectField(_l("Result code"), choices=[], validate_choice=False)
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_l("Note"), validators=[Optional()])
    order_id = StringField(_l("Order id"), validators=[Optional(), Length(max=12)])


class AlertForm(FlaskForm):
    message = StringField(_l("Alert message"), validators=[DataRequired(), Length(max=1000)])
    order_id = StringField(_l("Order id"), validators=[Optional(), Length(max=12)])


class ClearAlertForm(FlaskForm):
    alert_id = StringField(validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])


class AddressForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=ADDRESS_KINDS)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    line1 = StringField(_l("Street"), validators=[DataRequired(), Length(max=200)])
    line2 = StringField(_l("Line 2"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=50)])
    country = StringField(_l("Country (ISO code)"), validators=[DataRequired(), Length(max=2)])
    is_default = BooleanField(_l("Default address of its kind"))


class RegisterForm(FlaskForm):
    shop = SelectField(_l("Shop"), choices=[], validate_choice=False)


class PrivateNoteForm(FlaskForm):
    shop = SelectField(_l("Shop"), choices=[], validate_choice=False)
    notes = TextAreaField(_l("Internal notes (only this shop sees them)"), validators=[Optional()])
    tags = StringField(_l("Internal tags"), validators=[Optional(), Length(max=1000)])


class ActivityCodeForm(FlaskForm):
    shop = SelectField(_l("Shop"), choices=[], coerce=int)
    kind = SelectField(_l("List"), choices=[SelectChoice("activity", _l("Activity codes")),
                                            SelectChoice("result", _l("Result codes"))])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=100)])
    is_active = BooleanField(_l("Active"), default=True)


class AttributeDefinitionForm(FlaskForm):
    shop = SelectField(_l("Shop"), choices=[], coerce=int)
    name = StringField(_l("Name"), description=_l("lower-case, e.g. vat_id"),
                       validators=[DataRequired(), Length(max=64)])
    label = StringField(_l("Label"), validators=[Optional(), Length(max=100)])
    type = SelectField(_l("Type"), choices=[
        SelectChoice("string", _l("Text")), SelectChoice("integer", _l("Whole number")),
        SelectChoice("decimal", _l("Decimal")), SelectChoice("boolean", _l("Yes/no")),
        SelectChoice("date", _l("Date")), SelectChoice("choice", _l("Choice")),
    ])
    required = BooleanField(_l("Required"))
    choices = StringField(_l("Choices"), description=_l("For a choice field: separated by commas"),
                          validators=[Optional(), Length(max=1000)])
