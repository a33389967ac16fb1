"""The common export row read in one pass: the short way of ``parse_transaction``.

Only for a row whose JSON text was proved to hold no card number and no non-ASCII text
(``redaction.json_bytes_hold_no_card``): its text needs neither the redactor nor cleaning.
Every value must have its usual type (text as strings, ids and expiry as whole numbers,
objects as objects); anything else answers ``None`` and the row goes the long way, which
also words every error. ``tests/unit/test_paytrace_parse_bytes.py`` holds both ways equal.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from app.connectors.paytrace import parse_values as v
from app.domain.records import PaymentMethod, Transaction, TransactionType

# Text fields read as they are: (Transaction attribute, export field).
_TEXT_FIELDS = (
    ("invoice_id", "invoice_id"),
    ("customer_reference_id", "customer_reference_id"),
    ("description", "description"),
    ("customer_id", "customer_id"),
    ("approval_code", "approval_code"),
    ("approval_message", "approval_message"),
    ("status_code", "status_code"),
)
_MAX_INT = 2**63 - 1


def read_plain_row(row: dict[str, Any]) -> Transaction | None:
    """The row's transaction, or ``None`` when it needs the general reader."""
    try:
        return _read(row)
    except v.FieldReadError:
        return None  # the general reader raises it again, in its own order of checks


def _read(row: dict[str, Any]) -> Transaction | None:
    transaction_id = row.get("transaction_id")
    type_text = row.get("transaction_type")
    created = row.get("created")
    if type(transaction_id) is not int or not -_MAX_INT <= transaction_id <= _MAX_INT:
        return None
    if type(type_text) is not str or not type_text.strip() or type(created) is not dict:
        return None
    created_text = created.get("at")
    fields = _texts(row)
    card = _section(row.get("credit_card"))
    check = _section(row.get("check"))
    billing = _section(row.get("billing_address"))
    discretionary = _section(row.get("discretionary_data"))
    if type(created_text) is not str or not created_text or fields is None:
        return None
    if card is None or check is None or billing is None or discretionary is None:
        return None
    payment = _payment(card, check)
    billing_name = billing.get("name")
    settled = _settle_time(row.get("settled"))
    batch_number = _whole_number(row.get("batch_number"))
    if payment is None or settled is False or batch_number is False:
        return None
    if billing_name is not None and type(billing_name) is not str:
        return None
    created_local = v.timestamp(created_text, "created.at")
    if created_local is None:
        return None
    fields.update(payment)
    fields.update(
        transaction_id=transaction_id,
        transaction_type=TransactionType.parse(type_text),
        amount=v.required_money(row.get("amount"), "amount"),
        created_local=created_local,
        created_text=created_text.strip(),
        billing_name=billing_name or "",
        tax_amount=v.optional_money(row.get("tax_amount"), "tax_amount"),
        settled_local=settled,
        batch_number=batch_number,
        discretionary_data={str(k): v.loose_text(x) for k, x in discretionary.items()},
    )
    return Transaction.from_checked_fields(fields)


def _settle_time(value: Any) -> datetime | bool | None:
    """The settle time, ``None`` when not given, ``False`` when not plainly readable."""
    if value is None or type(value) is not str:
        return None if value is None else False
    return _read_settle_time(value)


@lru_cache(maxsize=1024)
def _read_settle_time(text: str) -> datetime | bool | None:
    # Cached: the rows of one settlement batch share its settle time.
    try:
        return v.timestamp(text, "settled")
    except v.FieldReadError:
        return False


def _texts(row: dict[str, Any]) -> dict[str, Any] | None:
    texts: dict[str, Any] = {}
    for attribute, name in _TEXT_FIELDS:
        value = row.get(name)
        if type(value) is str:
            texts[attribute] = value
        elif value is None:
            texts[attribute] = ""
        else:
            return None
    email = row.get("receipt_emailed_to") or row.get("email")
    if email is not None and type(email) is not str:
        return None  # the general reader words 0 as "0" and refuses true/false
    texts["email"] = email or ""
    return texts


def _section(value: Any) -> dict[str, Any] | None:
    """A nested object; ``{}`` when absent; ``None`` for any other shape."""
    if type(value) is dict:
        return value
    return {} if value is None else None


def _payment(card: dict[str, Any], check: dict[str, Any]) -> dict[str, Any] | None:
    """Method, card brand, last 4 and expiry; ``None`` when not plainly readable."""
    if check and not card:
        masked = _plain_text(check.get("masked_account_number"))
        if masked is None:
            return None
        method, brand, month, year = PaymentMethod.ACH, "", None, None
    else:
        masked = _plain_text(card.get("masked_number"))
        month = _whole_number(card.get("expiration_month"))
        year = _whole_number(card.get("expiration_year"))
        if masked is None or month is False or year is False:
            return None
        if month is not None and not 1 <= month <= 12:
            return None
        if year is not None and not (0 <= year < 100 or 1000 <= year <= 9999):
            return None
        method, brand = PaymentMethod.CARD, v.brand_from_mask(masked)
        year = year + 2000 if year is not None and year < 100 else year
    return {
        "payment_method": method,
        "card_brand": brand,
        "card_last4": v.last4(masked),
        "card_exp_month": month,
        "card_exp_year": year,
    }


def _plain_text(value: Any) -> str | None:
    if type(value) is str:
        return value
    return "" if value is None else None


def _whole_number(value: Any) -> int | bool | None:
    """An int within 64 bits, ``None`` when absent or empty, ``False`` for anything else."""
    if value is None or value == "":
        return None
    if type(value) is int and -_MAX_INT <= value <= _MAX_INT:
        return value
    return False
