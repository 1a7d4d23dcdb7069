from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

AVAILABILITY_CHOICES = [
    SelectChoice("standard", _l("Standard (from stock)")),
    SelectChoice("backorder", _l("Back-order")),
    SelectChoice("preorder", _l("Preorder")),
    SelectChoice("digital", _l("Digital")),
]


class ProductForm(FlaskForm):
    shop = SelectField(_l("Shop"), choices=[], coerce=int)
    sku = StringField(_l("SKU"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    price = StringField(_l("Price"), validators=[DataRequired()], description=_l("In the shop's currency, e.g. 12.50"))
    tax_class = StringField(_l("Tax class"), default="standard", validators=[DataRequired(), Length(max=32)])
    availability = SelectField(_l("Availability"), choices=AVAILABILITY_CHOICES)
    release_date = DateField(_l("Release date"), validators=[Optional()])
    is_active = BooleanField(_l("Active"), default=True)


class StockForm(FlaskForm):
    quantity = IntegerField(_l("Quantity on hand"), validators=[DataRequired(), NumberRange(min=0)])
