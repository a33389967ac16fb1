"""Everything the detail panel shows for one proposal, read in one short transaction."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.config import Profile
from app.domain.display_time import show_date
from app.domain.money import from_cents, to_money
from app.store import Store
from app.store.models import (
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SageProCustomer,
    SageProInvoice,
)
from app.sync.review.calibration_data import stored_raw_score, waiting_sentence


@dataclass(frozen=True)
class CandidateView:
    invoices: str
    customer_id: str
    amount: Decimal | None
    score: int | None
    reason: str
    currency: str = ""  # of its invoice's open balance (blank: the base currency)


@dataclass(frozen=True)
class ProposalDetail:
    proposal_id: int
    status: str
    rule: str
    confidence: int  # calibrated: the precision measured for proposals like it
    reason: str
    customer: str
    transaction_id: int
    amount: Decimal
    payment_line: str  # "Visa ··5439 · 2025-11-18 · Harbor Lane Bakery"
    typed_reference: str
    description: str
    score_parts: list[tuple[str, int]]
    raw_score: int  # the engine's score, what the score parts add up to
    applications: list[tuple[str, Decimal]]
    on_account: Decimal
    candidates: list[CandidateView]
    postings: list[tuple[str, str, str]] = field(default_factory=list)  # key, status, error
    decided_by: str | None = None  # who approved or rejected it (OS user name)
    decided_at: datetime | None = None  # when, UTC
    # Why a waiting payment was not auto-approved and which tier would approve it.
    waiting_note: str = ""
    base_currency: str = "USD"  # the profile's: the payment's own currency


def _candidate(raw: Any) -> CandidateView | None:
    """Tolerates both stored shapes: the matcher's (invoice_ids, open_balance, confidence)
    and the flat one (invoice_id, amount, score)."""
    if not isinstance(raw, dict):
        return None
    ids = raw.get("invoice_ids") or ([raw["invoice_id"]] if raw.get("invoice_id") else [])
    amount_raw = raw.get("open_balance", raw.get("amount"))
    try:
        amount = None if amount_raw is None else to_money(amount_raw)
    except ValueError:
        amount = None
    score = raw.get("confidence", raw.get("score"))
    return CandidateView(
        invoices=", ".join(str(i) for i in ids),
        customer_id=str(raw.get("customer_id") or ""),
        amount=amount,
        score=int(score) if isinstance(score, int | float) else None,
        reason=str(raw.get("reason") or ""),
    )


def load_proposal_detail(
    store: Store, proposal_id: int, profile: Profile | None = None
) -> ProposalDetail | None:
    with store.read() as s:
        proposal = s.get(Proposal, proposal_id)
        if proposal is None:
            return None
        txn = s.get(PayTraceTransaction, proposal.transaction_id)
        customer = s.get(SageProCustomer, proposal.customer_id) if proposal.customer_id else None
        apps = s.execute(
            select(ProposalApplication.invoice_id, ProposalApplication.amount_cents).where(
                ProposalApplication.proposal_id == proposal_id
            )
        ).all()
        postings = s.execute(
            select(OutboxItem.key, OutboxItem.status, OutboxItem.last_error).where(
                OutboxItem.proposal_id == proposal_id
            )
        ).all()
        assert txn is not None  # a proposal always belongs to a stored transaction
        card = "ACH" if txn.payment_method == "ACH" else f"{txn.card_brand} ··{txn.card_last4}"
        name = customer.name if customer else (txn.billing_name or "unknown payer")
        parts = proposal.score_parts if isinstance(proposal.score_parts, dict) else {}
        candidates = _with_currency(s, [c for c in map(_candidate, proposal.candidates or []) if c])
        return ProposalDetail(
            proposal_id=proposal.id,
            status=proposal.status,
            rule=proposal.rule,
            confidence=proposal.confidence,
            reason=proposal.reason,
            customer=f"{name} ({proposal.customer_id})" if proposal.customer_id else name,
            transaction_id=txn.transaction_id,
            amount=from_cents(txn.amount_cents),
            payment_line=f"{card.strip()} · {show_date(txn.merchant_date)} · {txn.billing_name}",
            typed_reference=" / ".join(
                r for r in (txn.invoice_ref, txn.customer_reference_id) if r
            ),
            description=txn.description,
            score_parts=[(str(k), int(v)) for k, v in parts.items() if isinstance(v, int)],
            raw_score=stored_raw_score(proposal),
            applications=[(inv, from_cents(c)) for inv, c in apps],
            on_account=from_cents(proposal.on_account_cents),
            candidates=candidates,
            postings=[(k, st, err or "") for k, st, err in postings],
            decided_by=proposal.decided_by,
            decided_at=proposal.decided_at,
            waiting_note=(waiting_sentence(proposal, profile) or "") if profile else "",
            base_currency=profile.base_currency if profile else "USD",
        )


def _with_currency(session: Any, candidates: list[CandidateView]) -> list[CandidateView]:
    """Each candidate with its (first) invoice's currency: its open balance is in it."""
    first = {c.invoices.split(", ")[0] for c in candidates if c.invoices}
    if not first:
        return candidates
    rows = session.execute(
        select(SageProInvoice.invoice_id, SageProInvoice.currency).where(
            SageProInvoice.invoice_id.in_(first)
        )
    ).all()
    codes = {invoice: currency or "" for invoice, currency in rows}
    return [replace(c, currency=codes.get(c.invoices.split(", ")[0], "")) for c in candidates]
