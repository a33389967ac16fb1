"""Reading request fields the way the stand-in's PayTrace does: strings or numbers for
amounts and expiry, 2- or 4-digit years, Luhn-checked card numbers. Problems are
``RuleError``s carrying every ``errors{}`` code found at once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.money import MoneyError, to_money
from app.domain.pan import luhn_ok
from app.domain.us_dates import read_month_day_year
from app.sandbox.paytrace import codes
from app.sandbox.paytrace.codes import RuleError
from app.sandbox.paytrace.state import StoredCard


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def amount(value: Any, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise RuleError(codes.INVALID_AMOUNT)
        return None
    try:
        money = to_money(value)
    except (MoneyError, ArithmeticError):
        raise RuleError(codes.INVALID_AMOUNT) from None
    if money <= 0:
        raise RuleError(codes.INVALID_AMOUNT)
    return money


def card(value: Any) -> StoredCard:
    """A keyed card; every problem (35, 43, 44) reported together."""
    data = value if isinstance(value, dict) else {}
    number = str(data.get("number") or "").replace(" ", "").replace("-", "")
    month = _int(data.get("expiration_month"))
    year = _int(data.get("expiration_year"))
    problems: RuleError | None = None

    def problem(code: int) -> None:
        nonlocal problems
        problems = problems.add(code) if problems else RuleError(code)

    if not (number.isascii() and number.isdigit() and 13 <= len(number) <= 19) or not luhn_ok(
        number
    ):
        problem(codes.INVALID_CARD_NUMBER)
    if month is None or not 1 <= month <= 12:
        problem(codes.INVALID_EXPIRATION_MONTH)
    if year is None or not (0 <= year <= 99 or 2000 <= year <= 2099):
        problem(codes.INVALID_EXPIRATION_YEAR)
    if problems is not None:
        raise problems
    assert month is not None and year is not None
    return StoredCard(number, month, year if year >= 100 else 2000 + year)


def transaction_id(value: Any) -> int:
    number = _int(value)
    if number is None or number <= 0:
        raise RuleError(codes.INVALID_TRANSACTION_ID)
    return number


def positive_int(value: Any, code: int) -> int:
    number = _int(value)
    if number is None or number <= 0:
        raise RuleError(code)
    return number


def request_date(value: Any, field: str) -> date:
    try:
        moment = read_month_day_year(value) if isinstance(value, str) else None
        if moment is None:
            raise ValueError(field)
        return moment.date()
    except ValueError:
        raise RuleError(
            codes.INVALID_DATE_OR_FILTER, f"Please provide a valid {field} (MM/DD/YYYY)."
        ) from None


def text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise RuleError(codes.INVALID_REQUEST, f"{key} must be text.")
    return str(value)
