"""Invoices in another currency than the profile's base currency.

Such an invoice is never matched automatically. A person may match it by hand with an
explicit rate, written "1 <base> = <rate> <invoice currency>" (e.g. 1 USD = 1.3650 CAD), and
the posting converts the payment's base-currency amount by multiplying exactly in Decimal and
rounding once, half up, to the cent.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.domain.money import CENT

RATE_PLACES = 6  # more digits than any bank quotes; more would hide a typo
_CODE = re.compile(r"^[A-Z]{3}$")


class ExchangeRateError(ValueError):
    """A rate a person typed that cannot be used; the message says why in plain words."""


def currency_code(text: object) -> str:
    """An ISO 4217 code as Sage Pro may send it (blank, lower case, padded) → "CAD" or ""."""
    return str(text or "").strip().upper()


def is_valid_code(code: str) -> bool:
    return bool(_CODE.match(code))


def is_foreign(invoice_currency: object, base_currency: str) -> bool:
    """A blank currency is the company's own (single-currency Sage Pro companies leave it
    empty); anything else that is not the base currency is foreign."""
    code = currency_code(invoice_currency)
    return bool(code) and code != currency_code(base_currency)


def parse_rate(value: object, *, base: str, foreign: str) -> Decimal:
    """The rate a person entered for "1 ``base`` = rate ``foreign``", or a plain refusal."""
    example = f"how many {foreign} one {base} buys, e.g. 1.3650"
    text = str(value if value is not None else "").strip()
    if not text:
        raise ExchangeRateError(f"Enter the exchange rate: {example}.")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ExchangeRateError(f"{text!r} is not a number; enter {example}.") from None
    if not rate.is_finite() or rate <= 0:
        raise ExchangeRateError(f"The exchange rate must be more than zero; enter {example}.")
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_PLACES:
        raise ExchangeRateError(
            f"The exchange rate may have at most {RATE_PLACES} decimals, not {text}."
        )
    return rate


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` (base currency) in the invoice's currency: exact product, one rounding."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
