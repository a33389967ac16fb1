"""The settings file's JSON and the typed settings dataclasses, both ways: one generic
converter driven by the dataclass type hints, so a new setting needs only its field.

Reading checks each value's type (whole number, amount as text, choice, ...) and refuses a
key that looks like a secret; ranges and shapes are ``settings_rules``'s. ``app.config``
declares the dataclasses and the file's place.
"""

from __future__ import annotations

import dataclasses
import types
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints


class SettingsError(ValueError):
    """The settings file or a value in it is unusable; the message says which and why."""


T = TypeVar("T")
_SECRET_WORDS = ("password", "secret", "api_key", "apikey", "token")


def to_json(value: Any) -> Any:
    """Dataclasses as objects, amounts as text: what ``json.dumps`` can write."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    return value


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return _coerce(value, next(a for a in get_args(hint) if a is not type(None)), where)
    if dataclasses.is_dataclass(hint):
        return from_json(hint, value, where)  # type: ignore[arg-type]
    if origin is dict:
        if not isinstance(value, dict):
            raise SettingsError(f"{where} must be an object.")
        _, value_hint = get_args(hint)
        return {str(k): _coerce(v, value_hint, f"{where}.{k}") for k, v in value.items()}
    if hint is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"{where} must be true or false, not {value!r}.")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{where} must be a whole number, not {value!r}.")
        return value
    if hint is Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise SettingsError(f'{where} must be an amount written as text, e.g. "2.90".')
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise SettingsError(f"{where} is not an amount: {value!r}.") from None
        if not amount.is_finite():
            raise SettingsError(f"{where} is not an amount: {value!r}.")
        return amount
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        choices = [member.value for member in hint]
        if value not in choices:
            raise SettingsError(f"{where} must be one of {', '.join(choices)}, not {value!r}.")
        return hint(value)
    if hint is str:
        if not isinstance(value, str):
            raise SettingsError(f"{where} must be text, not {value!r}.")
        return value
    raise SettingsError(f"{where} has an unsupported type.")


def from_json(cls: type[T], data: Any, where: str) -> T:
    """``data`` as a ``cls``; ``SettingsError`` naming ``where`` for a value of the wrong
    type. Missing keys keep their defaults; unknown ones are ignored unless secret-like."""
    if not isinstance(data, dict):
        raise SettingsError(f"{where} must be an object.")
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            values[f.name] = _coerce(data[f.name], hints[f.name], f"{where}.{f.name}")
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in data:
        if key not in known and any(word in key.lower() for word in _SECRET_WORDS):
            raise SettingsError(
                f"{where}.{key} looks like a secret; secrets belong in the keyring "
                "(`paysage credentials set`), never in the settings file."
            )
    return cls(**values)
