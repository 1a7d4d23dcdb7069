from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from shopadmin.core.i18n import labels_of
from shopadmin.orders import labels as _labels  # noqa: F401 - registers the kinds used below

# From the label registry: lazy labels, so each screen shows them in its reader's language.
CHANNEL_CHOICES = [SelectChoice(code, text) for code, text in labels_of("channel").items()]
FLOW_CHOICES = [SelectChoice(code, text) for code, text in labels_of("payment_flow").items()]
SAVE_CHOICES = [
    SelectChoice("order", _l("Place the order")),
    SelectChoice("cart", _l("Save as cart")),
    SelectChoice("quote", _l("Save as quote")),
]


class EventForm(FlaskForm):
    event = HiddenField(validators=[DataRequired()])
    delivery_id = HiddenField()
    dry_run = HiddenField()


class BlockForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class ReleaseBlockForm(FlaskForm):
    block_id = HiddenField(validators=[DataRequired()])


class HandOverForm(FlaskForm):
    user_id = SelectField(_l("Hand over to"), choices=[], validate_choice=False, validators=[DataRequired()])
    reason = StringField(_l("Note (kept in the history)"), validators=[Optional(), Length(max=400)])
    next = HiddenField()


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=10_000)])
    notify_customer = BooleanField(_l("Email it to the customer"))


class EditOrderForm(FlaskForm):
    """Quantities and prices come as ``qty-<line id>`` / ``price-<line id>`` fields beside these."""

    version = HiddenField(validators=[DataRequired()])
    add_sku = StringField(_l("Add SKU"), validators=[Optional(), Length(max=64)])
    add_quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1)])
    reason = StringField(_l("Why (kept in the history)"), validators=[Optional(), Length(max=500)])


class CaptureForm(FlaskForm):
    shop = SelectField(_l("Shop"), choices=[], validate_choice=False)
    """Lines come as ``sku-<n>`` / ``qty-<n>`` / ``price-<n>`` fields beside these (one row each;
    a row without SKU and price is left out). ``customer_id`` is set by the customer lookup
    (or the "New order" button of the customer page); ``customer_q`` is what was searched."""

    customer_id = IntegerField(_l("Customer"), widget=HiddenInput(),
                               validators=[DataRequired(_l("Choose a customer."))])
    customer_q = StringField(_l("Find a customer"), validators=[Optional(), Length(max=200)],
                             description=_l("Name, email, company, phone or customer number"))
    channel = SelectField(_l("Channel"), choices=CHANNEL_CHOICES)
    payment_flow = SelectField(_l("Payment"), choices=FLOW_CHOICES)
    ship_together = BooleanField(_l("Ship together"))
    save_as = SelectField(_l("Save as"), choices=SAVE_CHOICES)
    quote_valid_until = DateField(_l("Quote valid until"), validators=[Optional()],
                                  description=_l("Quotes only: after this day the quote expires."))
    shipping_charge = StringField(_l("Shipping charge"), validators=[Optional(), Length(max=32)])
    handling_charge = StringField(_l("Handling charge"), validators=[Optional(), Length(max=32)])
    misc_charge = StringField(_l("Other charges"), validators=[Optional(), Length(max=32)])
