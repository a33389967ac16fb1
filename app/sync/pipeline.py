"""normalise → map → match → proposals → auto-approve → outbox (DESIGN §2).

Works on transactions whose ``match_status`` is ``unmatched`` (new, or reset by a change
before posting) and on posted ones that PayTrace voided afterwards. Everything happens in
the caller's write transaction, so proposals and the outbox rows of auto-approvals commit
together or not at all. The caller hands over one chunk at a time (``after``/``limit``,
oldest first), so no write transaction grows with the size of a first sync: a chunk is
what a scheduled cycle would have matched had it run between those payments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.config import Profile
from app.domain.matching import (
    AutoApprovePolicy,
    MatchSettings,
    is_auto_approvable,
    match_payments,
    proposal_to_json_dict,
)
from app.domain.matching import (
    Proposal as MatchProposal,
)
from app.domain.matching.references import normalise_reference
from app.domain.money import from_cents, to_cents
from app.domain.records import Customer, Invoice, TransactionType
from app.store import audit
from app.store.models import (
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SageProCustomer,
    SageProInvoice,
)
from app.store.transactions import transaction_from_row
from app.sync import order_to_cash
from app.sync.approval import PaymentFieldMapper, ReviewError, approve_in_session, claimed_cents
from app.sync.refunds import find_original_sale

SALE_TYPES = (TransactionType.SALE.value, TransactionType.FORCE.value)


# Transactions matched per write transaction: each one is a proposal, its audit event and,
# auto-approved, its outbox rows (tens of ms on a loaded machine), so a chunk stays well
# under write_lock.LONGEST_WRITE_S (docs/storage.md).
PROPOSE_CHUNK = 50

TransactionKey = tuple[datetime, int]  # (created_local, transaction_id): the matching order


@dataclass
class PipelineCounts:
    proposals: int = 0
    auto_approved: int = 0
    review: int = 0
    last_key: TransactionKey | None = None  # set when the chunk was full: more may follow

    def add(self, other: PipelineCounts) -> None:
        self.proposals += other.proposals
        self.auto_approved += other.auto_approved
        self.review += other.review


def match_settings(profile: Profile) -> MatchSettings:
    return MatchSettings(
        amount_tolerance=profile.policy.amount_tolerance,
        date_window_days=profile.policy.date_window_days,
    )


def load_open_invoices(session: Session, exclude_claims_of: Sequence[int] = ()) -> list[Invoice]:
    """Open invoices from the cache, less what undecided or approved proposals already claim."""
    rows = session.execute(select(SageProInvoice).where(SageProInvoice.status == "Open")).scalars()
    invoices = list(rows)
    claims = claimed_cents(
        session,
        [i.invoice_id for i in invoices],
        exclude=-1,
        statuses=("approved", "proposed", "review"),
    )
    result = []
    for row in invoices:
        balance = row.balance_cents - claims.get(row.invoice_id, 0)
        result.append(
            Invoice(
                invoice_id=row.invoice_id,
                customer_id=row.customer_id,
                amount=from_cents(row.amount_cents),
                balance=from_cents(max(balance, 0)),
                invoice_date=row.invoice_date,
                amount_paid=from_cents(row.amount_paid_cents),
                due_date=row.due_date,
                order_number=row.order_number,
                po_number=row.po_number,
                status="Open" if balance > 0 else "Paid",
                payment_status=row.payment_status,
                currency=row.currency,
            )
        )
    return result


def load_customers(session: Session) -> list[Customer]:
    return [
        Customer(
            customer_id=c.customer_id,
            name=c.name,
            email=c.email,
            phone=c.phone,
            status=c.status,
            credit_hold=c.credit_hold,
            balance=from_cents(c.balance_cents),
            paytrace_customer_id=c.paytrace_customer_id,
            card_last4=c.card_last4,
            card_expiry=c.card_expiry,
        )
        for c in session.execute(select(SageProCustomer)).scalars()
    ]


def _store_proposal(
    session: Session,
    match: MatchProposal,
    now: datetime,
    kind: str = "payment",
    auto_approvable: bool = False,
    details: dict | None = None,
) -> Proposal:
    data = proposal_to_json_dict(match)
    row = Proposal(
        transaction_id=match.transaction_id,
        kind=kind,
        status="review" if match.needs_review else "proposed",
        rule=match.rule.value,
        confidence=match.confidence,
        reason=match.reason,
        score_parts=dict(match.score_parts),
        candidates=data["candidates"],
        customer_id=match.customer_id or "",
        on_account_cents=to_cents(match.on_account),
        auto_approvable=auto_approvable,
        details={
            "warnings": data["warnings"],
            "amount_fit": data["amount_fit"],
            "customer_evidence": data["customer_evidence"],
            **(details or {}),
        },
        created_at=now,
    )
    row.applications = [
        ProposalApplication(invoice_id=a.invoice_id, amount_cents=to_cents(a.amount))
        for a in match.applications
    ]
    session.add(row)
    session.flush()
    return row


def propose(
    session: Session,
    *,
    profile: Profile,
    mapper: PaymentFieldMapper,
    now: datetime,
    auto_approve: bool,
    user: str = "auto-approve",
    after: TransactionKey | None = None,
    limit: int | None = None,
) -> PipelineCounts:
    """Propose for the unmatched transactions after ``after`` (at most ``limit`` of them, in
    matching order); ``last_key`` of the result says where the next chunk starts."""
    counts = PipelineCounts()
    txn = PayTraceTransaction
    query = select(txn).where(txn.match_status == "unmatched")
    if after is not None:
        query = query.where(tuple_(txn.created_local, txn.transaction_id) > tuple_(*after))
    query = query.order_by(txn.created_local, txn.transaction_id).limit(limit)
    pending = list(session.execute(query).scalars())
    if limit is not None and len(pending) == limit:
        counts.last_key = (pending[-1].created_local, pending[-1].transaction_id)
    sales = [row for row in pending if row.transaction_type in SALE_TYPES]
    for row in pending:
        if row.transaction_type == TransactionType.AUTHORIZATION.value:
            row.match_status = "pending"  # nothing until captured (the row then changes)
        elif row.transaction_type == TransactionType.VOID.value:
            row.match_status = "ignored"  # voided before posting: nothing to post
        elif row.transaction_type == TransactionType.OTHER.value:
            row.match_status = "ignored"

    def decide(proposal: Proposal, match_ok: bool) -> None:
        counts.proposals += 1
        audit.record(
            session,
            "propose",
            "proposal",
            proposal.id,
            actor="matcher",
            after={
                "transaction_id": proposal.transaction_id,
                "kind": proposal.kind,
                "status": proposal.status,
                "rule": proposal.rule,
                "confidence": proposal.confidence,
                "reason": proposal.reason,
                "applications": [[a.invoice_id, a.amount_cents] for a in proposal.applications],
            },
        )
        tx = session.get(PayTraceTransaction, proposal.transaction_id)
        assert tx is not None
        tx.match_status = proposal.status
        if proposal.status == "review":
            counts.review += 1
        if auto_approve and match_ok and proposal.status == "proposed":
            try:
                approve_in_session(
                    session, proposal, user=user, profile=profile, mapper=mapper, now=now, auto=True
                )
            except ReviewError as exc:
                proposal.reason = f"{proposal.reason} — not auto-approved: {exc}"
                return
            counts.auto_approved += 1

    # Issue 11 (order-to-cash): sales naming a Sage Pro order but no invoice go there.
    sales = order_to_cash.take_order_payments(session, sales, now, decide)
    if sales:
        invoices = load_open_invoices(session)
        customers = load_customers(session)
        matches = match_payments(
            [transaction_from_row(r) for r in sales], invoices, customers, match_settings(profile)
        )
        # Whether the policy *would* accept it is stored either way: the grid's "approve all
        # at or above" and the dashboard use it even while auto-approval is off.
        policy = AutoApprovePolicy(
            enabled=True, min_confidence=profile.policy.auto_approve_threshold
        )
        for match in matches:
            ok = is_auto_approvable(match, policy)
            decide(_store_proposal(session, match, now, auto_approvable=ok), ok)

    for row in pending:
        if row.transaction_type == TransactionType.REFUND.value:
            _propose_refund(session, row, now, decide)
        elif row.transaction_type == TransactionType.DECLINED.value:
            _propose_decline(session, row, now, decide)
    _propose_reversals(session, now, counts)
    return counts


def _simple_proposal(
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


def _propose_refund(session: Session, row: PayTraceTransaction, now: datetime, decide) -> None:  # type: ignore[no-untyped-def]
    found = find_original_sale(session, row)
    if found.waiting:
        return  # the sale is not decided yet; try again next cycle
    if found.original is None or not found.invoice_id:
        proposal = _simple_proposal(
            session,
            row,
            kind="refund",
            status="review",
            rule="refund_unlinked",
            confidence=0,
            reason=found.reason,
            now=now,
        )
        decide(proposal, False)
        return
    proposal = _simple_proposal(
        session,
        row,
        kind="refund",
        status="proposed",
        rule="refund_of_sale",
        confidence=100,
        reason=found.reason,
        customer_id=found.customer_id,
        applications=[(found.invoice_id, row.amount_cents)],
        details={"original_transaction_id": found.original.transaction_id},
        auto_approvable=True,
        now=now,
    )
    decide(proposal, True)


def _propose_decline(session: Session, row: PayTraceTransaction, now: datetime, decide) -> None:  # type: ignore[no-untyped-def]
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
        row.match_status = "declined"  # listed for follow-up on the Transactions page
        return
    proposal = _simple_proposal(
        session,
        row,
        kind="decline",
        status="proposed",
        rule="decline_hard_key",
        confidence=100,
        reason=f"Card declined for invoice {invoice.invoice_id}; mark its payment status Failed",
        customer_id=invoice.customer_id,
        details={"invoice_id": invoice.invoice_id},
        auto_approvable=True,
        now=now,
    )
    decide(proposal, invoice.payment_status == "Unpaid")


def _propose_reversals(session: Session, now: datetime, counts: PipelineCounts) -> None:
    voided = session.execute(
        select(PayTraceTransaction).where(
            PayTraceTransaction.match_status == "changed_after_posting",
            PayTraceTransaction.transaction_type == TransactionType.VOID.value,
        )
    ).scalars()
    for row in voided:
        has_one = session.execute(
            select(Proposal.id).where(
                Proposal.transaction_id == row.transaction_id, Proposal.kind == "reversal"
            )
        ).first()
        if has_one:
            continue
        posted = (
            session.execute(
                select(Proposal).where(
                    Proposal.transaction_id == row.transaction_id,
                    Proposal.kind == "payment",
                    Proposal.status == "posted",
                )
            )
            .scalars()
            .first()
        )
        invoices = [a.invoice_id for a in posted.applications] if posted else []
        _simple_proposal(
            session,
            row,
            kind="reversal",
            status="review",
            rule="void_after_posting",
            confidence=0,
            customer_id=posted.customer_id if posted else "",
            reason="PayTrace voided this payment after it was posted; approve to reverse it "
            "with a journal entry dated today and reopen the invoice in Sage Pro.",
            details={
                "entry_date": now.date().isoformat(),
                "amount_cents": row.amount_cents,
                "invoice_ids": invoices,
            },
            now=now,
        )
        counts.proposals += 1
        counts.review += 1
