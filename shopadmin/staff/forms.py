from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in"), default=False)
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class UserForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=1024)],
        description=_l("Leave empty to keep the current password."),
    )
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("en", "English"),
            SelectChoice("de", "Deutsch"),
            SelectChoice("fr", "Français"),
        ],
    )
    superadmin = BooleanField(_l("Superadmin"))
    active = BooleanField(_l("Active"), default=True)


class MembershipForm(FlaskForm):
    shop = SelectField(_l("Shop"), choices=[], coerce=int)
    email = StringField(_l("User email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("csr", _l("CSR")),
            SelectChoice("supervisor", _l("Supervisor")),
            SelectChoice("manager", _l("Manager")),
            SelectChoice("owner", _l("Owner")),
        ],
    )
    override_limit_pct = StringField(_l("Price override limit (%)"), default="0", validators=[DataRequired()])
