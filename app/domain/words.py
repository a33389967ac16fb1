"""Turning the program's values into what a bookkeeper reads: counted nouns, field names
and the before/after of an audited change (stored as JSON) as a short sentence."""

from __future__ import annotations

import json
import re
from typing import Any

# Field names that read badly when simply spaced out.
FIELD_WORDS = {
    "limit_cents": "Limit",
    "amount_cents": "Amount",
    "balance_cents": "Balance",
    "on_account_cents": "On account",
    "invoice_id": "Invoice",
    "invoice_ids": "Invoices",
    "customer_id": "Customer",
    "customer_reference_id": "Customer reference",
    "transaction_id": "PayTrace payment",
    "sagepro_id": "Sage Pro id",
    "interval": "Sync every (minutes)",
    "lookback_days": "Look back (days)",
    "min_confidence": "Approve at or above (%)",
    "CustomerID": "Customer",
    "InvoiceID": "Invoice",
    "PaymentReference": "Reference",
    "GLAccountID": "GL account",
}


def counted(count: int, noun: str, plural: str = "") -> str:
    """ "1 payment", "3 payments" — never "payment(s)"."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def field_words(name: str) -> str:
    """ "limit_cents" → "Limit", "PaymentDate" → "Payment date", "auto_approve" → "Auto approve"."""
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace(".", " ")
    spaced = re.sub(r"\bI[Dd]\b|\bid\b", "id", spaced).strip()
    return spaced[:1].upper() + spaced[1:].lower() if spaced else name


def value_words(value: Any) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(value_words(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{field_words(str(k))} {value_words(v)}" for k, v in value.items())
    text = str(value)
    return field_words(text).lower() if re.fullmatch(r"[a-z]+(?:_[a-z0-9]+)+", text) else text


def describe_change(stored: Any) -> str:
    """An audit event's stored change (a JSON object, or its text) as "Status: posted ·
    Sync every (minutes): 5". Anything that is not an object is shown as it is."""
    data = stored
    if isinstance(stored, str):
        try:
            data = json.loads(stored)
        except ValueError:
            return stored
    if not isinstance(data, dict):
        return "" if data is None else value_words(data)
    return " · ".join(f"{field_words(str(k))}: {value_words(v)}" for k, v in data.items())


def action_words(code: str) -> str:
    """ "settings.save" → "Settings save", "edit_payload" → "Edit payload"."""
    return field_words(code)
