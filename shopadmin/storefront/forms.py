"""Storefront forms (Flask-WTF: every form carries the storefront session's CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

LOCALES = [SelectChoice("en", "English"), SelectChoice("de", "Deutsch"), SelectChoice("fr", "Français")]
COUNTRIES_HINT = _l("Two letters, e.g. DE")


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=1024)])
    submit = SubmitField(_l("Save the new password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=1024)])
    submit = SubmitField(_l("Change the password"))


class ProfileForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=100)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Language"), choices=LOCALES)
    submit = SubmitField(_l("Save the profile"))


class AddressForm(FlaskForm):
    kind = SelectField(_l("Use for"), choices=[SelectChoice("shipping", _l("Shipping")),
                                               SelectChoice("billing", _l("Billing"))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    line1 = StringField(_l("Street and number"), validators=[DataRequired(), Length(max=200)])
    line2 = StringField(_l("Address line 2"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    country = StringField(_l("Country"), validators=[DataRequired(), Length(min=2, max=2)], description=COUNTRIES_HINT)
    submit = SubmitField(_l("Add the address"))


class PlainForm(FlaskForm):
    """A button that posts (CSRF only): end assistance, sign out, remove, confirm."""

    submit = SubmitField(_l("OK"))


class AddToCartForm(FlaskForm):
    sku = HiddenField(validators=[DataRequired(), Length(max=64)])
    quantity = IntegerField(_l("Quantity"), default=1, validators=[DataRequired(), NumberRange(min=1, max=999)])
    submit = SubmitField(_l("Add to cart"))


class CheckoutForm(FlaskForm):
    shipping_address = SelectField(_l("Ship to"), validators=[DataRequired()])
    billing_address = SelectField(_l("Invoice to"), validators=[DataRequired()])
    payment_flow = SelectField(_l("Payment"), choices=[SelectChoice("prepay", _l("Pay in advance")),
                                                        SelectChoice("on_delivery", _l("Pay on delivery"))])
    submit = SubmitField(_l("Place the order"))


class TransferForm(FlaskForm):
    user_id = SelectField(_l("Transfer to"), coerce=int)
    submit = SubmitField(_l("Transfer the order"))
