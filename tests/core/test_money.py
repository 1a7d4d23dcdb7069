from __future__ import annotations

from decimal import Decimal

import pytest

from shopadmin.core.errors import Invalid
from shopadmin.core.money import check_total, format_money, money_str, parse_money, percent_below, quantize


def test_quantize_per_currency() -> None:
    assert quantize(Decimal("1.005"), "EUR") == Decimal("1.01")
    assert quantize(Decimal("12.5"), "JPY") == Decimal("13")
    assert quantize(Decimal("1.0005"), "BHD") == Decimal("1.001")


def test_parse_strict() -> None:
    assert parse_money("12.50", "EUR", "price") == Decimal("12.50")
    assert parse_money(12, "EUR", "price") == Decimal("12.00")
    assert parse_money(" 7.5 ", "EUR", "price") == Decimal("7.50")
    assert parse_money("999999999", "EUR", "price") == Decimal("999999999.00")
    for bad in (12.5, True, None, "abc", "NaN", "Infinity", "1.234", [], "-1", "1e3", "1_000", "0x10", "1,5",
                "", "1000000000", 10**12):
        with pytest.raises(Invalid):
            parse_money(bad, "EUR", "price")
    with pytest.raises(Invalid):
        parse_money("100.5", "JPY", "price")


def test_totals_stay_within_what_the_columns_hold() -> None:
    assert check_total(Decimal("9999999999"), "lines") == Decimal("9999999999")
    with pytest.raises(Invalid) as raised:
        check_total(Decimal("10000000000"), "lines.0.quantity")
    assert "lines.0.quantity" in raised.value.fields


def test_json_and_screen_forms() -> None:
    assert money_str(Decimal("3"), "EUR") == "3.00"
    assert money_str(None, "EUR") is None
    assert format_money(Decimal("1234.5"), "EUR", "de") == "1.234,50\xa0€"
    assert format_money(Decimal("1234.5"), "USD", "en") == "$1,234.50"


def test_percent_below() -> None:
    assert percent_below(Decimal("9"), Decimal("10")) == Decimal("10")
    assert percent_below(Decimal("11"), Decimal("10")) == 0
