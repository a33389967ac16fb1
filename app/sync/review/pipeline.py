"""normalise → map → match → proposals → auto-approve → outbox (docs/architecture.md §2).

Works on transactions whose ``match_status`` is ``unmatched`` (new, or reset by a change
before posting) and on posted ones that PayTrace voided afterwards. Everything happens in
the caller's write transaction, so proposals and the outbox rows of auto-approvals commit
together or not at all. The caller hands over one chunk at a time (``after``/``limit``,
oldest first), so no write transaction grows with the size of a first sync: a chunk is
what a scheduled cycle would have matched had it run between those payments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
from app.domain.matching.tiers import AutoApproveTier
from app.domain.money import to_cents
from app.domain.records import TransactionType
from app.domain.states import MatchStatus, ProposalStatus
from app.store import audit
from app.store.models import (
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
)
from app.store.transactions import transaction_from_row
from app.sync.inbound.old_sales import OldSaleLookup
from app.sync.outbound import order_to_cash
from app.sync.review import rematch, state_proposals
from app.sync.review.approval import RecordMapper, ReviewError, approve_in_session
from app.sync.review.calibration_data import (
    RAW_SCORE_DETAIL,
    profile_refusal,
    profile_tier,
    shipped_calibration,
)
from app.sync.review.matching_reads import MatchingReads

SALE_TYPES = (TransactionType.SALE.value, TransactionType.FORCE.value)


# Transactions matched per write transaction: each one is a proposal, its audit event and,
# auto-approved, its outbox rows (tens of ms on a loaded machine), so a chunk stays well
# under write_lock.LONGEST_WRITE_S (docs/storage.md).
PROPOSE_CHUNK = 50

TransactionKey = rematch.TransactionKey


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
        status=ProposalStatus.REVIEW if match.needs_review else ProposalStatus.PROPOSED,
        rule=match.rule.value,
        # Shown as Confidence: the precision measured for proposals like it.
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


@dataclass
class _Run:
    """One call of ``propose``: what it decides with, what it counted, and the undecided
    proposals being matched again (by transaction)."""

    session: Session
    profile: Profile
    mapper: RecordMapper
    now: datetime
    auto_approve: bool
    user: str
    counts: PipelineCounts = field(default_factory=PipelineCounts)
    by_transaction: dict[int, Proposal] = field(default_factory=dict)

    def decide(self, proposal: Proposal, match_ok: bool, *, recorded: bool = False) -> None:
        """Record and count a new proposal, move its transaction, and auto-approve it when
        allowed (a refusal is added to its reason)."""
        self.counts.proposals += 1
        if not recorded:  # a re-match's own audit event already says all this
            audit.record(
                self.session,
                "propose",
                "proposal",
                proposal.id,
                actor="matcher",
                after=proposal_facts(proposal),
            )
        tx = self.session.get(PayTraceTransaction, proposal.transaction_id)
        assert tx is not None
        tx.match_status = proposal.status
        if proposal.status == "review":
            self.counts.review += 1
        if self.auto_approve and match_ok and proposal.status == "proposed":
            try:
                approve_in_session(
                    self.session,
                    proposal,
                    user=self.user,
                    profile=self.profile,
                    mapper=self.mapper,
                    now=self.now,
                    auto=True,
                )
            except ReviewError as exc:
                proposal.reason = f"{proposal.reason} — not auto-approved: {exc}"
                return
            self.counts.auto_approved += 1

    def decide_order(self, proposal: Proposal, match_ok: bool) -> None:
        """An order-to-cash proposal: new, the same as the standing one (dropped), or its
        replacement."""
        old = self.by_transaction.get(proposal.transaction_id)
        if old is None:
            self.decide(proposal, match_ok)
        elif rematch.same_order_proposal(old, proposal):
            self.session.delete(proposal)  # the same again: the standing proposal stays
            self.session.flush()
        else:
            rematch.supersede(self.session, old, proposal, self.now, proposal_facts(proposal))
            self.counts.rematched += 1
            self.decide(proposal, match_ok, recorded=True)

    def match(
        self,
        to_match: list[PayTraceTransaction],
        released: Mapping[str, int],
        reads: MatchingReads,
    ) -> None:
        """Run the matcher over ``to_match`` and store each answer that is new."""
        session = self.session
        matches = match_payments(
            [transaction_from_row(r) for r in to_match],
            reads.open_invoices(session, released),
            reads.customers(session),
            match_settings(self.profile),
        )
        # Whether the policy *would* accept it is stored either way: the grid's "approve all
        # at or above" and the dashboard use it even while auto-approval is off.
        # The profile's tier decides: Recommended unless set otherwise.
        for match in matches:
            ok = profile_refusal(match, self.profile) is None
            old = self.by_transaction.get(match.transaction_id)
            if old is not None and not rematch.changed(old, match):
                continue  # same answer as before: the proposal stays as it is
            new = _store_proposal(session, match, self.now, auto_approvable=ok)
            if old is not None:
                rematch.supersede(session, old, new, self.now, proposal_facts(new))
                self.counts.rematched += 1
            self.decide(new, ok, recorded=old is not None)


def _unmatched_chunk(
    session: Session, after: TransactionKey | None, limit: int | None, counts: PipelineCounts
) -> list[PayTraceTransaction]:
    """The unmatched transactions after ``after``, oldest first; ``counts.last_key`` set when
    the chunk is full (more may follow)."""
    txn = PayTraceTransaction
    query = select(txn).where(txn.match_status == "unmatched")
    if after is not None:
        query = query.where(tuple_(txn.created_local, txn.transaction_id) > tuple_(*after))
    query = query.order_by(txn.created_local, txn.transaction_id).limit(limit)
    pending = list(session.execute(query).scalars())
    if limit is not None and len(pending) == limit:
        counts.last_key = (pending[-1].created_local, pending[-1].transaction_id)
    return pending


def _set_aside_unpostable(pending: list[PayTraceTransaction]) -> None:
    for row in pending:
        if row.transaction_type == TransactionType.AUTHORIZATION.value:
            row.match_status = MatchStatus.PENDING  # nothing until captured (the row then changes)
        elif row.transaction_type == TransactionType.VOID.value:
            row.match_status = MatchStatus.IGNORED  # voided before posting: nothing to post
        elif row.transaction_type == TransactionType.OTHER.value:
            row.match_status = MatchStatus.IGNORED


def propose(
    session: Session,
    *,
    profile: Profile,
    mapper: RecordMapper,
    now: datetime,
    auto_approve: bool,
    user: str = "auto-approve",
    reevaluate: rematch.Chunk | None = None,
    old_sales: OldSaleLookup | None = None,
    after: TransactionKey | None = None,
    limit: int | None = None,
    reads: MatchingReads | None = None,
) -> PipelineCounts:
    """Match what is new: the unmatched transactions after ``after`` (at most ``limit`` of
    them, in matching order; ``last_key`` of the result says where the next chunk starts).
    With ``reevaluate`` instead one chunk of undecided payment or order-to-cash proposals
    (one set-wise run, see ``rematch``; ``last_key`` says where the next such chunk starts),
    and with the last chunk the declines set aside for want of an invoice. ``old_sales``:
    refunds' sales found outside the store. ``reads``: the Sage Pro cache as a pass of
    several chunks reads it once (by default read here)."""
    reads = reads or MatchingReads()
    # The "Off" tier turns auto-approval off for every kind of proposal, even when asked.
    auto_approve = auto_approve and profile_tier(profile) is not AutoApproveTier.OFF
    run = _Run(session, profile, mapper, now, auto_approve, user)
    pending = [] if reevaluate is not None else _unmatched_chunk(session, after, limit, run.counts)
    sales = [row for row in pending if row.transaction_type in SALE_TYPES]
    pending_ids = {row.transaction_id for row in pending}
    _set_aside_unpostable(pending)

    # Re-evaluation (``rematch``): undecided order-to-cash proposals go through the order
    # check again, undecided payment proposals through the matcher, with the new sales.
    kinds = ("payment", *rematch.ORDER_KINDS)
    undecided: list[Proposal] = []
    again: list[PayTraceTransaction] = []
    if reevaluate is not None:
        chunk = rematch.undecided_chunk(session, kinds, reevaluate)
        undecided, again, run.counts.last_key = chunk.proposals, chunk.transactions, chunk.last_key
    run.by_transaction = {p.transaction_id: p for p in undecided}
    again = [r for r in again if r.transaction_id not in pending_ids]
    by_order = {p.transaction_id for p in undecided if p.kind in rematch.ORDER_KINDS}

    # Order-to-cash: sales naming a Sage Pro order but no invoice go there.
    sales = order_to_cash.take_order_payments(
        session,
        sales + [r for r in again if r.transaction_id in by_order],
        now,
        run.decide_order,
        reads.invoice_keys,
        profile.base_currency,
    )
    to_match = sales + [r for r in again if r.transaction_id not in by_order]
    if to_match:
        released = (
            rematch.claims_not_yet_rematched(session, kinds, reevaluate.after)
            if reevaluate is not None
            else {}
        )
        run.match(to_match, released, reads)
    if reevaluate is not None and run.counts.last_key is None:  # the last chunk of undecided
        for row in rematch.declines_without_invoice(session):
            state_proposals.propose_decline(
                session, row, now, run.decide
            )  # its invoice may be known now
        rematch.clear_due(session)

    for row in pending:
        if row.transaction_type == TransactionType.REFUND.value:
            state_proposals.propose_refund(
                session, row, now, run.decide, old_sales or OldSaleLookup()
            )
        elif row.transaction_type == TransactionType.DECLINED.value:
            state_proposals.propose_decline(session, row, now, run.decide)
    state_proposals.propose_reversals(session, now, run.decide)
    return run.counts
