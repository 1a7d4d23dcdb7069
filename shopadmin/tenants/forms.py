from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class ShopForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("b2c", "B2C"), SelectChoice("b2b", "B2B")])
    master = SelectField(_l("Master shop"), choices=[], validate_choice=False)
    currency = StringField(_l("Currency"), default="EUR", validators=[DataRequired(), Length(max=3)])
    locale = StringField(_l("Locale"), default="en", validators=[DataRequired(), Length(max=16)])
    timezone = StringField(_l("Time zone"), default="UTC", validators=[DataRequired(), Length(max=64)])
    sharing_group = StringField(_l("Sharing group"), validators=[Optional(), Length(max=80)])
    customer_assistance = BooleanField(_l("Customer assistance allowed"))
    email = StringField(_l("Customer service email"), validators=[Optional(), Length(max=254)])


class TaxRuleForm(FlaskForm):
    shop = SelectField(_l("Shop"), choices=[], coerce=int)
    country = StringField(_l("Country"), validators=[DataRequired(), Length(min=2, max=2)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=16)])
    tax_class = StringField(_l("Tax class"), default="standard", validators=[DataRequired(), Length(max=32)])
    rate = StringField(_l("Rate"), description=_l("A fraction, e.g. 0.19"), validators=[DataRequired()])
