"""Taking a posted payment back in Sage Pro (contract v1.1 payment reversals).

Three things reverse a payment that was already posted: PayTrace voiding the sale, a
confirmed chargeback, and a person's Unreconcile. Each queues one ``payment_reversal``
outbox row keyed ``PT-<id>-REVERSAL`` (``-REVERSAL-2`` for a successor payment …) naming
the payment by its own key; the poster looks up the PaymentID and posts it exactly once.

What stays a journal entry (docs/user-guide.md, "Reversals"): the reversal undoes the
payment's own lines (receivables credit, card-clearing debit), so a void before settlement
needs nothing more — clearing nets to zero. A chargeback also moves bank money (the
processor takes amount + fee from the bank account), so it keeps a journal entry, now
debiting card clearing instead of receivables. Unreconcile needs none: the money was real
and the re-match posts it again as a new payment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.money import to_cents
from app.domain.states import ProposalStatus
from app.store.models import OutboxItem, Proposal
from app.sync.inbound.sagepro_cache import apply_reversed_payment
from app.sync.outbox import effects
from app.sync.outbox.effects import REVERSAL_KIND, OutboxSpec

_GENERATION = re.compile(r"-PAY-(\d+)$")


@dataclass(frozen=True)
class PostedPayment:
    """The payment a reversal takes back: its key, generation and invoices."""

    key: str
    generation: int
    invoice_ids: tuple[str, ...]
    applications: tuple[tuple[str, int], ...]  # (invoice, cents) it put on each invoice
    amount_cents: int  # the whole payment, any on-account rest included
    gl_account_id: str  # the account it debited (card clearing): the reversal credits it
    payload: dict[str, Any]


def generation_of(payment_key: str) -> int:
    """1 for ``PT-<id>-PAY``, n for ``PT-<id>-PAY-n``."""
    found = _GENERATION.search(payment_key.strip().upper())
    return int(found.group(1)) if found else 1


def reversed_payment_keys(session: Session, transaction_id: int) -> set[str]:
    """Our payment keys of this transaction that a reversal already takes back (queued or
    posted; an undone approval's discarded row does not count)."""
    rows = session.execute(
        select(OutboxItem.payload).where(
            OutboxItem.transaction_id == transaction_id,
            OutboxItem.kind == REVERSAL_KIND,
            OutboxItem.status != "discarded",
        )
    ).scalars()
    return {str(p.get("PaymentReference") or "").upper() for p in rows}


def next_payment_generation(session: Session, transaction_id: int) -> int:
    """The generation of the next payment key: one past the last reversed one."""
    reversed_keys = reversed_payment_keys(session, transaction_id)
    return 1 + max((generation_of(k) for k in reversed_keys), default=0)


def posted_payment(session: Session, transaction_id: int) -> PostedPayment | None:
    """The transaction's payment that Sage Pro holds and no reversal takes back yet."""
    reversed_keys = reversed_payment_keys(session, transaction_id)
    rows = session.execute(
        select(OutboxItem)
        .where(
            OutboxItem.transaction_id == transaction_id,
            OutboxItem.kind == "payment",
            OutboxItem.status == "posted",
        )
        .order_by(OutboxItem.id.desc())
    ).scalars()
    for row in rows:
        if row.key.upper() in reversed_keys:
            continue
        applications = applications_of(row.payload)
        return PostedPayment(
            row.key,
            generation_of(row.key),
            tuple(i for i, _ in applications),
            tuple(applications),
            to_cents(row.payload["Amount"]),
            str(row.payload.get("GLAccountID") or ""),
            dict(row.payload),
        )
    return None


def applications_of(payload: dict[str, Any]) -> list[tuple[str, int]]:
    """(invoice, cents) a payment payload puts on each invoice."""
    if payload.get("InvoiceID"):
        return [(str(payload["InvoiceID"]), to_cents(payload["Amount"]))]
    return [(str(a["InvoiceID"]), to_cents(a["Amount"])) for a in payload.get("Applications") or []]


def spec_for(
    transaction_id: int,
    payment: PostedPayment,
    *,
    reversal_date: date,
    reason: str,
    sequence: int,
) -> OutboxSpec:
    return effects.reversal_spec(
        transaction_id=transaction_id,
        payment_reference=payment.key,
        reversal_date=reversal_date,
        reason=reason,
        invoice_ids=payment.invoice_ids,
        sequence=sequence,
        generation=payment.generation,
    )


def reversal_posted(session: Session, item: OutboxItem, now: datetime) -> None:
    """After Sage Pro took the payment back: the payment's proposal reads ``reversed`` and
    the cached invoices are open again (until the next refresh confirms it)."""
    reference = str(item.payload.get("PaymentReference") or "")
    payment = session.execute(
        select(OutboxItem).where(OutboxItem.key == reference)
    ).scalar_one_or_none()
    if payment is not None:
        apply_reversed_payment(session, applications_of(payment.payload))
        if payment.proposal_id is not None:
            proposal = session.get(Proposal, payment.proposal_id)
            if proposal is not None and proposal.status == "posted":
                proposal.status = ProposalStatus.REVERSED
                proposal.decided_at = proposal.decided_at or now
