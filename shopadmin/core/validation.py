"""Small validators shared by services (they raise ``Invalid`` with the field named)."""

from __future__ import annotations

import re
from decimal import Decimal
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from shopadmin.core.errors import Invalid, Message

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# "12.50", "-3", ".5": what people type. Not "1e3" or "1_000", which Decimal() would take.
PLAIN_DECIMAL_RE = re.compile(r"[+-]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})")
_CURRENCIES = frozenset(list_currencies())
_TIMEZONES = frozenset(available_timezones())
_COUNTRIES = frozenset(str(code) for code in Locale("en").territories if str(code).isalpha() and len(str(code)) == 2)


def invalid(field: str, message: Message) -> Invalid:
    return Invalid(message, fields={field: [message]})


def clean_code(value: str, field: str = "code") -> str:
    value = (value or "").strip()
    if not CODE_RE.match(value):
        raise invalid(field, _l("Use 1-32 letters, digits, '-' or '_', starting with a letter or digit."))
    return value


def clean_text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise invalid(field, _l("This field is required."))
    if "\x00" in value:  # PostgreSQL text cannot hold it; no one types it
        raise invalid(field, _l("Contains a NUL character."))
    if len(value) > max_length:
        raise invalid(field, _l("At most %(count)s characters.", count=max_length))
    return value


def clean_email(value: str | None, field: str = "email") -> str:
    try:
        result = validate_email((value or "").strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise invalid(field, str(exc)) from None
    return result.normalized.lower()


def clean_currency(value: str | None, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if code not in _CURRENCIES:
        raise invalid(field, _l("Not an ISO 4217 currency code."))
    return code


def clean_country(value: str | None, field: str = "country") -> str:
    code = (value or "").strip().upper()
    if code not in _COUNTRIES:
        raise invalid(field, _l("Not an ISO 3166 country code."))
    return code


def clean_locale(value: str | None, field: str = "locale") -> str:
    raw = (value or "").strip().replace("-", "_")
    try:
        return str(Locale.parse(raw))
    except (UnknownLocaleError, ValueError, TypeError):
        raise invalid(field, _l("Unknown locale.")) from None


def clean_timezone(value: str | None, field: str = "timezone") -> str:
    zone = (value or "").strip()
    if zone not in _TIMEZONES:
        raise invalid(field, _l("Unknown time zone (use an IANA name such as Europe/Berlin)."))
    return zone


def plain_decimal(value: object, field: str, hint: Message) -> Decimal:
    """A finite Decimal from an int, a Decimal or a plain decimal string; ``hint`` says what to send.

    Floats lose cents and booleans are not numbers: both refused, as are exponents.
    """
    if isinstance(value, bool | float) or value is None:
        raise invalid(field, hint)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        if not PLAIN_DECIMAL_RE.fullmatch(value.strip()):
            raise invalid(field, _l("Not a decimal number."))
        number = Decimal(value.strip())
    else:
        raise invalid(field, hint)
    if not number.is_finite():
        raise invalid(field, _l("Not a decimal number."))
    return number


def clean_decimal(
    value: object, field: str, *, minimum: Decimal | None = None, maximum: Decimal | None = None, places: int = 4
) -> Decimal:
    number = plain_decimal(value, field, _l('Send a decimal string such as "0.19".'))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise invalid(field, _l("At most %(count)s decimal places.", count=places))
    if minimum is not None and number < minimum:
        raise invalid(field, _l("Must be at least %(minimum)s.", minimum=minimum))
    if maximum is not None and number > maximum:
        raise invalid(field, _l("Must be at most %(maximum)s.", maximum=maximum))
    return number
