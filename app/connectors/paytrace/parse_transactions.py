"""Exported PayTrace transactions → ``Transaction`` records, one typed result per row.

Each row yields either a ``ParsedRecord`` (the transaction plus its redacted raw dict, which
the sync engine stores and hashes) or a ``ParseError`` naming the transaction id and field;
a bad row never stops the rest. Unknown fields stay in the raw dict and are otherwise
ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.connectors.paytrace import parse_values as v
from app.connectors.paytrace.json_body import RawRows, decode_row
from app.connectors.paytrace.parse_plain import read_plain_row
from app.connectors.paytrace.redaction import json_bytes_hold_no_card, redact
from app.domain.cycle_collector import cycle_collector_paused
from app.domain.records import ParseError, PaymentMethod, Transaction, TransactionType

TRANSACTION_ROWS = "transactions"  # the array of an export envelope


@dataclass(frozen=True)
class ParsedRecord:
    transaction: Transaction
    raw: dict[str, Any]  # the row as PayTrace sent it, card numbers redacted
    # Why the transaction's type differs from the row's (see ``provenance``); "" when not.
    provenance: str = ""

    def hashed_content(self) -> dict[str, Any]:
        """What a stored version is compared by: the row, plus the provenance that changed
        its type (so an id learnt to be declined later counts as a change)."""
        if not self.provenance:
            return self.raw
        decided = {"transaction_type": self.transaction.transaction_type.value}
        return {**self.raw, "paysage_decided": {**decided, "because": self.provenance}}


@dataclass
class ParsedExport:
    records: list[ParsedRecord] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    @property
    def transactions(self) -> list[Transaction]:
        return [record.transaction for record in self.records]

    def extend(self, other: ParsedExport) -> None:
        self.records.extend(other.records)
        self.errors.extend(other.errors)

    def __len__(self) -> int:
        return len(self.records) + len(self.errors)


def _section(row: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested object, ``{}`` when absent or empty; a problem when it is something else."""
    value = row.get(key)
    if value is None or value == "" or value == []:
        return {}
    if not isinstance(value, dict):
        raise v.FieldReadError(key, f"expected an object, got {type(value).__name__}")
    return value


def _created(row: dict[str, Any]) -> tuple[str, Any]:
    created = row.get("created")
    if isinstance(created, dict):
        return "created.at", created.get("at")
    return "created", created  # tolerate a bare timestamp string


def parse_transaction(row: dict[str, Any], raw: dict[str, Any]) -> Transaction:
    """One export row (already known to be a dict). Raises ``FieldReadError``."""
    transaction_id = v.required_int(row.get("transaction_id"), "transaction_id")
    type_text = row.get("transaction_type")
    if not isinstance(type_text, str) or not type_text.strip():
        raise v.FieldReadError("transaction_type", "missing")
    created_field, created_value = _created(row)
    created = v.timestamp(created_value, created_field)
    if created is None:
        raise v.FieldReadError(created_field, "missing")

    card = _section(row, "credit_card")
    check = _section(row, "check")
    billing = _section(row, "billing_address")
    if check and not card:
        method = PaymentMethod.ACH
        masked = v.text(check.get("masked_account_number"), "check.masked_account_number")
        exp_month = exp_year = None
        brand = ""
    else:
        method = PaymentMethod.CARD
        masked = v.text(card.get("masked_number"), "credit_card.masked_number")
        exp_month = v.exp_month(card.get("expiration_month"), "credit_card.expiration_month")
        exp_year = v.exp_year(card.get("expiration_year"), "credit_card.expiration_year")
        brand = v.brand_from_mask(masked)

    discretionary = _section(row, "discretionary_data")
    email = row.get("receipt_emailed_to") or row.get("email")
    return Transaction(
        transaction_id=transaction_id,
        transaction_type=TransactionType.parse(type_text),
        amount=v.required_money(row.get("amount"), "amount"),
        created_local=created,
        created_text=str(created_value).strip(),
        payment_method=method,
        invoice_id=v.text(row.get("invoice_id"), "invoice_id"),
        customer_reference_id=v.text(row.get("customer_reference_id"), "customer_reference_id"),
        description=v.text(row.get("description"), "description"),
        customer_id=v.text(row.get("customer_id"), "customer_id"),
        billing_name=v.text(billing.get("name"), "billing_address.name"),
        email=v.text(email, "receipt_emailed_to"),
        card_brand=brand,
        card_last4=v.last4(masked),
        card_exp_month=exp_month,
        card_exp_year=exp_year,
        tax_amount=v.optional_money(row.get("tax_amount"), "tax_amount"),
        approval_code=v.text(row.get("approval_code"), "approval_code"),
        approval_message=v.text(row.get("approval_message"), "approval_message"),
        status_code=v.text(row.get("status_code"), "status_code"),
        settled_local=v.timestamp(row.get("settled"), "settled"),
        batch_number=v.optional_int(row.get("batch_number"), "batch_number"),
        discretionary_data={
            str(key): v.loose_text(value) for key, value in raw["discretionary_data"].items()
        }
        if discretionary
        else {},
    )


def _id_text(row: Any) -> str:
    if isinstance(row, dict):
        value = row.get("transaction_id")
        if isinstance(value, int | str) and not isinstance(value, bool):
            return str(redact(str(value)))[:40]
    return ""


def parse_row(row: Any) -> ParsedRecord | ParseError:
    """One row → a record or a per-record error. Never raises."""
    if not isinstance(row, dict):
        shown = {"value": redact(row)} if row is not None else {}
        return ParseError("", "record", f"expected an object, got {type(row).__name__}", shown)
    raw = redact(row)
    assert isinstance(raw, dict)  # redact_value keeps the shape
    return _record_or_error(row, raw)


def parse_row_json(data: bytes, *, card_free: bool = False) -> ParsedRecord | ParseError:
    """``parse_row`` of one row's JSON text; a row proved card-free (``card_free`` when the
    whole export was) skips the redactor."""
    row = decode_row(data)
    if not isinstance(row, dict) or not (card_free or json_bytes_hold_no_card(data)):
        return parse_row(row)
    transaction = read_plain_row(row)
    if transaction is not None:
        return ParsedRecord(transaction, row)
    return _record_or_error(row, row)  # redacting would copy the row unchanged


def _record_or_error(row: dict[str, Any], raw: dict[str, Any]) -> ParsedRecord | ParseError:
    try:
        return ParsedRecord(parse_transaction(row, raw), raw)
    except v.FieldReadError as problem:
        return ParseError(_id_text(row), problem.field, problem.message, raw)


def parse_transaction_rows(rows: Any) -> ParsedExport:
    """Every row of a ``transactions`` array (decoded, or ``RawRows`` still in JSON text);
    a non-array is one error, not a crash."""
    result = ParsedExport()
    if rows is None:
        return result
    if not isinstance(rows, list):
        result.errors.append(
            ParseError("", "transactions", f"expected a list, got {type(rows).__name__}")
        )
        return result
    if isinstance(rows, RawRows):
        card_free = json_bytes_hold_no_card(rows.text)
        parsed_rows = (parse_row_json(row, card_free=card_free) for row in rows)
    else:
        parsed_rows = (parse_row(row) for row in rows)
    with cycle_collector_paused():
        for parsed in parsed_rows:
            if isinstance(parsed, ParseError):
                result.errors.append(parsed)
            else:
                result.records.append(parsed)
    return result


def parse_transactions_export(body: dict[str, Any]) -> ParsedExport:
    """The ``transactions`` array of an export envelope."""
    return parse_transaction_rows(body.get(TRANSACTION_ROWS))
