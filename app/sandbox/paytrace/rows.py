"""The stand-in's state rendered as PayTrace JSON: export rows, batch and customer objects.

Amounts are JSON numbers (whole amounts as integers, like the reference's ``"amount": 110``)
except ``tax_amount``, a string; masks use ``*`` and two-digit expiry years.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.sandbox.paytrace import codes
from app.sandbox.paytrace.settings import StandInSettings
from app.sandbox.paytrace.state import Batch, StoredCard, StoredTransaction, VaultProfile


def json_number(amount: Decimal) -> int | float:
    # float only for cents values: repr round-trips them exactly (e.g. 110.1 -> "110.10").
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def paytrace_time(moment: datetime) -> str:
    """``M/D/YYYY h:mm:ss AM|PM``, no zone."""
    hour = moment.hour % 12 or 12
    half = "PM" if moment.hour >= 12 else "AM"
    return (
        f"{moment.month}/{moment.day}/{moment.year} "
        f"{hour}:{moment.minute:02d}:{moment.second:02d} {half}"
    )


def masked_card(card: StoredCard, *, include_bin: bool = False, char: str = "*") -> str:
    hidden = len(card.number) - (10 if include_bin else 4)
    head = card.number[:6] if include_bin else ""
    return head + char * hidden + card.last4


def shown_type_and_status(
    txn: StoredTransaction, settings: StandInSettings | None = None
) -> tuple[str, str]:
    """The ``transaction_type`` and ``status_code`` a row reads, in the shape the switches
    choose for declines and voids (state.export_type is the truth the filters use)."""
    shapes = settings or StandInSettings()
    shown = txn.export_type
    if shown == "DECLINED" and shapes.declined_row_type != "DECLINED":
        return txn.declined_kind, txn.status_code  # empty approval code, decline message
    if shown == "VOID" and shapes.voided_row_type != "VOID":
        kind = "SALE" if txn.kind == "SALE" or txn.captured else txn.kind
        return kind, codes.VOID_STATUS_CODE
    return shown, txn.status_code


def export_row(
    txn: StoredTransaction,
    *,
    include_bin: bool,
    username: str,
    settings: StandInSettings | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {"transaction_id": txn.transaction_id}
    if txn.check is not None:
        row["check"] = {
            "masked_account_number": "*****" + txn.check.account_last4,
            "routing_number": txn.check.routing_number,
            "account_type": txn.check.account_type,
        }
    elif txn.card is not None:
        row["credit_card"] = {
            "masked_number": masked_card(txn.card, include_bin=include_bin),
            "expiration_month": txn.card.expiration_month,
            "expiration_year": txn.card.expiration_year % 100,
        }
    transaction_type, status_code = shown_type_and_status(txn, settings)
    row.update(
        {
            "transaction_type": transaction_type,
            "description": txn.description,
            "amount": json_number(txn.amount),
            "invoice_id": txn.invoice_id,
            "billing_address": dict(txn.billing),
            "shipping_address": {"name": "", "zip": "", "country": "US"},
            "receipt_emailed_to": txn.email,
            "tax_amount": "" if txn.tax_amount is None else f"{txn.tax_amount:.2f}",
            "customer_reference_id": txn.customer_reference_id,
            "approval_code": txn.approval_code,
            "approval_message": txn.approval_message,
            "avs_response": txn.avs_response,
            "csc_response": txn.csc_response,
            "status_code": status_code,
            "status_message": status_code,  # a processor code, not the envelope's text
            "created": {
                "through": "API",
                "at": paytrace_time(txn.created),
                "by": username,
                "from_ip": "127.0.0.1",
            },
            "customer_id": txn.customer_id,
        }
    )
    if txn.discretionary_data:
        row["discretionary_data"] = dict(txn.discretionary_data)
    if txn.settled is not None:  # unsettled rows carry no ``settled`` at all
        row["settled"] = paytrace_time(txn.settled)
        row["batch_number"] = txn.batch_number
    return row


def batch_object(
    number: int, settled: datetime | None, transactions: Iterable[StoredTransaction]
) -> dict[str, Any]:
    members = list(transactions)
    sales = [t for t in members if t.export_type == "SALE"]
    refunds = [t for t in members if t.export_type == "REFUND"]
    sales_amount = sum((t.amount for t in sales), Decimal("0.00"))
    refund_amount = sum((t.amount for t in refunds), Decimal("0.00"))
    return {
        "number": number,
        "created_at": paytrace_time(settled) if settled else "",
        "transaction_count": len(sales) + len(refunds),
        "sales_count": len(sales),
        "sales_amount": json_number(sales_amount),
        "refund_count": len(refunds),
        "refund_amount": json_number(refund_amount),
        "amount": json_number(sales_amount - refund_amount),
    }


def settled_batch_object(batch: Batch, transactions: Iterable[StoredTransaction]) -> dict[str, Any]:
    return batch_object(batch.number, batch.settled, transactions)


def customer_object(profile: VaultProfile) -> dict[str, Any]:
    return {
        "customer_id": profile.customer_id,
        "credit_card": {
            "masked_number": masked_card(profile.card),
            "expiration_month": profile.card.expiration_month,
            "expiration_year": profile.card.expiration_year % 100,
        },
        "billing_address": dict(profile.billing),
        "email": profile.email,
        "phone": profile.phone,
    }
