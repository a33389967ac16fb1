"""normalise → map → match → proposals → auto-approve → outbox (DESIGN §2).

Works on transactions whose ``match_status`` is ``unmatched`` (new, or reset by a change
before posting) and on posted ones that PayTrace voided afterwards. Everything happens in
the caller's write transaction, so proposals and the outbox rows of auto-approvals commit
together or not at all. The caller hands over one chunk at a time (``after``/``limit``,
oldest first), so no write transaction grows with the size of a first sync: a chunk is
what a scheduled cycle would have matched had it run between those payments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.config import Profile
from app.domain.matching import (
    MatchSettings,
    match_payments,
    proposal_to_json_dict,
)
from app.domain.matching import (
    Proposal as MatchProposal,
)
from app.domain.matching.calibrated_confidence import proposal_confidence
from app.domain.matching.references import normalise_reference
from app.domain.matching.tiers import AutoApproveTier
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
from app.sync import order_to_cash, rematch, reversals
from app.sync.approval import PaymentFieldMapper, ReviewError, approve_in_session, claimed_cents
from app.sync.calibration_data import (
    RAW_SCORE_DETAIL,
    profile_refusal,
    profile_tier,
    shipped_calibration,
)
from app.sync.old_sales import OldSaleLookup
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
    rematched: int = 0  # undecided proposals replaced because Sage Pro's picture changed
    last_key: TransactionKey | None = None  # set when the chunk was full: more may follow

    def add(self, other: PipelineCounts) -> None:
        self.proposals += other.proposals
        self.auto_approved += other.auto_approved
        self.review += other.review
        self.rematched += other.rematched


def match_settings(profile: Profile) -> MatchSettings:
    return MatchSettings(
        amount_tolerance=profile.policy.amount_tolerance,
        date_window_days=profile.policy.date_window_days,
        base_currency=profile.base_currency,
    )


def load_open_invoices(
    session: Session, released: Mapping[str, int] | None = None
) -> list[Invoice]:
    """Open invoices from the cache, less what undecided or approved proposals already claim
    (except ``released``: the claims of proposals being matched again)."""
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
        claimed = claims.get(row.invoice_id, 0) - (released or {}).get(row.invoice_id, 0)
        balance = row.balance_cents - max(claimed, 0)
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


def proposal_facts(proposal: Proposal) -> dict[str, Any]:
    """What the audit trail records of a new proposal."""
    return {
        "transaction_id": proposal.transaction_id,
        "kind": proposal.kind,
        "status": proposal.status,
        "rule": proposal.rule,
        "confidence": proposal.confidence,
        "reason": proposal.reason,
        "applications": [[a.invoice_id, a.amount_cents] for a in proposal.applications],
    }


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
        # Shown as Confidence: the precision measured for proposals like it (issue 19).
        # The engine's raw score, which its score parts add up to, is kept in details.
        confidence=proposal_confidence(match, shipped_calibration()),
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
            RAW_SCORE_DETAIL: match.confidence,
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
    reevaluate: bool = False,
    old_sales: OldSaleLookup | None = None,
    after: TransactionKey | None = None,
    limit: int | None = None,
) -> PipelineCounts:
    """Match what is new: the unmatched transactions after ``after`` (at most ``limit`` of
    them, in matching order; ``last_key`` of the result says where the next chunk starts).
    With ``reevaluate`` also every undecided payment or order-to-cash proposal (one set-wise
    run, see ``rematch``) and declines set aside for want of an invoice. ``old_sales``:
    refunds' sales found outside the store."""
    counts = PipelineCounts()
    # The "Off" tier turns auto-approval off for every kind of proposal, even when asked.
    auto_approve = auto_approve and profile_tier(profile) is not AutoApproveTier.OFF
    txn = PayTraceTransaction
    query = select(txn).where(txn.match_status == "unmatched")
    if after is not None:
        query = query.where(tuple_(txn.created_local, txn.transaction_id) > tuple_(*after))
    query = query.order_by(txn.created_local, txn.transaction_id).limit(limit)
    pending = list(session.execute(query).scalars())
    if limit is not None and len(pending) == limit:
        counts.last_key = (pending[-1].created_local, pending[-1].transaction_id)
    sales = [row for row in pending if row.transaction_type in SALE_TYPES]
    pending_ids = {row.transaction_id for row in pending}
    for row in pending:
        if row.transaction_type == TransactionType.AUTHORIZATION.value:
            row.match_status = "pending"  # nothing until captured (the row then changes)
        elif row.transaction_type == TransactionType.VOID.value:
            row.match_status = "ignored"  # voided before posting: nothing to post
        elif row.transaction_type == TransactionType.OTHER.value:
            row.match_status = "ignored"

    def decide(proposal: Proposal, match_ok: bool, *, recorded: bool = False) -> None:
        counts.proposals += 1
        if not recorded:  # a re-match's own audit event already says all this
            audit.record(
                session,
                "propose",
                "proposal",
                proposal.id,
                actor="matcher",
                after=proposal_facts(proposal),
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

    # Re-evaluation (``rematch``): undecided order-to-cash proposals go through the order
    # check again, undecided payment proposals through the matcher, with the new sales.
    kinds = ("payment", *rematch.ORDER_KINDS)
    undecided = rematch.undecided_proposals(session, kinds) if reevaluate else []
    by_transaction = {p.transaction_id: p for p in undecided}
    again = rematch.undecided_transactions(session, kinds) if reevaluate else []
    again = [r for r in again if r.transaction_id not in pending_ids]
    by_order = {p.transaction_id for p in undecided if p.kind in rematch.ORDER_KINDS}

    def decide_order(proposal: Proposal, match_ok: bool) -> None:
        old = by_transaction.get(proposal.transaction_id)
        if old is None:
            decide(proposal, match_ok)
        elif rematch.same_order_proposal(old, proposal):
            session.delete(proposal)  # the same again: the standing proposal stays
            session.flush()
        else:
            rematch.supersede(session, old, proposal, now, proposal_facts(proposal))
            counts.rematched += 1
            decide(proposal, match_ok, recorded=True)

    # Issue 11 (order-to-cash): sales naming a Sage Pro order but no invoice go there.
    sales = order_to_cash.take_order_payments(
        session, sales + [r for r in again if r.transaction_id in by_order], now, decide_order
    )
    to_match = sales + [r for r in again if r.transaction_id not in by_order]
    if to_match:
        invoices = load_open_invoices(session, released=rematch.own_claims(undecided))
        customers = load_customers(session)
        matches = match_payments(
            [transaction_from_row(r) for r in to_match],
            invoices,
            customers,
            match_settings(profile),
        )
        # Whether the policy *would* accept it is stored either way: the grid's "approve all
        # at or above" and the dashboard use it even while auto-approval is off.
        # The profile's tier decides (issue 19): Recommended unless set otherwise.
        for match in matches:
            ok = profile_refusal(match, profile) is None
            old = by_transaction.get(match.transaction_id)
            if old is not None and not rematch.changed(old, match):
                continue  # same answer as before: the proposal stays as it is
            new = _store_proposal(session, match, now, auto_approvable=ok)
            if old is not None:
                rematch.supersede(session, old, new, now, proposal_facts(new))
                counts.rematched += 1
            decide(new, ok, recorded=old is not None)
    if reevaluate:
        for row in rematch.declines_without_invoice(session):
            _propose_decline(session, row, now, decide)  # its invoice may be known now
        rematch.clear_due(session)

    for row in pending:
        if row.transaction_type == TransactionType.REFUND.value:
            _propose_refund(session, row, now, decide, old_sales or OldSaleLookup())
        elif row.transaction_type == TransactionType.DECLINED.value:
            _propose_decline(session, row, now, decide)
    _propose_reversals(session, now, decide)
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


def _propose_refund(  # type: ignore[no-untyped-def]
    session: Session, row: PayTraceTransaction, now: datetime, decide, old_sales: OldSaleLookup
) -> None:
    found = find_original_sale(session, row)
    if found.waiting:
        return  # the sale is not decided yet; try again next cycle
    if found.searchable:
        if row.transaction_id in old_sales.deferred:
            return  # its sale could not be looked up (an outage); try again next cycle
        found = old_sales.found.get(row.transaction_id, found)
    if not found.sale_id or not found.invoice_id:
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
        details={"original_transaction_id": found.sale_id},
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


def _propose_reversals(session: Session, now: datetime, decide) -> None:  # type: ignore[no-untyped-def]
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
        proposal = _simple_proposal(
            session,
            row,
            kind="reversal",
            status="review" if declined else "proposed",
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
