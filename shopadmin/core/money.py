"""The one place for money: Decimal only, rounded per currency, parsed strictly.

* ``parse_money("12.50", "EUR")`` reads a decimal string (or int) and refuses floats,
  booleans, garbage and more digits than the currency has: ``Invalid`` (422).
* ``quantize(amount, currency)`` rounds half-up to the currency's digits (Babel knows
  them: JPY 0, EUR 2, BHD 3).
* ``money_str`` is the JSON form (``"12.50"``); ``format_money`` the screen form in the
  reader's locale (``"12,50 €"`` in German).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from flask_babel import lazy_gettext as _l

from shopadmin.core.validation import invalid, plain_decimal

ZERO = Decimal("0")
# Money columns are NUMERIC(14, 4): under 10,000,000,000. One amount may use nine of those
# ten digits, so that lines and totals have room to add up; ``check_total`` guards the sums.
MAX_AMOUNT = Decimal("999999999")
MAX_TOTAL = Decimal("9999999999")


def precision(currency: str) -> int:
    return int(get_currency_precision(currency))


def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit."""
    return amount.quantize(_exponent(currency), rounding=ROUND_HALF_UP)


def parse_decimal(value: object, field: str) -> Decimal:
    """A finite Decimal from a plain decimal string or an int; floats, booleans and exponents are refused."""
    return plain_decimal(value, field, _l('Send money as a decimal string such as "12.50".'))


def parse_money(value: object, currency: str, field: str, *, allow_negative: bool = False) -> Decimal:
    """Parse an amount in ``currency``; more decimals than the currency has is an error."""
    number = parse_decimal(value, field)
    if not allow_negative and number < 0:
        raise invalid(field, _l("Must not be negative."))
    if abs(number) > MAX_AMOUNT:
        raise invalid(field, _l("At most %(amount)s.", amount=f"{MAX_AMOUNT:,}"))
    exponent = number.as_tuple().exponent
    digits = precision(currency)
    if isinstance(exponent, int) and -exponent > digits:
        raise invalid(field, _l("At most %(count)s decimal places for %(currency)s.", count=digits, currency=currency))
    return quantize(number, currency)


def check_total(amount: Decimal, field: str) -> Decimal:
    """A computed sum (a line total, an order total) that the money columns can hold."""
    if abs(amount) > MAX_TOTAL:
        raise invalid(field, _l("The total would exceed %(amount)s.", amount=f"{MAX_TOTAL:,}"))
    return amount


def money_str(amount: Decimal | None, currency: str) -> str | None:
    """The JSON form: a plain decimal string with the currency's digits."""
    if amount is None:
        return None
    return format(quantize(amount, currency), "f")


def format_money(amount: Decimal | None, currency: str, locale: str = "en") -> str:
    """The screen form, in the reader's locale."""
    if amount is None:
        return ""
    return str(format_currency(quantize(amount, currency), currency, locale=locale))


def percent_below(price: Decimal, list_price: Decimal) -> Decimal:
    """How far ``price`` is under ``list_price``, in percent (0 when at or above it)."""
    if list_price <= 0 or price >= list_price:
        return ZERO
    return (list_price - price) * 100 / list_price
