"""Number transforms: currency conversion to the base currency, and rounding. Decimal only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
)
from typing import Any

from app.mapping.document import CurrencyRate
from app.mapping.source_row import get_path
from app.mapping.transforms.dates import as_date
from app.mapping.transforms.registry import (
    ParamSpec,
    TransformContext,
    TransformError,
    TransformSpec,
    fixed_type,
    register,
    shown,
)

ROUNDING = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}


def as_decimal(value: Any) -> Decimal:
    """Exact decimal of ``value``; JSON floats go through ``repr`` (110.1 stays 110.1)."""
    if isinstance(value, bool) or value is None:
        raise TransformError(f"{shown(value)} is not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = str(value).strip().replace(",", "").replace("$", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise TransformError(f"{shown(value)} is not a number") from exc
    if not number.is_finite():
        raise TransformError(f"{shown(value)} is not a finite number")
    return number


def rate_on(rates: tuple[CurrencyRate, ...], currency: str, day: date) -> CurrencyRate:
    """The newest rate for ``currency`` dated on or before ``day``."""
    usable = [r for r in rates if r.currency == currency and r.as_of <= day]
    if not usable:
        raise TransformError(f"there is no {currency} rate on or before {day.isoformat()}")
    return max(usable, key=lambda r: r.as_of)


def currency_convert(value: Any, params: Mapping[str, Any], ctx: TransformContext) -> Decimal:
    amount = as_decimal(value)
    currency = str(params.get("from_currency") or "")
    if params.get("from_field"):
        currency = str(get_path(ctx.row, params["from_field"]) or currency)
    currency = currency.strip().upper()
    base = ctx.document.base_currency.upper()
    if not currency:
        raise TransformError("the source currency is unknown (set a currency or a field)")
    if currency == base:
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    when = get_path(ctx.row, params["date_field"])
    if when in (None, ""):
        raise TransformError(f"the rate date field '{params['date_field']}' is empty")
    rate = rate_on(ctx.document.currency_rates, currency, as_date(when))
    return (amount * rate.rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def round_number(value: Any, params: Mapping[str, Any], _ctx: TransformContext) -> Decimal:
    places = int(params["places"])
    if not 0 <= places <= 6:
        raise TransformError(f"{places} decimal places is outside 0–6")
    exponent = Decimal(1).scaleb(-places)
    return as_decimal(value).quantize(exponent, rounding=ROUNDING[params["mode"]])


register(
    TransformSpec(
        "currency_convert",
        "Currency convert",
        currency_convert,
        (
            ParamSpec("from_currency", "text", "From currency", help="e.g. CAD"),
            ParamSpec("from_field", "text", "Or currency field", help="source path"),
            ParamSpec("date_field", "text", "Rate date field", default="created.at"),
        ),
        fixed_type("money"),
        "Convert to the base currency with the rate in force on the transaction date.",
    )
)
register(
    TransformSpec(
        "round",
        "Round",
        round_number,
        (
            ParamSpec("places", "integer", "Decimal places", default=2),
            ParamSpec("mode", "choice", "Mode", default="half_up", choices=tuple(ROUNDING)),
        ),
        fixed_type("money"),
        "Round to a number of decimal places (half up by default).",
    )
)
