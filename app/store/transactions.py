"""Conversions between domain ``Transaction`` records and ``transactions`` rows."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from app.domain.money import from_cents, to_cents
from app.domain.records import PaymentMethod, Transaction, TransactionType
from app.store.bulk_insert import JsonText
from app.store.models import PayTraceTransaction

# The columns a change to which matters to the books (settlement alone does not).
SIGNIFICANT_FIELDS = (
    "transaction_type",
    "amount_cents",
    "invoice_ref",
    "paytrace_customer_id",
    "payment_method",
    "card_last4",
)


# The canonical text every stored hash was made of (keys sorted, no spaces, ASCII only).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
_SORTED = msgspec.json.Encoder(order="sorted")
_PLAIN = msgspec.json.Encoder()
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789E", b"000000000e")


def content_hash(raw: dict[str, Any]) -> str:
    """Stable hash of a redacted raw record (key order and whitespace do not matter); the
    record is JSON data: str keys; str, numbers, booleans, None, lists and dicts."""
    return hashlib.sha256(_canonical_json(raw)).hexdigest()


def _canonical_json(value: Any) -> bytes:
    """``_CANONICAL.encode(value)`` as UTF-8, from msgspec (~10x quicker) where its text is
    provably the same: msgspec writes non-ASCII and DEL unescaped, floats that need an
    exponent as ``1e16`` (Python: ``1e+16``), small ones in full (``0.00001``; Python:
    ``1e-05``), NaN and infinities as ``null``. Text free of
    all of those (digit-then-e and ``null`` also catch harmless strings: then the slow way)."""
    try:
        text = _SORTED.encode(value)
    except (TypeError, UnicodeEncodeError):  # a lone surrogate, a type JSON lacks
        return _CANONICAL.encode(value).encode("utf-8")
    plain = text.isascii() and b"\x7f" not in text and b"null" not in text
    # Python writes a float under 1e-4 with an exponent (1e-05), msgspec in full (0.00001).
    plain = plain and b"0.0000" not in text
    if plain and b"0e" not in text.translate(_DIGITS_AS_ZERO):
        return text
    return _CANONICAL.encode(value).encode("utf-8")


def payload_json(raw: dict[str, Any]) -> JsonText:
    """A raw record as the JSON text to store: ``json.loads`` of it gives ``raw`` back."""
    try:
        text = _PLAIN.encode(raw)
    except (TypeError, UnicodeEncodeError):
        return JsonText(json.dumps(raw))
    # msgspec writes NaN and infinities as null; json.dumps keeps them (as NaN, Infinity).
    return JsonText(text.decode() if b"null" not in text else json.dumps(raw))


def to_utc(local: datetime, tz: ZoneInfo | None) -> datetime:
    """Merchant-local wall clock → naive UTC (``tz`` None = this computer's zone)."""
    aware = local.replace(tzinfo=tz) if tz is not None else local.astimezone()
    return aware.astimezone(UTC).replace(tzinfo=None)


def row_values(tx: Transaction, digest: str, tz: ZoneInfo | None) -> dict[str, Any]:
    """Column values for ``tx`` (without the bookkeeping columns)."""
    return {
        "transaction_id": tx.transaction_id,
        "transaction_type": tx.transaction_type._value_,  # .value is a slow descriptor
        "amount_cents": to_cents(tx.amount),
        "tax_cents": to_cents(tx.tax_amount) if tx.tax_amount is not None else None,
        "created_local": tx.created_local,
        "created_text": tx.created_text[:40],
        "created_utc": to_utc(tx.created_local, tz),
        "merchant_date": tx.merchant_date,
        "payment_method": tx.payment_method._value_,
        "invoice_ref": tx.invoice_id[:200],
        "customer_reference_id": tx.customer_reference_id[:200],
        "description": tx.description,
        "paytrace_customer_id": tx.customer_id[:64],
        "billing_name": tx.billing_name[:200],
        "email": tx.email[:200],
        "card_brand": tx.card_brand[:20],
        "card_last4": tx.card_last4[-4:],
        "card_exp_month": tx.card_exp_month,
        "card_exp_year": tx.card_exp_year,
        "approval_code": tx.approval_code[:40],
        "approval_message": tx.approval_message[:200],
        "settled_local": tx.settled_local,
        "batch_number": tx.batch_number,
        "content_hash": digest,
    }


def transaction_from_row(row: PayTraceTransaction) -> Transaction:
    return Transaction(
        transaction_id=row.transaction_id,
        transaction_type=TransactionType.parse(row.transaction_type),
        amount=from_cents(row.amount_cents),
        created_local=row.created_local,
        created_text=row.created_text,
        payment_method=PaymentMethod(row.payment_method),
        invoice_id=row.invoice_ref,
        customer_reference_id=row.customer_reference_id,
        description=row.description,
        customer_id=row.paytrace_customer_id,
        billing_name=row.billing_name,
        email=row.email,
        card_brand=row.card_brand,
        card_last4=row.card_last4,
        card_exp_month=row.card_exp_month,
        card_exp_year=row.card_exp_year,
        tax_amount=from_cents(row.tax_cents) if row.tax_cents is not None else None,
        approval_code=row.approval_code,
        approval_message=row.approval_message,
        settled_local=row.settled_local,
        batch_number=row.batch_number,
    )


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """{column: [old, new]} for every column that differs, JSON-ready."""
    changes: dict[str, Any] = {}
    for key, value in new.items():
        before = old.get(key)
        if before != value and key != "content_hash":
            changes[key] = [_jsonable(before), _jsonable(value)]
    return changes


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value if value is None or isinstance(value, int | str | bool) else str(value)
