"""Reading a PayTrace export row: dotted paths, derived fields and sample values.

Derived fields are facts the export only implies: the status word (from
``transaction_type``), the payment method (ACH rows carry ``check`` instead of
``credit_card``), the card brand (from a BIN when PayTrace gave one) and the last 4 digits.
A row that already carries a key of the same name keeps its own value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from app.domain.pan import card_brand

# PayTrace's transaction types → the status words the status map speaks.
STATUS_OF_TYPE = {
    "SALE": "Approved",
    "AUTHORIZATION": "Approved",
    "STR/FWD": "Approved",
    "DECLINED": "Declined",
    "REFUND": "Refunded",
    "VOID": "Voided",
}


def get_path(row: Mapping[str, Any], path: str) -> Any:
    """The value at ``billing_address.name``-style ``path``; None when any step is missing."""
    if path in row:
        return row[path]
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _status(row: Mapping[str, Any]) -> str:
    return STATUS_OF_TYPE.get(str(row.get("transaction_type") or "").strip().upper(), "")


def _payment_method(row: Mapping[str, Any]) -> str:
    check = row.get("check")
    if (isinstance(check, Mapping) and check) or row.get("check_transaction_id"):
        return "ACH"
    return "CC"


def _masked_number(row: Mapping[str, Any]) -> str:
    for path in ("credit_card.masked_number", "check.masked_account_number"):
        value = get_path(row, path)
        if isinstance(value, str) and value:
            return value
    return ""


def _card_brand(row: Mapping[str, Any]) -> str:
    if _payment_method(row) == "ACH":
        return ""
    masked = _masked_number(row)
    bin_digits = re.match(r"\d{6}", masked)
    if not bin_digits:
        return ""
    # Only the first 6 digits are known: try the lengths brands use, longest-common first.
    for length in (16, 15, 14, 19):
        brand = card_brand(bin_digits.group() + "0" * (length - 6))
        if brand:
            return brand
    return ""


def _last4(row: Mapping[str, Any]) -> str:
    digits = re.findall(r"\d", _masked_number(row))
    return "".join(digits[-4:]) if len(digits) >= 4 else ""


DERIVED_FIELDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "status": _status,
    "payment_method": _payment_method,
    "card_brand": _card_brand,
    "account_last4": _last4,
}


def with_derived_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` plus every derived field it does not already carry."""
    out = dict(row)
    for name, derive in DERIVED_FIELDS.items():
        if out.get(name) in (None, ""):
            out[name] = derive(row)
    return out


def flatten_paths(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of ``row`` by dotted path (lists are leaves)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_paths(value, f"{path}."))
        else:
            out[path] = value
    return out


def sample_values(rows: list[Mapping[str, Any]], path: str, limit: int = 5) -> list[Any]:
    """Up to ``limit`` distinct non-empty values of ``path`` across ``rows`` (derived too)."""
    seen: list[Any] = []
    for row in rows:
        value = get_path(with_derived_fields(row), path)
        if value in (None, "") or value in seen:
            continue
        seen.append(value)
        if len(seen) >= limit:
            break
    return seen
