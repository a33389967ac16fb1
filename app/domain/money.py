"""Exact money: ``Decimal`` quantised to cents, never float."""

from __future__ import annotations

from collections.abc import Iterable
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


# The sign written before an amount: (for the company's own currency, beside another one).
# The own currency gets the short sign a bookkeeper writes every day ("$"); another currency
# an unmistakable one ("CA$", "US$", "€"); a currency not listed here its ISO code ("CHF ").
CURRENCY_SIGNS = {
    "USD": ("$", "US$"),
    "CAD": ("$", "CA$"),
    "AUD": ("$", "A$"),
    "NZD": ("$", "NZ$"),
    "MXN": ("$", "MX$"),
    "EUR": ("€", "€"),
    "GBP": ("£", "£"),
    "JPY": ("¥", "JP¥"),
}


def currency_sign(currency: str = "", base: str = "USD") -> str:
    """The sign for an amount in ``currency`` where ``base`` is the company's own currency;
    a blank currency is the base (single-currency Sage Pro companies leave it empty)."""
    code = str(currency or "").strip().upper() or base.strip().upper()
    own = code == base.strip().upper()
    signs = CURRENCY_SIGNS.get(code)
    if signs is None:
        return f"{code}\u00a0"  # a no-break space: the code never parts from its amount
    return signs[0] if own else signs[1]


def display_money(
    value: Decimal | int | None,
    *,
    cents: bool = False,
    currency: str | None = "",
    base: str = "USD",
) -> str:
    """Money as a person reads it: "$1,234.50", "-$5.00" (never "$-5.00"), "CA$1,234.50" for
    an amount in another currency than ``base``; ``cents=True`` reads ``value`` as integer
    cents; ``currency=None`` leaves the sign out (for words that name the currency
    themselves). The one formatter for every screen and message."""
    if value is None:
        return ""
    amount = from_cents(int(value)) if cents else to_money(value)
    sign = "" if currency is None else currency_sign(currency, base)
    text = f"{sign}{abs(amount):,.2f}"
    return f"-{text}" if amount < 0 else text


def display_totals(amounts: Iterable[tuple[Decimal, str]], *, base: str = "USD") -> str:
    """A sum of (amount, currency) pairs, one total per currency, the base first:
    "$1,200.00 + CA$300.00" (amounts in two currencies are never added together)."""
    totals: dict[str, Decimal] = {}
    for amount, currency in amounts:
        code = str(currency or "").strip().upper() or base.strip().upper()
        totals[code] = totals.get(code, Decimal(0)) + amount
    if not totals:
        return display_money(Decimal(0), base=base)
    own = base.strip().upper()
    order = sorted(totals, key=lambda code: (code != own, code))
    return " + ".join(display_money(totals[c], currency=c, base=base) for c in order)
