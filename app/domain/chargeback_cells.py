"""Reading one cell of PayTrace's chargeback report: removing any card number first
(``scrub``), then the typed value of an amount, date, transaction id, card last 4 or card
brand. A value that cannot be read raises ``CellError`` naming its column; the report reader
(``chargebacks``) turns that into a row error.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.domain.money import MoneyError, to_money
from app.domain.pan import is_card_number, redact_card_numbers
from app.domain.us_dates import After, read_month_day_year

MAX_AMOUNT = Decimal("100000000.00")

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
# Digit runs with single separators, the loose shape a card number can be typed in.
_DIGIT_RUN = re.compile(r"\d(?:[ \-./]?\d)*")
_REMOVED = "[card number removed]"


def scrub(text: str) -> tuple[str, bool]:
    """``text`` with card numbers removed, and whether there was one.

    The shared redactor masks candidates it recognises; a card number glued to other digits
    by a separator ("1 4012000098765439") or written with dots escapes it, so every long
    digit run is also checked window by window and dropped whole when any window is a card.
    """
    redacted = redact_card_numbers(text)
    found = redacted != text

    def drop(match: re.Match[str]) -> str:
        nonlocal found
        digits = re.sub(r"[^0-9]", "", match.group())
        if len(digits) >= 13 and _has_card_window(digits):
            found = True
            return _REMOVED
        return match.group()

    return _DIGIT_RUN.sub(drop, redacted), found


def _has_card_window(digits: str) -> bool:
    for size in range(13, min(19, len(digits)) + 1):
        for start in range(len(digits) - size + 1):
            if is_card_number(digits[start : start + size]):
                return True
    return False


class CellError(Exception):
    """A cell that cannot be used: its column, and why in plain words."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def last4_of_card(cell: str) -> str:
    """The last 4 of the card number written in ``cell`` (only the last 4 is kept)."""
    for match in _DIGIT_RUN.finditer(cell):
        digits = re.sub(r"[^0-9]", "", match.group())
        for size in range(19, 12, -1):
            for start in range(len(digits) - size + 1):
                if is_card_number(digits[start : start + size]):
                    return digits[start + size - 4 : start + size]
    return ""


def read_required_amount(text: str) -> Decimal:
    value = read_amount(text, "amount", required=True)
    if value is None or value == 0:
        raise CellError("amount", "The amount is empty or zero.")
    return value


def read_amount(text: str, column: str, *, required: bool) -> Decimal | None:
    cleaned = text.strip()
    if not cleaned:
        if required:
            raise CellError(column, "The amount is empty.")
        return None
    # "(25.00)", "-$25.00" and "USD 25.00" all mean 25.00: a chargeback always takes money
    # back, and reports show it negative as often as not.
    cleaned = cleaned.strip("()").replace("USD", "").strip()
    try:
        value = abs(to_money(cleaned))
    except MoneyError:
        raise CellError(column, f"{text[:40]!r} is not an amount.") from None
    if value > MAX_AMOUNT:
        raise CellError(column, f"{text[:40]!r} is not a plausible amount.")
    return value


def read_transaction_id(text: str) -> int | None:
    cleaned = text.strip().lstrip("#").strip()
    if not cleaned:
        return None
    if cleaned.endswith(".0"):  # a spreadsheet re-saved the id as a number
        cleaned = cleaned[:-2]
    if not cleaned.isdigit() or not cleaned.isascii() or len(cleaned) > 15:
        raise CellError("transaction_id", f"{text[:40]!r} is not a PayTrace transaction id.")
    return int(cleaned)


def read_last4(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if not digits:
        return ""
    if len(digits) < 4:
        raise CellError("card_last4", f"{text[:40]!r} does not show a card's last 4 digits.")
    return digits[-4:]


def read_card_type(text: str) -> str:
    known = {"VISA": "Visa", "MC": "Mastercard", "MASTERCARD": "Mastercard", "AMEX": "Amex",
             "AMERICAN EXPRESS": "Amex", "DISCOVER": "Discover", "DISC": "Discover"}  # fmt: skip
    return known.get(text.strip().upper(), text.strip()[:20])


def read_date(text: str, column: str) -> date | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    iso = _ISO_DATE.match(cleaned)
    try:
        if iso:
            year, month, day = (int(g) for g in iso.groups())
            value = date(year, month, day)
        else:  # a spreadsheet's M/D/YY or M/D/YYYY, any time or zone after it ignored
            moment = read_month_day_year(
                cleaned, after=After.ANYTHING, short_year=True, any_separator=True
            )
            if moment is None:
                raise ValueError(cleaned)
            value = moment.date()
    except ValueError:
        raise CellError(column, f"{text[:40]!r} is not a date (M/D/YYYY).") from None
    if not 1990 <= value.year <= 2100:
        raise CellError(column, f"{text[:40]!r} is not a plausible date.")
    return value
