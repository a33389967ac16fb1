"""How well a value type fits a Sage Pro field type (used by validation and suggestions)."""

from __future__ import annotations

from enum import Enum

TYPE_WORDS = {
    "text": "text",
    "integer": "a whole number",
    "money": "money",
    "date": "a date",
    "datetime": "a date and time",
    "boolean": "yes/no",
    "list": "a list",
    "any": "any value",
}


class Fit(Enum):
    EXACT = "exact"  # same kind of value
    CONVERTIBLE = "convertible"  # read at run time; some rows may not convert
    MISMATCH = "mismatch"


_EXACT = {
    "text": {"text", "integer", "money", "date", "datetime", "boolean"},
    "money": {"money", "integer"},
    "date": {"date", "datetime"},
    "integer": {"integer"},
    "boolean": {"boolean"},
    "list": set(),
}
_CONVERTIBLE = {
    "money": {"text"},
    "date": {"text"},
    "integer": {"text", "money"},
    "boolean": {"text", "integer"},
}


def type_fit(value_type: str, target_type: str) -> Fit:
    if value_type == "any" or value_type in _EXACT.get(target_type, set()):
        return Fit.EXACT
    if value_type in _CONVERTIBLE.get(target_type, set()):
        return Fit.CONVERTIBLE
    return Fit.MISMATCH


def type_words(kind: str) -> str:
    return TYPE_WORDS.get(kind, kind)
