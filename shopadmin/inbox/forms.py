"""The review form (CSRF through Flask-WTF; the services check the values)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

DECISIONS = [
    SelectChoice("approve", _l("Approve: apply the changes")),
    SelectChoice("save", _l("Save the edited changes")),
    SelectChoice("reject", _l("Reject: apply nothing")),
]


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=DECISIONS, default="approve")
    changes = TextAreaField(_l("Changes (JSON)"), validators=[Optional(), Length(max=20_000)],
                            description=_l("Edit the proposed changes before approving them."))
    order_id = IntegerField(_l("Order id"), validators=[Optional()],
                            description=_l("The order the changes are for, when the worker could not tell."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
