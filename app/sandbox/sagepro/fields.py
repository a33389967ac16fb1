"""Reading a request body the way Sage Pro does: every problem is collected under the field
it belongs to, and one ``validation_failed`` names them all.

Money must be a JSON *string* with at most two decimals (a JSON number is refused so a
float never reaches the books); dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.pan import find_card_numbers, is_card_number
from app.sandbox.sagepro.errors import ApiError

MONEY_AS_NUMBER = 'money must be sent as a string with two decimals, e.g. "125.00"'
CENT = Decimal("0.01")


def money_text(value: Decimal) -> str:
    return str(value.quantize(CENT))


def card_field(value: Any, path: str = "") -> str | None:
    """The path of the first field holding a full card number (plain, spaced or dashed)."""
    if isinstance(value, str):
        return path or "body" if find_card_numbers(value) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return path or "body" if is_card_number(str(abs(value))) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = card_field(str(key), path) or card_field(item, _join(path, str(key)))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = card_field(item, f"{path}[{index}]")
            if found:
                return found
    return None


def refuse_card_data(body: Any) -> None:
    field = card_field(body)
    if field is not None:
        raise ApiError(
            "card_data_refused",
            f"{field} holds a full card number; Sage Pro never stores card numbers "
            "(keep only the last 4 digits)",
            {field: "holds a full card number"},
        )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class Body:
    """A JSON object being read field by field; ``errors`` collects what is wrong."""

    def __init__(self, data: Any, path: str = "", errors: dict[str, str] | None = None):
        self.errors: dict[str, str] = {} if errors is None else errors
        self.path = path
        if isinstance(data, dict):
            self.data: dict[str, Any] = data
        else:
            self.data = {}
            self.errors[path or "body"] = "must be a JSON object"

    def name(self, field: str) -> str:
        return _join(self.path, field)

    def fail(self, field: str, why: str) -> None:
        self.errors.setdefault(self.name(field), why)

    def has(self, field: str) -> bool:
        return self.data.get(field) is not None

    def raw(self, field: str) -> Any:
        return self.data.get(field)

    def text(self, field: str, *, required: bool = False, max_len: int | None = None) -> str:
        value = self.data.get(field)
        if value is None or value == "":
            if required:
                self.fail(field, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(field, "must be text")
            return ""
        value = value.strip()
        if required and not value:
            self.fail(field, "is required")
        if max_len is not None and len(value) > max_len:
            self.fail(field, f"must be at most {max_len} characters")
        return value

    def money(self, field: str, *, required: bool = False, positive: bool = False) -> Decimal:
        value = self.data.get(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            return Decimal("0.00")
        if isinstance(value, bool) or not isinstance(value, str):
            self.fail(field, MONEY_AS_NUMBER if isinstance(value, int | float) else "not money")
            return Decimal("0.00")
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            self.fail(field, f"{value!r} is not an amount")
            return Decimal("0.00")
        if not amount.is_finite() or amount != amount.quantize(CENT):
            self.fail(field, "must have at most two decimals")
            return Decimal("0.00")
        if amount < 0 or (positive and amount == 0):
            self.fail(field, "must be greater than zero" if positive else "must not be negative")
        return amount.quantize(CENT)

    def quantity(self, field: str) -> Decimal:
        """A quantity: an integer or a decimal string (a float could be inexact)."""
        value = self.data.get(field)
        try:
            if isinstance(value, int) and not isinstance(value, bool):
                number = Decimal(value)
            elif isinstance(value, str):
                number = Decimal(value.strip())
            else:
                raise InvalidOperation
        except InvalidOperation:
            self.fail(field, "must be an integer or a decimal string")
            return Decimal(0)
        if not number.is_finite() or number <= 0:
            self.fail(field, "must be greater than zero")
        return number

    def day(self, field: str, *, required: bool = False) -> date | None:
        value = self.data.get(field)
        if value is None or value == "":
            if required:
                self.fail(field, "is required")
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.fail(field, "must be a date as YYYY-MM-DD")
            return None

    def boolean(self, field: str, default: bool) -> bool:
        value = self.data.get(field)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(field, "must be true or false")
            return default
        return value

    def choice(self, field: str, options: Iterable[str], default: str) -> str:
        allowed = tuple(options)
        value = self.data.get(field)
        if value is None or value == "":
            return default
        for option in allowed:
            if isinstance(value, str) and value.strip().lower() == option.lower():
                return option
        self.fail(field, "must be one of " + ", ".join(allowed))
        return default

    def child(self, field: str) -> Body | None:
        value = self.data.get(field)
        if value is None:
            return None
        return Body(value, self.name(field), self.errors)

    def children(self, field: str, *, required: bool = False) -> list[Body]:
        value = self.data.get(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            return []
        if not isinstance(value, list):
            self.fail(field, "must be a list")
            return []
        return [Body(item, f"{self.name(field)}[{i}]", self.errors) for i, item in enumerate(value)]

    def check(self) -> None:
        """Raise one ``validation_failed`` naming every field found wrong so far."""
        if self.errors:
            summary = "; ".join(f"{name}: {why}" for name, why in self.errors.items())
            raise ApiError("validation_failed", summary, dict(self.errors))


def refuse_changed_read_only(
    body: Body, current: dict[str, Any], read_only: Iterable[str], money: Iterable[str] = ()
) -> None:
    """A PUT may send read-only fields back unchanged; a changed one is refused."""
    money_fields = set(money)
    for field in read_only:
        if field not in body.data:
            continue
        sent = body.data[field]
        if field in money_fields:
            amount = body.money(field)
            if field not in body.errors and amount != Decimal(str(current.get(field))):
                body.fail(field, "is read-only and cannot be changed")
        elif _folded(sent) != _folded(current.get(field)):
            body.fail(field, "is read-only and cannot be changed")
    body.check()


def _folded(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value
