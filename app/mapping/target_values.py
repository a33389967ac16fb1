"""Turning a transform chain's result into the value a Sage Pro field takes.

Money becomes ``Decimal`` quantised to cents, dates ``YYYY-MM-DD`` text (merchant-local),
text is checked for length, allowed values and card numbers (Sage Pro refuses card data).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain.money import MoneyError, to_money
from app.domain.pan import contains_card_number
from app.mapping.document import TargetField
from app.mapping.transforms.dates import as_date
from app.mapping.transforms.registry import TransformError, as_text, shown

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


class TargetValueError(ValueError):
    """The value does not fit the target field; the message says why in plain words."""


def _money(value: Any) -> Decimal:
    try:
        return to_money(value)
    except MoneyError as exc:
        raise TargetValueError(f"{shown(value)} is not an amount of money") from exc


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = as_text(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise TargetValueError(f"{shown(value)} is not a whole number")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = as_text(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TargetValueError(f"{shown(value)} is not yes/no")


def _text(value: Any, target: TargetField) -> str:
    text = as_text(value)
    if contains_card_number(text):
        raise TargetValueError("the value holds a card number; Sage Pro refuses card data")
    if target.max_length is not None and len(text) > target.max_length:
        raise TargetValueError(
            f"{shown(text)} is {len(text)} characters long; {target.name} takes at most "
            f"{target.max_length}"
        )
    return text


def to_target_value(value: Any, target: TargetField) -> Any:
    """``value`` as ``target`` takes it, or ``TargetValueError`` saying why it cannot."""
    kind = target.type
    result: Any
    if kind == "money":
        result = _money(value)
    elif kind == "date":
        try:
            result = as_date(value).isoformat()
        except TransformError as exc:
            raise TargetValueError(f"{exc}; {target.name} needs a date") from exc
    elif kind == "integer":
        result = _integer(value)
    elif kind == "boolean":
        result = _boolean(value)
    elif kind == "list":
        if not isinstance(value, list):
            raise TargetValueError(f"{target.name} needs a list")
        result = value
    else:
        result = _text(value, target)
    if target.values and str(result) not in target.values:
        raise TargetValueError(f"{shown(result)} is not one of {', '.join(target.values)}")
    return result
