"""The reconciliation grid's actions. Each is one write transaction with an audit event;
none talks to the network (the poster does that)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Profile, load_settings
from app.domain.exchange import is_foreign
from app.domain.money import display_money, to_cents
from app.domain.states import MatchStatus, OutboxStatus, ProposalStatus, check_moves
from app.store import Store, audit
from app.store.models import (
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SageProInvoice,
)
from app.sync.outbound import reversals
from app.sync.outbox.effects import sequence_of
from app.sync.outbox.mapping_bridge import active_record_mapper
from app.sync.review.approval import (
    ReviewError,
    approve_in_session,
    mapped_reversal_reason,
    write_outbox,
)
from app.sync.review.foreign_currency import (
    CURRENCY,
    EXCHANGE_RATE,
    ForeignCurrencyError,
    manual_match_details,
)
from app.sync.review.rematch import UNDONE_BY, UNRECONCILED_RULE

__all__ = [
    "ApprovalResult",
    "ReviewError",
    "approve_proposals",
    "reject_proposal",
    "rematch_proposal",
    "undo_approval",
    "unreconcile",
]


@dataclass
class ApprovalResult:
    approved: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # proposal id → why, in words


def approve_proposals(
    store: Store, proposal_ids: Sequence[int], *, user: str, profile: Profile | None = None
) -> ApprovalResult:
    """Approve each proposal in its own transaction, so one refusal never blocks the rest."""
    profile = profile or load_settings().profile()
    result = ApprovalResult()
    for proposal_id in proposal_ids:
        try:
            with store.write() as session:
                proposal = session.get(Proposal, proposal_id)
                if proposal is None:
                    raise ReviewError(
                        "This proposed match no longer exists: it was changed meanwhile."
                    )
                mapper = active_record_mapper(session, profile)
                approve_in_session(
                    session, proposal, user=user, profile=profile, mapper=mapper, now=utcnow()
                )
        except ReviewError as exc:
            result.refused[proposal_id] = str(exc)
        else:
            result.approved.append(proposal_id)
    return result


def reject_proposal(store: Store, proposal_id: int, *, user: str, reason: str = "") -> None:
    with store.write() as session:
        proposal = _open_proposal(session, proposal_id)
        proposal.status = ProposalStatus.REJECTED
        proposal.decided_at = utcnow()
        proposal.decided_by = user
        tx = session.get(PayTraceTransaction, proposal.transaction_id)
        if tx is not None:
            tx.match_status = MatchStatus.REVIEW
        audit.record(
            session,
            "reject",
            "proposal",
            proposal_id,
            actor=user,
            after={"status": "rejected", "reason": reason},
        )


def rematch_proposal(
    store: Store,
    proposal_id: int,
    applications: Sequence[tuple[str, Decimal]],
    *,
    user: str,
    on_account: Decimal = Decimal("0.00"),
    exchange_rate: str | None = None,
    profile: Profile | None = None,
) -> int:
    """Replace a proposal by a person's choice: one invoice, a split, or all on account.
    An invoice in another currency than the profile's needs ``exchange_rate`` ("1 base =
    rate invoice currency"); it is kept on the proposal and in the audit trail."""
    base_currency = (profile or load_settings().profile()).base_currency
    with store.write() as session:
        old = _open_proposal(session, proposal_id)
        tx = session.get(PayTraceTransaction, old.transaction_id)
        assert tx is not None
        total = sum((amount for _, amount in applications), Decimal("0.00")) + on_account
        if to_cents(total) != tx.amount_cents:
            raise ReviewError(
                f"The amounts add up to {display_money(total, base=base_currency)}, but the "
                f"payment is {display_money(tx.amount_cents, cents=True, base=base_currency)}."
            )
        invoices, chosen_customer = _chosen_invoices(session, applications, base_currency)
        customer_id = old.customer_id if chosen_customer is None else chosen_customer
        if not customer_id:
            raise ReviewError("Choose an invoice so the customer is known.")
        try:
            conversion = manual_match_details(
                invoices, total, on_account, exchange_rate, base_currency
            )
        except ForeignCurrencyError as exc:
            raise ReviewError(str(exc)) from None
        old.status = ProposalStatus.SUPERSEDED
        old.decided_at = utcnow()
        old.decided_by = user
        words = (
            ", ".join(f"{i} ({display_money(a, base=base_currency)})" for i, a in applications)
            or "on account"
        )
        if conversion:
            words += f" at 1 {base_currency} = {conversion[EXCHANGE_RATE]} {conversion[CURRENCY]}"
        reason = f"Chosen by {user}: {words}"
        new = _manual_proposal(old, applications, on_account, customer_id, conversion, reason)
        session.add(new)
        session.flush()
        if tx is not None:
            tx.match_status = MatchStatus.PROPOSED
        audit.record(
            session,
            "rematch",
            "proposal",
            new.id,
            actor=user,
            before={"proposal": old.id},
            after={"applications": words, **conversion},
        )
        return new.id


def _chosen_invoices(
    session: Session, applications: Sequence[tuple[str, Decimal]], base_currency: str
) -> tuple[list[SageProInvoice], str | None]:
    """The chosen invoices, each open with room for its amount (a foreign one is checked
    after conversion), and their one customer (None when only foreign ones or none are
    chosen)."""
    customers = set()
    invoices = []
    for invoice_id, amount in applications:
        invoice = session.get(SageProInvoice, invoice_id)
        if invoice is None or invoice.status != "Open":
            raise ReviewError(f"Invoice {invoice_id} is not open in Sage Pro.")
        invoices.append(invoice)
        if is_foreign(invoice.currency, base_currency):
            continue  # its balance is in its own currency: checked after conversion
        if to_cents(amount) > invoice.balance_cents:
            raise ReviewError(
                f"Invoice {invoice_id} has only "
                f"{display_money(invoice.balance_cents, cents=True, base=base_currency)} open."
            )
        customers.add(invoice.customer_id)
    if len(customers) > 1:
        raise ReviewError("One payment can only pay invoices of one customer.")
    return invoices, customers.pop() if customers else None


def _manual_proposal(
    old: Proposal,
    applications: Sequence[tuple[str, Decimal]],
    on_account: Decimal,
    customer_id: str,
    conversion: dict[str, str],
    reason: str,
) -> Proposal:
    """The person's choice as a proposal replacing ``old``."""
    new = Proposal(
        transaction_id=old.transaction_id,
        kind="payment",
        status=ProposalStatus.PROPOSED,
        rule="manual",
        confidence=100,
        reason=reason,
        score_parts={},
        candidates=old.candidates,
        customer_id=customer_id,
        on_account_cents=to_cents(on_account),
        auto_approvable=False,
        details={"replaces": old.id, **conversion},
        created_at=utcnow(),
    )
    new.applications = [
        ProposalApplication(invoice_id=i, amount_cents=to_cents(a)) for i, a in applications
    ]
    return new


def undo_approval(store: Store, proposal_id: int, *, user: str) -> None:
    """Take back an approval whose outbox rows have not been sent yet."""
    with store.write() as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.status != "approved":
            raise ReviewError("Only an approved proposal can be undone.")
        items = (
            session.execute(select(OutboxItem).where(OutboxItem.proposal_id == proposal_id))
            .scalars()
            .all()
        )
        # Rows discarded by an earlier undo were never sent; they must not pin the approval.
        busy = [i.key for i in items if i.status not in ("pending", "dead", "discarded")]
        if busy:
            raise ReviewError(
                f"{', '.join(busy)} is already being posted or posted; use Unreconcile instead."
            )
        check_moves(OutboxStatus, {i.status for i in items}, OutboxStatus.DISCARDED)
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.proposal_id == proposal_id)
            .values(status=OutboxStatus.DISCARDED, last_error=f"Approval undone by {user}.")
        )
        proposal.status = ProposalStatus.PROPOSED
        proposal.decided_at = None
        proposal.decided_by = None
        # A person's call from now on: syncs never re-match (and so re-approve) it.
        proposal.details = {**(proposal.details or {}), UNDONE_BY: user}
        tx = session.get(PayTraceTransaction, proposal.transaction_id)
        if tx is not None:
            tx.match_status = MatchStatus.PROPOSED
        audit.record(
            session,
            "undo_approval",
            "proposal",
            proposal_id,
            actor=user,
            after={"discarded": [i.key for i in items]},
        )


def unreconcile(
    store: Store, proposal_id: int, *, user: str, profile: Profile | None = None
) -> int:
    """Take a posted payment back and put its transaction in review again.

    Queues a payment reversal dated today (never an edit): once posted, the invoices the
    payment paid are open with their balance restored. A new proposal in review, naming
    the same customer, waits for the right match; approving it posts the payment again
    under the next key (``PT-<id>-PAY-2``) after the reversal. Returns the new proposal.
    The reversal's Reason is worded by the active mapping (``PaymentReversal.Reason``).
    """
    with store.write() as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.status != "posted" or proposal.kind != "payment":
            raise ReviewError("Only a posted payment can be unreconciled.")
        tx = session.get(PayTraceTransaction, proposal.transaction_id)
        assert tx is not None
        payment = reversals.posted_payment(session, tx.transaction_id)
        if payment is None:
            raise ReviewError("A reversal of this payment is already queued or posted.")
        now = utcnow()
        mapper = active_record_mapper(session, profile)
        spec = reversals.spec_for(
            tx.transaction_id,
            payment,
            reversal_date=now.date(),
            reason=mapped_reversal_reason(
                session, tx, mapper, f"Unreconciled in Paysage by {user}"
            ),
            sequence=sequence_of(now, tx.transaction_id, 5),
        )
        written = write_outbox(
            session, [spec], now=now, proposal_id=proposal.id, mapping_version_id=mapper.version_id
        )
        if not written:
            raise ReviewError("A reversal of this payment is already queued or posted.")
        proposal.status = ProposalStatus.REVERSED
        again = Proposal(
            transaction_id=tx.transaction_id,
            kind="payment",
            status=ProposalStatus.REVIEW,
            rule=UNRECONCILED_RULE,
            confidence=0,
            reason=f"Unreconciled by {user}: {payment.key} is being reversed in Sage Pro; "
            "choose the right invoice (or on account) and approve to post it again.",
            score_parts={},
            candidates=proposal.candidates,
            customer_id=proposal.customer_id,
            on_account_cents=0,
            auto_approvable=False,
            details={"replaces": proposal.id, "reversal": spec.key},
            created_at=now,
        )
        session.add(again)
        session.flush()
        tx.match_status = MatchStatus.REVIEW
        audit.record(
            session,
            "unreconcile",
            "proposal",
            proposal_id,
            actor=user,
            after={"reversal": spec.key, "new_proposal": again.id},
        )
        return again.id


def _open_proposal(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise ReviewError("This proposed match no longer exists: it was changed meanwhile.")
    if proposal.status not in ("proposed", "review"):
        raise ReviewError(f"This proposed match is already {proposal.status}.")
    return proposal
