"""Readers for single PayTrace values, each tolerant of the documented quirks.

Every reader raises ``FieldReadError(field, message)`` for a value that is present but cannot
be read; the record parsers turn that into a per-record ``ParseError``. Missing or empty
optional values read as "not given" (``""`` / ``None``), never as an error.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.connectors.paytrace.redaction import redact_text as redact_card_numbers
from app.domain.money import MoneyError, to_money
from app.domain.us_dates import After, read_month_day_year

_DIGITS = re.compile(r"\d", re.ASCII)
_INTEGER = re.compile(r"-?\d{1,30}", re.ASCII)


class FieldReadError(Exception):
    """A value that is there but cannot be read."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


# Integers and cents beyond what the database stores (64-bit) are refused, not crashed on.
_MAX_INT = 2**63 - 1
_MAX_MONEY = Decimal(_MAX_INT) / 100


def _clean(value: str) -> str:
    """Lone UTF-16 surrogates (valid JSON, invalid text) become U+FFFD."""
    if value.isascii():  # the usual case, and ASCII holds no surrogate: skip the round trip
        return value
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def text(value: Any, field: str) -> str:
    """Free text, redacted. Numbers become their digits; objects are a problem."""
    if type(value) is str:  # nearly every call: the checks below in one step
        return redact_card_numbers(value if value.isascii() else _clean(value))
    if value is None:
        return ""
    if isinstance(value, str):
        return redact_card_numbers(_clean(value))
    if isinstance(value, bool):
        raise FieldReadError(field, "expected text, got true/false")
    if isinstance(value, int | float | Decimal):
        return redact_card_numbers(str(value))
    raise FieldReadError(field, f"expected text, got {type(value).__name__}")


def loose_text(value: Any) -> str:
    """Merchant-defined values: text as is, anything structured as compact JSON; redacted."""
    if isinstance(value, str):
        return redact_card_numbers(value)
    if value is None:
        return ""
    return redact_card_numbers(json.dumps(value, sort_keys=True, default=str))


def required_int(value: Any, field: str) -> int:
    number = optional_int(value, field)
    if number is None:
        raise FieldReadError(field, "missing")
    return number


def optional_int(value: Any, field: str) -> int | None:
    number = _optional_int(value, field)
    if number is not None and abs(number) > _MAX_INT:
        raise FieldReadError(field, f"number out of range: {_show(value)}")
    return number


def _optional_int(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldReadError(field, "expected a whole number, got true/false")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    raise FieldReadError(field, f"expected a whole number, got {_show(value)}")


def required_money(value: Any, field: str) -> Decimal:
    amount = optional_money(value, field)
    if amount is None:
        raise FieldReadError(field, "missing")
    return amount


def optional_money(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = to_money(value)
    except (MoneyError, ArithmeticError):  # ArithmeticError: exponents too big to quantise
        raise FieldReadError(field, f"not an amount: {_show(value)}") from None
    if abs(amount) > _MAX_MONEY:
        raise FieldReadError(field, f"amount out of range: {_show(value)}")
    return amount


def timestamp(value: Any, field: str) -> datetime | None:
    """A merchant-local wall-clock time; ``None`` when empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FieldReadError(field, f"expected a date and time, got {_show(value)}")
    try:
        # M/D/YYYY h:mm:ss AM|PM (PayTrace), also 24-hour and without seconds; ISO as a fallback.
        moment = read_month_day_year(value, after=After.TIME)
        if moment is not None:
            return moment
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldReadError(field, f"not a date and time: {_show(value)}") from None
    return parsed.replace(tzinfo=None) if parsed.tzinfo is None else parsed


def request_date(day: date) -> str:
    """The ``MM/DD/YYYY`` form PayTrace wants in requests."""
    return day.strftime("%m/%d/%Y")


def exp_month(value: Any, field: str) -> int | None:
    month = optional_int(value, field)
    if month is not None and not 1 <= month <= 12:
        raise FieldReadError(field, f"not a month: {_show(month)}")
    return month


def exp_year(value: Any, field: str) -> int | None:
    """Four-digit year; PayTrace exports two digits (``20`` means 2020)."""
    year = optional_int(value, field)
    if year is None:
        return None
    if 0 <= year < 100:
        return 2000 + year
    if 1000 <= year <= 9999:
        return year
    raise FieldReadError(field, f"not a year: {_show(year)}")


def last4(masked: str) -> str:
    """The last four digits of a masked number (``************5454``, ``xxxx5439``)."""
    digits = "".join(_DIGITS.findall(masked[-4:]))
    return digits if len(digits) == 4 else ""


def brand_from_mask(masked: str) -> str:
    """The brand a masked number's leading digit shows (only with ``include_bin``)."""
    first = masked[:1]
    if first == "4":
        return "Visa"
    if first in ("2", "5"):
        return "Mastercard"
    if masked[:2] in ("34", "37"):
        return "Amex"
    if first == "6":
        return "Discover"
    return ""


def _show(value: Any) -> str:
    """A short, redacted picture of a bad value for a message."""
    # Cut first, then redact: cutting a redacted long digit run could expose a card.
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return redact_card_numbers(_clean(shown))
