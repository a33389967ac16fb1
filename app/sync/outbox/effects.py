"""What an approved decision does in Sage Pro (docs/architecture.md §2), as outbox specs with
deterministic keys. Pure: the caller writes the specs in the approval's transaction.

Payloads are Sage Pro API JSON (PascalCase, money as two-decimal strings) so a bookkeeper
can read and edit a dead letter's payload as Sage Pro would see it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app.config import FeeSchedule, GLAccountSettings
from app.domain.money import CENT, format_money

REVERSAL_KIND = "payment_reversal"  # the outbox kind of a payment reversal (v1.1)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OutboxSpec:
    key: str
    kind: str  # payment / credit_memo / journal_entry / invoice_status / customer_update
    payload: dict[str, Any]
    sequence: int
    ordering_key: str = ""
    transaction_id: int | None = None
    batch_number: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def payment_key(transaction_id: int, generation: int = 1) -> str:
    """``PT-<id>-PAY``; after its payment was reversed (Unreconcile) the next match of the
    same transaction posts as ``PT-<id>-PAY-2``, then ``-PAY-3``: deterministic keys, so
    exactly-once holds for each generation."""
    base = f"PT-{transaction_id}-PAY"
    return base if generation <= 1 else f"{base}-{generation}"


def sequence_of(created_utc: datetime | None, transaction_id: int, step: int = 0) -> int:
    """Post order: PayTrace event time, then id, then the step within one event."""
    moment = created_utc or datetime(1970, 1, 1)
    seconds = int(moment.replace(tzinfo=UTC).timestamp())
    return (seconds * 1_000_000 + transaction_id % 100_000) * 10 + step


def payment_spec(
    *,
    transaction_id: int,
    payment_date: date,
    amount: Decimal,
    customer_id: str,
    method_code: str,
    gl_account_id: str,
    applications: Sequence[tuple[str, Decimal]],
    memo: str,
    sequence: int,
    generation: int = 1,
    payment_status: str = "",
) -> OutboxSpec:
    """One payment: one invoice, several (Applications; any rest on account) or on account."""
    key = payment_key(transaction_id, generation)
    payload: dict[str, Any] = {
        "PaymentReference": key,
        "PaymentDate": payment_date.isoformat(),
        "Amount": format_money(amount),
        "CustomerID": customer_id,
        "GLAccountID": gl_account_id,
        "PaymentMethodCode": method_code,
        "Memo": memo[:200],
    }
    if payment_status:  # the status map's word (Sage Pro records Paid when absent)
        payload["PaymentStatus"] = payment_status
    applied = [(inv, amt) for inv, amt in applications if amt > ZERO]
    if len(applied) == 1 and applied[0][1] == amount:
        payload["InvoiceID"] = applied[0][0]
    elif applied:
        payload["Applications"] = [
            {"InvoiceID": inv, "Amount": format_money(amt)} for inv, amt in applied
        ]
    else:
        payload["InvoiceID"] = None
    ordering = applied[0][0] if applied else f"customer:{customer_id}"
    return OutboxSpec(key, "payment", payload, sequence, ordering, transaction_id)


def refund_specs(
    *,
    transaction_id: int,
    original_id: int,
    refund_date: date,
    amount: Decimal,
    customer_id: str,
    invoice_id: str,
    gl: GLAccountSettings,
    sequence: int,
    memo_fields: Mapping[str, str] | None = None,
    journal_fields: Mapping[str, str] | None = None,
) -> list[OutboxSpec]:
    """A refund: a credit memo against the original invoice, and the cash going back out.

    ``memo_fields`` / ``journal_fields`` are what the mapping decides (dates, reason,
    description, line memo, the refund account); the key, amount, customer and invoice
    are fixed here. Without them the standard wording and Settings' accounts are used."""
    mapped_memo = memo_fields or {}
    mapped_journal = journal_fields or {}
    memo = {
        "Reference": f"PT-{transaction_id}-REFUND",
        "CustomerID": customer_id,
        "InvoiceID": invoice_id,
        "MemoDate": mapped_memo.get("MemoDate", refund_date.isoformat()),
        "Amount": format_money(amount),
        "Reason": mapped_memo.get(
            "Reason", f"PayTrace refund {transaction_id} of transaction {original_id}"
        )[:200],
        "GLAccountID": mapped_memo.get("GLAccountID", gl.refunds),
    }
    description = mapped_journal.get(
        "Description", f"Card refund {transaction_id} (invoice {invoice_id})"
    )
    journal = journal_payload(
        f"PT-{transaction_id}-REFUND-JE",
        date.fromisoformat(mapped_journal.get("EntryDate", refund_date.isoformat())),
        description,
        [
            (mapped_journal.get("GLAccountID", gl.refunds), amount, ZERO),
            (gl.card_clearing, ZERO, amount),  # the one clearing account (Settings)
        ],
        line_memo=mapped_journal.get("LineMemo"),
    )
    return [
        OutboxSpec(memo["Reference"], "credit_memo", memo, sequence, invoice_id, transaction_id),
        OutboxSpec(
            journal["Reference"], "journal_entry", journal, sequence + 1, invoice_id, transaction_id
        ),
    ]


def decline_spec(
    *, transaction_id: int, invoice_id: str, sequence: int, payment_status: str = "Failed"
) -> OutboxSpec:
    """The invoice's PaymentStatus after a declined attempt (the status map's word for
    Declined; Failed by default)."""
    payload = {"InvoiceID": invoice_id, "PaymentStatus": payment_status}
    return OutboxSpec(
        f"PT-{transaction_id}-FAILED",
        "invoice_status",
        payload,
        sequence,
        invoice_id,
        transaction_id,
    )


def reversal_key(transaction_id: int, generation: int = 1) -> str:
    """``PT-<id>-REVERSAL`` for the first posted payment of a transaction, ``-REVERSAL-2``
    for the reversal of its successor ``PT-<id>-PAY-2`` (after an Unreconcile), …"""
    base = f"PT-{transaction_id}-REVERSAL"
    return base if generation <= 1 else f"{base}-{generation}"


def reversal_spec(
    *,
    transaction_id: int,
    payment_reference: str,
    reversal_date: date,
    reason: str,
    invoice_ids: Sequence[str],
    sequence: int,
    generation: int = 1,
) -> OutboxSpec:
    """Take a posted payment back in Sage Pro (contract v1.1 payment reversal): every
    invoice it paid is open again with its balance restored, the customer owes it again,
    and AR/cash on the payment's own GL account are undone — so no journal entry is needed
    for that part. ``PaymentReference`` names the payment by our key; the poster looks up
    its PaymentID when sending (only Sage Pro knows it)."""
    key = reversal_key(transaction_id, generation)
    payload = {
        "Reference": key,
        "PaymentReference": payment_reference,
        "ReversalDate": reversal_date.isoformat(),
        "Reason": reason[:200],
    }
    ordering = invoice_ids[0] if invoice_ids else ""
    return OutboxSpec(key, REVERSAL_KIND, payload, sequence, ordering, transaction_id)


def settlement_fees(
    schedule: FeeSchedule,
    card_count: int,
    card_gross: Decimal,
    ach_count: int,
    ach_gross: Decimal,
) -> Decimal:
    fees = (
        card_gross * schedule.card_percent / 100
        + schedule.card_per_transaction * card_count
        + ach_gross * schedule.ach_percent / 100
        + schedule.ach_per_transaction * ach_count
    )
    return fees.quantize(CENT)


def settlement_spec(
    *,
    batch_number: int,
    settle_date: date,
    net: Decimal,
    fees: Decimal,
    gl: GLAccountSettings,
    sequence: int,
    mapped: Mapping[str, str] | None = None,
) -> OutboxSpec:
    """Card clearing → bank for the batch's net, with the merchant fees split out;
    ``mapped`` is the wording the mapping gives (Description, LineMemo)."""
    wording = mapped or {}
    lines: list[tuple[str, Decimal, Decimal]]
    if net >= ZERO:
        lines = [(gl.bank, net - fees, ZERO), (gl.card_clearing, ZERO, net)]
    else:  # more refunds than sales: the bank pays the clearing account
        lines = [(gl.card_clearing, -net, ZERO), (gl.bank, ZERO, -net + fees)]
    if fees > ZERO:
        lines.insert(1, (gl.merchant_fees, fees, ZERO))
    payload = journal_payload(
        f"PT-BATCH-{batch_number}-JE",
        settle_date,
        wording.get("Description", f"PayTrace settlement batch {batch_number}"),
        lines,
        line_memo=wording.get("LineMemo"),
    )
    return OutboxSpec(
        payload["Reference"],
        "journal_entry",
        payload,
        sequence,
        f"batch:{batch_number}",
        None,
        batch_number,
    )


def customer_update_spec(
    *,
    customer_id: str,
    paytrace_customer_id: str,
    card_last4: str,
    card_expiry: str,
    sequence: int,
    mapped: Mapping[str, str] | None = None,
) -> OutboxSpec:
    """The card details of an existing customer; ``mapped`` (the mapping's Customer fields)
    words CardLast4 and CardExpiry, the facts stand where it leaves them empty. The key is
    always built from the facts, so a rewording never posts the same card twice."""
    words = mapped or {}
    payload = {
        "CustomerID": customer_id,
        "PayTraceCustomerID": paytrace_customer_id,
        "CardLast4": words.get("CardLast4") or card_last4,
        "CardExpiry": words.get("CardExpiry") or card_expiry,
    }
    key = f"PT-CUST-{paytrace_customer_id}-{card_last4}-{card_expiry.replace('/', '')}"
    return OutboxSpec(key[:80], "customer_update", payload, sequence, f"customer:{customer_id}")


def journal_payload(
    reference: str,
    entry_date: date,
    description: str,
    lines: Sequence[tuple[str, Decimal, Decimal]],
    *,
    line_memo: str | None = None,
) -> dict[str, Any]:
    """A journal entry; each line's memo is ``line_memo`` or the description (60 chars)."""
    memo = (description if line_memo is None else line_memo)[:60]
    kept = [(acct, dr, cr) for acct, dr, cr in lines if dr > ZERO or cr > ZERO]
    return {
        "Reference": reference,
        "EntryDate": entry_date.isoformat(),
        "Description": description[:200],
        "Lines": [
            {
                "GLAccountID": acct,
                "Debit": format_money(dr),
                "Credit": format_money(cr),
                "Memo": memo,
            }
            for acct, dr, cr in kept
        ],
    }
