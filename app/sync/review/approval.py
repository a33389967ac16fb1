"""Approving a proposal: turn it into outbox rows in the same DB transaction that marks it
approved (docs/architecture.md §2), after checking it still fits what Sage Pro holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Profile
from app.domain.exchange import is_foreign
from app.domain.money import format_money, from_cents
from app.domain.states import MatchStatus, OutboxStatus, ProposalStatus
from app.store import audit
from app.store.models import (
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    RawRecord,
    SageProInvoice,
)
from app.store.presence import os_user_name
from app.sync.outbound import reversals
from app.sync.outbox import effects
from app.sync.outbox.effects import OutboxSpec
from app.sync.review.foreign_currency import ForeignCurrencyError, in_invoice_currency
from app.sync.review.invoice_claims import claimed_cents


class ReviewError(Exception):
    """A review action that cannot be done; the message says why in plain words."""


class RecordMapper(Protocol):
    """Builds the Sage Pro fields of each record from the transaction (the active mapping
    version, ``mapping_bridge.MappedRecords``); ``version_id`` is recorded on each posting."""

    @property
    def version_id(self) -> int | None: ...

    def payment_fields(
        self, tx: PayTraceTransaction, raw: dict[str, Any], customer_id: str
    ) -> dict[str, Any]: ...

    def record_fields(
        self,
        record: str,
        tx: PayTraceTransaction,
        raw: Mapping[str, Any],
        facts: Mapping[str, object] | None = None,
        *,
        customer_id: str = "",
    ) -> dict[str, str]: ...

    def settlement_fields(self, batch_number: int) -> dict[str, str]: ...

    def row_fields(
        self, record: str, row: Mapping[str, Any], links: Mapping[str, str]
    ) -> dict[str, str]: ...


# What an invoice's PaymentStatus may be set to (contract: PUT /api/invoices).
INVOICE_PAYMENT_STATUSES = ("Unpaid", "Partial", "Paid", "Failed", "Refunded")


def raw_row(session: Session, tx: PayTraceTransaction) -> dict[str, Any]:
    """The PayTrace record of ``tx`` as last stored (what the mapping reads); {} if gone."""
    found = session.execute(
        select(RawRecord.payload).where(
            RawRecord.source == "paytrace.transaction",
            RawRecord.source_id == str(tx.transaction_id),
            RawRecord.content_hash == tx.content_hash,
        )
    ).scalar_one_or_none()
    return dict(found or {})


def _check_payment_fits(session: Session, proposal: Proposal, base_currency: str) -> None:
    ids = [a.invoice_id for a in proposal.applications]
    claimed = claimed_cents(session, ids, exclude=proposal.id)
    for application in proposal.applications:
        invoice = session.get(SageProInvoice, application.invoice_id)
        if invoice is None:
            raise ReviewError(f"Invoice {application.invoice_id} is not in Sage Pro's open list.")
        if invoice.status != "Open":
            raise ReviewError(
                f"Invoice {invoice.invoice_id} is {invoice.status.lower()} in Sage Pro."
            )
        if is_foreign(invoice.currency, base_currency):
            continue  # its balance is in its own currency: checked after conversion
        room = invoice.balance_cents - claimed.get(invoice.invoice_id, 0)
        if application.amount_cents > room:
            raise ReviewError(
                f"Invoice {invoice.invoice_id} has {format_money(from_cents(max(room, 0)))} "
                f"left to pay, less than the {format_money(from_cents(application.amount_cents))} "
                "this would apply (another approved payment already claims part of it)."
            )


def specs_for(
    session: Session, proposal: Proposal, profile: Profile, mapper: RecordMapper
) -> list[OutboxSpec]:
    tx = session.get(PayTraceTransaction, proposal.transaction_id)
    if tx is None:
        raise ReviewError(f"Transaction {proposal.transaction_id} is not in the local store.")
    sequence = effects.sequence_of(tx.created_utc, tx.transaction_id)
    apps = [(a.invoice_id, from_cents(a.amount_cents)) for a in proposal.applications]
    if proposal.kind == "payment":
        if not proposal.customer_id:
            raise ReviewError("Choose the Sage Pro customer first: this payment names none.")
        _check_payment_fits(session, proposal, profile.base_currency)
        fields = mapper.payment_fields(tx, raw_row(session, tx), proposal.customer_id)
        # After an Unreconcile the old key belongs to the reversed payment: the new match
        # posts under the next deterministic key, after the reversal that reopens its
        # invoices (same ordering key → a later sequence posts later).
        generation = reversals.next_payment_generation(session, tx.transaction_id)
        if generation > 1:
            sequence = max(sequence, _last_reversal_sequence(session, tx.transaction_id) + 1)
        spec = effects.payment_spec(
            transaction_id=tx.transaction_id,
            payment_date=datetime.fromisoformat(fields["PaymentDate"]).date(),
            amount=from_cents(tx.amount_cents),  # locked: never from the mapping
            customer_id=proposal.customer_id,
            method_code=fields["PaymentMethodCode"],
            gl_account_id=fields["GLAccountID"],
            applications=apps,
            memo=fields.get("Memo", ""),
            sequence=sequence,
            generation=generation,
            payment_status=fields.get("PaymentStatus", ""),
        )
        try:
            return [in_invoice_currency(session, proposal, spec, profile.base_currency)]
        except ForeignCurrencyError as exc:
            raise ReviewError(str(exc)) from None
    if proposal.kind == "refund":
        if not apps:
            raise ReviewError("This refund names no invoice to credit.")
        return _refund_specs(session, proposal, tx, profile, mapper, apps[0][0], sequence)
    if proposal.kind == "decline":
        invoice_id = proposal.details.get("invoice_id")
        if not invoice_id:
            raise ReviewError("This decline names no invoice; there is nothing to mark Failed.")
        invoice = session.get(SageProInvoice, invoice_id)
        if invoice is not None and invoice.payment_status not in ("Unpaid", "Failed"):
            # Failed would misstate money that did arrive; the decline changes nothing.
            raise ReviewError(
                f"Invoice {invoice_id} is {invoice.payment_status.lower()} in Sage Pro since; "
                "marking it Failed would misstate it. Reject this decline instead."
            )
        return [
            effects.decline_spec(
                transaction_id=tx.transaction_id,
                invoice_id=invoice_id,
                sequence=sequence,
                payment_status=_declined_status(session, tx, mapper),
            )
        ]
    if proposal.kind == "reversal":
        return [_reversal_spec(session, proposal, tx, mapper)]
    if proposal.kind in ("order_payment", "new_customer"):  # order-to-cash
        from app.sync.outbound import (
            order_to_cash,  # not at the top: order_to_cash imports this module
        )

        return order_to_cash.specs_for(session, proposal, profile, mapper)
    raise ReviewError(f"Proposals of kind {proposal.kind!r} cannot be approved here.")


def _refund_specs(
    session: Session,
    proposal: Proposal,
    tx: PayTraceTransaction,
    profile: Profile,
    mapper: RecordMapper,
    invoice_id: str,
    sequence: int,
) -> list[OutboxSpec]:
    """The credit memo and journal entry of a refund, worded by the mapping."""
    original_id = int(proposal.details.get("original_transaction_id", 0))
    raw = raw_row(session, tx)
    facts = {"invoice_id": invoice_id, "original_transaction_id": original_id}
    customer = proposal.customer_id
    return effects.refund_specs(
        transaction_id=tx.transaction_id,
        original_id=original_id,
        refund_date=tx.merchant_date,
        amount=from_cents(tx.amount_cents),
        customer_id=proposal.customer_id,
        invoice_id=invoice_id,
        gl=profile.gl,
        sequence=sequence,
        memo_fields=mapper.record_fields("CreditMemo", tx, raw, facts, customer_id=customer),
        journal_fields=mapper.record_fields("JournalEntry", tx, raw, facts, customer_id=customer),
    )


def _declined_status(session: Session, tx: PayTraceTransaction, mapper: RecordMapper) -> str:
    """The status map's word for this declined attempt (Failed unless the mapping says
    otherwise); only a status an invoice can hold is accepted."""
    fields = mapper.record_fields("Payment", tx, raw_row(session, tx))
    status = fields.get("PaymentStatus", "Failed")
    if status not in INVOICE_PAYMENT_STATUSES:
        raise ReviewError(
            f"The mapping's status map turns this decline into {status!r}, which an invoice "
            f"cannot hold (allowed: {', '.join(INVOICE_PAYMENT_STATUSES)}); fix the status map."
        )
    return status


def _reversal_spec(
    session: Session, proposal: Proposal, tx: PayTraceTransaction, mapper: RecordMapper
) -> OutboxSpec:
    payment = reversals.posted_payment(session, tx.transaction_id)
    if payment is None:
        raise ReviewError(
            f"Transaction {tx.transaction_id} has no posted payment left to reverse "
            "(it was reversed already, or never posted)."
        )
    return reversals.spec_for(
        tx.transaction_id,
        payment,
        # "entry_date": reversal proposals written before contract v1.1
        reversal_date=date.fromisoformat(
            proposal.details.get("reversal_date") or proposal.details["entry_date"]
        ),
        reason=mapped_reversal_reason(
            session, tx, mapper, str(proposal.details.get("reason") or proposal.reason)
        ),
        sequence=effects.sequence_of(proposal.created_at, tx.transaction_id, 5),
    )


def mapped_reversal_reason(
    session: Session, tx: PayTraceTransaction, mapper: RecordMapper, reason: str
) -> str:
    """The reversal's Reason as the mapping words it (``posting.reason`` is Paysage's)."""
    fields = mapper.record_fields("PaymentReversal", tx, raw_row(session, tx), {"reason": reason})
    return fields.get("Reason", reason)


def _last_reversal_sequence(session: Session, transaction_id: int) -> int:
    found = session.execute(
        select(func.max(OutboxItem.sequence)).where(
            OutboxItem.transaction_id == transaction_id,
            OutboxItem.kind == reversals.REVERSAL_KIND,
            OutboxItem.status != "discarded",
        )
    ).scalar_one_or_none()
    return int(found or 0)


def write_outbox(
    session: Session,
    specs: Sequence[OutboxSpec],
    *,
    now: datetime,
    proposal_id: int | None = None,
    mapping_version_id: int | None = None,
) -> list[OutboxItem]:
    """Insert each spec once: a key already in the outbox is never queued twice.

    A row an "Undo approval" discarded was never sent, so approving again takes it up
    afresh (new payload, pending) instead of leaving the proposal with nothing to post."""
    written = []
    for spec in specs:
        existing = session.execute(
            select(OutboxItem).where(OutboxItem.key == spec.key)
        ).scalar_one_or_none()
        if existing is not None:
            if _undone(session, existing, proposal_id):
                _revive(existing, spec, now, proposal_id, mapping_version_id)
                written.append(existing)
            continue
        item = OutboxItem(
            key=spec.key,
            kind=spec.kind,
            payload=spec.payload,
            status=OutboxStatus.PENDING,
            sequence=spec.sequence,
            ordering_key=spec.ordering_key,
            attempts=0,
            next_attempt_at=now,
            transaction_id=spec.transaction_id,
            proposal_id=proposal_id,
            batch_number=spec.batch_number,
            mapping_version_id=mapping_version_id,
            created_at=now,
        )
        session.add(item)
        written.append(item)
    session.flush()
    return written


def _undone(session: Session, item: OutboxItem, proposal_id: int | None) -> bool:
    """A discarded row whose approval was taken back (this proposal's own, or one a re-match
    replaced): approving again may take it up. Rows discarded otherwise (a settlement entry,
    a dead letter someone discarded with a reason) are never revived by a later write."""
    if item.status != "discarded" or proposal_id is None or item.proposal_id is None:
        return False
    if item.proposal_id == proposal_id:
        return True
    owner = session.get(Proposal, item.proposal_id)
    return owner is not None and owner.status not in ("approved", "posted")


def _revive(
    item: OutboxItem,
    spec: OutboxSpec,
    now: datetime,
    proposal_id: int | None,
    mapping_version_id: int | None,
) -> None:
    item.kind = spec.kind
    item.payload = spec.payload
    item.status = OutboxStatus.PENDING
    item.sequence = spec.sequence
    item.ordering_key = spec.ordering_key
    item.attempts = 0
    item.next_attempt_at = now
    item.last_error = None
    item.transaction_id = spec.transaction_id
    item.proposal_id = proposal_id
    item.batch_number = spec.batch_number
    item.mapping_version_id = mapping_version_id
    item.claimed_by = None
    item.claimed_at = None


def approve_in_session(
    session: Session,
    proposal: Proposal,
    *,
    user: str | None = None,
    profile: Profile,
    mapper: RecordMapper,
    now: datetime,
    auto: bool = False,
) -> list[OutboxItem]:
    """Approve ``proposal`` as ``user`` (default: the OS user). The proposal row is locked and
    read again first, so of two people approving it at once the second is told who won."""
    user = user or os_user_name()
    session.flush()
    session.refresh(proposal, with_for_update=True)
    if proposal.status in ("approved", "posted"):
        raise ReviewError(
            f"This proposal was already approved by {proposal.decided_by or 'someone else'}."
        )
    if proposal.status not in ("proposed", "review"):
        raise ReviewError(f"This proposal is already {proposal.status}.")
    specs = specs_for(session, proposal, profile, mapper)
    version = mapper.version_id  # every kind is built from the active mapping version
    items = write_outbox(
        session, specs, now=now, proposal_id=proposal.id, mapping_version_id=version
    )
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_at = now
    proposal.decided_by = user
    proposal.mapping_version_id = version
    tx = session.get(PayTraceTransaction, proposal.transaction_id)
    if tx is not None:
        tx.match_status = MatchStatus.APPROVED
        tx.mapping_version_id = version
    audit.record(
        session,
        "auto_approve" if auto else "approve",
        "proposal",
        proposal.id,
        actor=user,
        before={"status": "proposed"},
        after={"status": "approved", "outbox": [i.key for i in items]},
    )
    return items
