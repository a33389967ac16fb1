from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.money import MoneyError, format_money, from_cents, to_cents, to_money


@pytest.mark.parametrize(
    "value,expected",
    [
        ("1.00", "1.00"),
        (110, "110.00"),
        (0.1, "0.10"),
        ("$1,234.5", "1234.50"),
        (Decimal("2.005"), "2.01"),
        (" 8.10 ", "8.10"),
    ],
)
def test_to_money(value, expected):
    assert to_money(value) == Decimal(expected)


@pytest.mark.parametrize("value", [None, True, "", "abc", "NaN", "Infinity", "1e9999", [1]])
def test_bad_amounts_are_money_errors(value):
    with pytest.raises(MoneyError):
        to_money(value)


def test_cents_round_trip():
    assert to_cents("12.34") == 1234
    assert from_cents(1234) == Decimal("12.34")
    assert format_money(from_cents(5)) == "0.05"
