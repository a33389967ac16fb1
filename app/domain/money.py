"""Exact money: ``Decimal`` quantised to cents, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money."""


def to_money(value: object) -> Decimal:
    """Read ``value`` (str, int, Decimal, or a JSON number already parsed) as cents.

    Floats are accepted only because JSON parsers hand them over for numbers like
    ``110.5``; they are converted through ``repr`` so ``0.1`` stays ``0.10`` instead of
    ``0.1000000000000000055…``. Booleans and anything non-finite are refused.
    """
    if isinstance(value, bool) or value is None:
        raise MoneyError(f"not an amount: {value!r}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("$", "")
        if not text:
            raise MoneyError("empty amount")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount: {value!r}") from exc
    else:
        raise MoneyError(f"not an amount: {value!r}")
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds, e.g. "1e9999"
        raise MoneyError(f"amount out of range: {value!r}") from None


def to_cents(value: object) -> int:
    """``to_money`` as integer cents (the storage form)."""
    return int(to_money(value) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_money(value: Decimal) -> str:
    """Two-decimal text as Sage Pro wants it (``"125.00"``)."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def display_money(value: Decimal | int | None, *, cents: bool = False, sign: str = "$") -> str:
    """Money as a person reads it: "$1,234.50", "-$5.00" (never "$-5.00"); ``cents=True``
    reads ``value`` as integer cents. The one formatter for every screen and message."""
    if value is None:
        return ""
    amount = from_cents(int(value)) if cents else to_money(value)
    text = f"{sign}{abs(amount):,.2f}"
    return f"-{text}" if amount < 0 else text
