"""Proposals that follow from PayTrace's own state rather than from matching: a refund's
credit memo, a decline's Failed status, and the reversal of a payment PayTrace voided (or
listed as declined) after it was posted. ``pipeline.propose`` calls them with its
``decide`` callback, which records, counts and auto-approves each proposal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.matching.references import normalise_reference
from app.domain.records import TransactionType
from app.domain.states import MatchStatus, ProposalStatus
from app.store.models import PayTraceTransaction, Proposal, ProposalApplication, SageProInvoice
from app.sync.inbound.old_sales import OldSaleLookup
from app.sync.inbound.refunds import find_original_sale
from app.sync.outbound import reversals


class Decide(Protocol):
    """``pipeline.propose``'s callback: record the proposal, and auto-approve it when
    ``match_ok`` and auto-approval is on."""

    def __call__(self, proposal: Proposal, match_ok: bool) -> None: ...


def simple_proposal(
    session: Session,
    row: PayTraceTransaction,
    *,
    kind: str,
    status: str,
    rule: str,
    confidence: int,
    reason: str,
    customer_id: str = "",
    applications: Sequence[tuple[str, int]] = (),
    details: dict | None = None,
    auto_approvable: bool = False,
    now: datetime,
) -> Proposal:
    proposal = Proposal(
        transaction_id=row.transaction_id,
        kind=kind,
        status=status,
        rule=rule,
        confidence=confidence,
        reason=reason,
        score_parts={},
        candidates=[],
        customer_id=customer_id,
        on_account_cents=0,
        auto_approvable=auto_approvable,
        details=details or {},
        created_at=now,
    )
    proposal.applications = [
        ProposalApplication(invoice_id=i, amount_cents=c) for i, c in applications
    ]
    session.add(proposal)
    session.flush()
    return proposal


def propose_refund(
    session: Session,
    row: PayTraceTransaction,
    now: datetime,
    decide: Decide,
    old_sales: OldSaleLookup,
) -> None:
    found = find_original_sale(session, row)
    if found.waiting:
        return  # the sale is not decided yet; try again next cycle
    if found.searchable:
        if row.transaction_id in old_sales.deferred:
            return  # its sale could not be looked up (an outage); try again next cycle
        found = old_sales.found.get(row.transaction_id, found)
    if not found.sale_id or not found.invoice_id:
        proposal = simple_proposal(
            session,
            row,
            kind="refund",
            status=ProposalStatus.REVIEW,
            rule="refund_unlinked",
            confidence=0,
            reason=found.reason,
            now=now,
        )
        decide(proposal, False)
        return
    proposal = simple_proposal(
        session,
        row,
        kind="refund",
        status=ProposalStatus.PROPOSED,
        rule="refund_of_sale",
        confidence=100,
        reason=found.reason,
        customer_id=found.customer_id,
        applications=[(found.invoice_id, row.amount_cents)],
        details={"original_transaction_id": found.sale_id},
        auto_approvable=True,
        now=now,
    )
    decide(proposal, True)


def propose_decline(
    session: Session, row: PayTraceTransaction, now: datetime, decide: Decide
) -> None:
    keys = {normalise_reference(t) for t in (row.invoice_ref, row.customer_reference_id) if t}
    keys.discard("")
    invoice = None
    if keys:
        invoice = (
            session.execute(
                select(SageProInvoice).where(
                    SageProInvoice.invoice_id.in_(keys), SageProInvoice.status == "Open"
                )
            )
            .scalars()
            .first()
        )
    if invoice is None:
        row.match_status = MatchStatus.DECLINED  # listed for follow-up on the Transactions page
        return
    proposal = simple_proposal(
        session,
        row,
        kind="decline",
        status=ProposalStatus.PROPOSED,
        rule="decline_hard_key",
        confidence=100,
        reason=f"Card declined for invoice {invoice.invoice_id}; mark its payment status Failed",
        customer_id=invoice.customer_id,
        details={"invoice_id": invoice.invoice_id},
        auto_approvable=True,
        now=now,
    )
    # Failed posts in the invoice's time order: after an earlier payment it would misstate
    # a paid invoice, so then a person decides.
    decide(
        proposal,
        invoice.payment_status == "Unpaid" and not _paid_before(session, invoice.invoice_id, row),
    )


def _paid_before(session: Session, invoice_id: str, decline: PayTraceTransaction) -> bool:
    """Whether a payment of ``invoice_id`` made before ``decline`` is proposed or booked."""
    return (
        session.execute(
            select(Proposal.id)
            .join(ProposalApplication)
            .join(
                PayTraceTransaction,
                PayTraceTransaction.transaction_id == Proposal.transaction_id,
            )
            .where(
                ProposalApplication.invoice_id == invoice_id,
                Proposal.kind == "payment",
                Proposal.status.in_(("proposed", "review", "approved", "posted")),
                PayTraceTransaction.created_utc <= decline.created_utc,
            )
            .limit(1)
        ).first()
        is not None
    )


def propose_reversals(session: Session, now: datetime, decide: Decide) -> None:
    """A sale PayTrace voided after its payment posted: PayTrace's own state says the money
    never came, so the reversal is certain — auto-approved like any sure match when
    auto-approve is on, otherwise it waits in the grid with the reason.

    A sale PayTrace lists as declined only after its payment posted gets the same reversal,
    but always waits for a person: the two exports contradict each other, so someone should
    look in PayTrace before the books change (its "declined but posted" item says so)."""
    reversible = session.execute(
        select(PayTraceTransaction).where(
            PayTraceTransaction.match_status == "changed_after_posting",
            PayTraceTransaction.transaction_type.in_(
                (TransactionType.VOID.value, TransactionType.DECLINED.value)
            ),
        )
    ).scalars()
    for row in reversible:
        declined = row.transaction_type == TransactionType.DECLINED.value
        has_one = session.execute(
            select(Proposal.id).where(
                Proposal.transaction_id == row.transaction_id,
                Proposal.kind == "reversal",
                Proposal.status.not_in(("superseded", "rejected")),
            )
        ).first()
        if has_one:
            continue
        payment = reversals.posted_payment(session, row.transaction_id)
        if payment is None:
            continue  # nothing of it is in Sage Pro (or it is reversed already)
        owner = (
            session.execute(
                select(Proposal.customer_id).where(
                    Proposal.transaction_id == row.transaction_id,
                    Proposal.kind == "payment",
                    Proposal.status == "posted",
                )
            )
            .scalars()
            .first()
        )
        invoices = ", ".join(payment.invoice_ids) or "on account"
        happened = "lists as declined" if declined else "voided"
        reason = (
            f"PayTrace {happened} transaction {row.transaction_id} after its payment "
            f"{payment.key} was posted; the reversal puts the money back on {invoices}."
        )
        if declined:
            reason += " Check the transaction in PayTrace before you approve it."
        proposal = simple_proposal(
            session,
            row,
            kind="reversal",
            status=ProposalStatus.REVIEW if declined else ProposalStatus.PROPOSED,
            rule="decline_after_posting" if declined else "void_after_posting",
            confidence=100,
            customer_id=owner or "",
            applications=list(payment.applications),
            reason=reason,
            details={
                "reversal_date": now.date().isoformat(),
                "payment_reference": payment.key,
                "reason": f"PayTrace {'decline' if declined else 'void'} of transaction "
                f"{row.transaction_id} after posting",
            },
            auto_approvable=not declined,
            now=now,
        )
        decide(proposal, not declined)
