"""The Sage Pro postings a chargeback case queues, as outbox rows.

Confirming queues the journal entry ``PT-CB-<case>-JE``:

    debit  receivables (1200)   the disputed amount — the customer owes it again
    credit bank (1010)          amount + fee — the processor took it from the bank account
    debit  chargeback fees      the fee, when the report has one (Sage Pro GL 6160)

and one ``invoice_status`` row per invoice of the sale, marking its PaymentStatus ``Failed``.
A won case queues the reversing entry ``PT-CB-<case>-WON-JE`` (bank debit, receivables
credit; processors keep the fee) and puts each invoice's PaymentStatus back.

When Sage Pro holds the sale's payment (contract v1.1) and the case is for all of it, the
payment reversal ``PT-<id>-REVERSAL`` reopens the invoices instead and the entry debits the
payment's clearing account rather than receivables (``reversing_confirm_specs``); winning
then posts the payment again and moves the money from bank to clearing. Why bank and not
card clearing, and why a status mark stands for reopening: ``chargebacks``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.config import Profile
from app.domain.money import from_cents
from app.sync.chargebacks.sale import SaleLink
from app.sync.outbound import reversals
from app.sync.outbound.reversals import PostedPayment
from app.sync.outbox.effects import ZERO, OutboxSpec, journal_payload, payment_key, sequence_of

# Sage Pro stand-in's "Chargeback fees" account: used when the setting is left empty.
DEFAULT_FEE_ACCOUNT = "6160"


@dataclass(frozen=True)
class EntryWords:
    """How the active mapping words a chargeback journal entry (its ChargebackEntry record);
    an empty field keeps Paysage's standard wording or the Settings account."""

    description: str = ""
    line_memo: str = ""
    fee_account: str = ""


# Turns the standard description of an entry into the mapping's words.
EntryWording = Callable[[str], EntryWords]


def _standard(description: str) -> EntryWords:
    return EntryWords(description)


def _journal(
    reference: str,
    entry_date: date,
    standard: str,
    lines: list[tuple[str, Decimal, Decimal]],
    words: EntryWords,
) -> dict[str, Any]:
    return journal_payload(
        reference,
        entry_date,
        words.description or standard,
        lines,
        line_memo=words.line_memo or None,
    )


def case_reference(case_key: str, suffix: str = "JE") -> str:
    return f"PT-CB-{case_key}-{suffix}"


def fee_account(profile: Profile) -> str:
    return profile.gl.chargeback_fees or DEFAULT_FEE_ACCOUNT


def confirm_specs(
    case_key: str,
    amount: Decimal,
    fee: Decimal,
    invoices: list[str],
    link: SaleLink,
    entry_date: date,
    profile: Profile,
    now: datetime,
    reason: str,
    word_entry: EntryWording = _standard,
) -> list[OutboxSpec]:
    gl = profile.gl
    on = ", ".join(invoices) or "no invoice"
    source = f"PayTrace {link.transaction_id}" if link.transaction_id else "PayTrace"
    standard = f"Chargeback {case_key} on {source} ({on}): {reason}"
    words = word_entry(standard)
    journal = _journal(
        case_reference(case_key),
        entry_date,
        standard,
        [
            (gl.receivables, amount, ZERO),
            (words.fee_account or fee_account(profile), fee, ZERO),
            (gl.bank, ZERO, amount + fee),
        ],
        words,
    )
    tid = link.transaction_id or 0
    ordering = invoices[0] if invoices else f"chargeback:{case_key}"
    specs = [
        OutboxSpec(
            journal["Reference"],
            "journal_entry",
            journal,
            sequence_of(now, tid, 0),
            ordering,
            link.transaction_id if link.found else None,
        )
    ]
    for step, invoice_id in enumerate(invoices, start=1):
        specs.append(
            OutboxSpec(
                case_reference(case_key, f"INV-{invoice_id}")[:80],
                "invoice_status",
                {"InvoiceID": invoice_id, "PaymentStatus": "Failed", "Cause": "chargeback"},
                sequence_of(now, tid, step),
                invoice_id,
                link.transaction_id if link.found else None,
            )
        )
    return specs


def won_specs(
    data: dict[str, Any],
    entry_date: date,
    transaction_id: int | None,
    now: datetime,
    word_entry: EntryWording = _standard,
) -> list[OutboxSpec]:
    case_key = str(data["case_key"])
    amount = Decimal(str(data["amount"]))
    invoices = list(data.get("invoices") or [])
    standard = f"Chargeback {case_key} won: reverses {case_reference(case_key)} (fee not returned)"
    journal = _journal(
        case_reference(case_key, "WON-JE"),
        entry_date,
        standard,
        [
            (str(data["bank_account"]), amount, ZERO),
            (str(data["receivables_account"]), ZERO, amount),
        ],
        word_entry(standard),
    )
    tid = transaction_id or 0
    ordering = invoices[0] if invoices else f"chargeback:{case_key}"
    specs = [
        OutboxSpec(journal["Reference"], "journal_entry", journal, sequence_of(now, tid, 5),
                   ordering, transaction_id)
    ]  # fmt: skip
    previous = data.get("previous_payment_status") or {}
    for step, invoice_id in enumerate(invoices, start=6):
        specs.append(
            OutboxSpec(
                case_reference(case_key, f"WON-INV-{invoice_id}")[:80],
                "invoice_status",
                {
                    "InvoiceID": invoice_id,
                    "PaymentStatus": previous.get(invoice_id) or "Paid",
                    "Cause": "chargeback",
                },
                sequence_of(now, tid, step),
                invoice_id,
                transaction_id,
            )
        )
    return specs


def reversing_confirm_specs(
    case_key: str,
    fee: Decimal,
    invoices: list[str],
    transaction_id: int,
    payment: PostedPayment,
    entry_date: date,
    profile: Profile,
    now: datetime,
    reason: str,
    word_reversal: Callable[[str], str] | None = None,
    word_entry: EntryWording = _standard,
) -> list[OutboxSpec]:
    """``word_reversal`` turns the standard reversal reason into the mapping's wording.

    A chargeback of a payment Sage Pro holds: the payment reversal ``PT-<id>-REVERSAL``
    reopens its invoices (receivables back up, the payment's clearing debit undone), so the
    journal entry only carries the bank side — debit the account the reversal credited,
    debit the fee, credit bank amount + fee — and clearing still nets to zero."""
    amount = from_cents(payment.amount_cents)
    reversal = reversals.spec_for(
        transaction_id,
        payment,
        reversal_date=entry_date,
        reason=(word_reversal or str)(f"Chargeback {case_key}: {reason}"),
        sequence=sequence_of(now, transaction_id, 0),
    )
    on = ", ".join(invoices) or "on account"
    standard = (
        f"Chargeback {case_key} on PayTrace {transaction_id} ({on}): {reason}; "
        f"{reversal.key} reopens the invoice"
    )
    words = word_entry(standard)
    journal = _journal(
        case_reference(case_key),
        entry_date,
        standard,
        [
            (payment.gl_account_id or profile.gl.card_clearing, amount, ZERO),
            (words.fee_account or fee_account(profile), fee, ZERO),
            (profile.gl.bank, ZERO, amount + fee),
        ],
        words,
    )
    ordering = invoices[0] if invoices else f"chargeback:{case_key}"
    specs = [
        reversal,
        OutboxSpec(
            journal["Reference"],
            "journal_entry",
            journal,
            sequence_of(now, transaction_id, 1),
            ordering,
            transaction_id,
        ),
    ]
    for step, invoice_id in enumerate(invoices, start=2):
        specs.append(
            OutboxSpec(
                case_reference(case_key, f"INV-{invoice_id}")[:80],
                "invoice_status",
                {"InvoiceID": invoice_id, "PaymentStatus": "Failed", "Cause": "chargeback"},
                sequence_of(now, transaction_id, step),
                invoice_id,
                transaction_id,
            )
        )
    return specs


def reposting_won_specs(
    data: dict[str, Any],
    entry_date: date,
    transaction_id: int,
    generation: int,
    now: datetime,
    word_entry: EntryWording = _standard,
) -> list[OutboxSpec]:
    """A won case whose payment was reversed: the money is back in the bank, so the payment
    posts again (``PT-<id>-PAY-<n>``, same invoices, dated that day) and the journal entry
    moves it from the bank to the account the payment debits (fee not returned)."""
    case_key = str(data["case_key"])
    reversed_payment = dict(data["reversed_payment"])
    amount = Decimal(str(reversed_payment["Amount"]))
    gl_account = str(reversed_payment.get("GLAccountID") or "")
    invoices = list(data.get("invoices") or [])
    ordering = invoices[0] if invoices else f"chargeback:{case_key}"
    key = payment_key(transaction_id, generation)
    payment = {
        **reversed_payment,
        "PaymentReference": key,
        "PaymentDate": entry_date.isoformat(),
    }
    standard = (
        f"Chargeback {case_key} won: the bank got it back; {key} pays the invoice again "
        "(fee not returned)"
    )
    journal = _journal(
        case_reference(case_key, "WON-JE"),
        entry_date,
        standard,
        [(str(data["bank_account"]), amount, ZERO), (gl_account, ZERO, amount)],
        word_entry(standard),
    )
    return [
        OutboxSpec(key, "payment", payment, sequence_of(now, transaction_id, 5), ordering,
                   transaction_id),
        OutboxSpec(journal["Reference"], "journal_entry", journal,
                   sequence_of(now, transaction_id, 6), ordering, transaction_id),
    ]  # fmt: skip
