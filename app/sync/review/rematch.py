"""Re-evaluating undecided payment proposals when Sage Pro's picture changed
(docs/architecture.md §2).

A payment that arrived before its invoice was entered, or while Sage Pro could not be read,
was matched against an incomplete copy. When a cache refresh brings new or changed invoices
or customers, or the first refresh after a failed one succeeds, a flag is stored (in the
refresh's own transaction, so a cancelled cycle cannot lose it); the next matching pass then
matches every undecided payment proposal again, before the new payments, and clears the flag.
It goes through them in chunks (oldest transaction first), each chunk one set-wise run in its
own short write transaction, so a backlog of thousands never holds the write lock for long
(docs/storage.md). The flag is cleared with the last chunk: a crash in between leaves it set,
and the next pass starts over — safe, since a chunk that says the same again changes nothing.

Undecided means: a payment proposal still ``proposed`` or ``review`` that no person touched.
Approved, rejected and manually matched proposals (rule ``manual``) are never re-evaluated,
nor one whose approval a person undid (``details["undone_by"]``), nor a line a person
unreconciled (rule ``unreconciled``): re-matching those could post again the very match the
person took back. Nor are order-to-cash ones (they follow the sales order, not the invoice
list).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, selectinload

from app.domain.matching import Proposal as MatchProposal
from app.domain.money import to_cents
from app.store import audit
from app.store.models import PayTraceTransaction, Proposal, ProposalApplication, SyncCursor
from app.sync.inbound.ingest import get_cursor, set_cursor

DUE_CURSOR = "sagepro.rematch_due"
# Undecided proposals' transactions matched again per write transaction: like a chunk of new
# payments (pipeline.PROPOSE_CHUNK), each is a proposal, an audit event and perhaps outbox rows.
REMATCH_CHUNK = 50

TransactionKey = tuple[datetime, int]  # (created_local, transaction_id): the matching order


@dataclass(frozen=True)
class Chunk:
    """Which undecided proposals one pass re-evaluates: those of the first ``limit``
    transactions after ``after`` (None: from the oldest)."""

    after: TransactionKey | None = None
    limit: int | None = REMATCH_CHUNK


@dataclass
class ChunkOfUndecided:
    proposals: list[Proposal]
    transactions: list[PayTraceTransaction]  # theirs, in matching order
    last_key: TransactionKey | None  # set when the chunk was full: more may follow


MANUAL_RULE = "manual"
UNRECONCILED_RULE = "unreconciled"


def mark_due(session: Session, now: datetime) -> None:
    """Undecided proposals must be matched again at the next pass on fresh data."""
    if get_cursor(session, DUE_CURSOR) is None:
        set_cursor(session, DUE_CURSOR, None, now, cursor_at=now)


def is_due(session: Session) -> bool:
    return get_cursor(session, DUE_CURSOR) is not None


def clear_due(session: Session) -> None:
    row = session.get(SyncCursor, DUE_CURSOR)
    if row is not None:
        session.delete(row)


# Order-to-cash proposals follow the sales order (and who paid), not the invoice list.
ORDER_KINDS = ("order_payment", "new_customer")
_UNDECIDED = (
    Proposal.status.in_(("proposed", "review")),
    Proposal.rule.not_in((MANUAL_RULE, UNRECONCILED_RULE)),
    Proposal.decided_by.is_(None),
)


UNDONE_BY = "undone_by"  # in a proposal's details: a person took its approval back


def undecided_proposals(session: Session, kinds: tuple[str, ...]) -> list[Proposal]:
    """Undecided proposals of these kinds. One whose approval a person undid is that
    person's to decide: a re-match could auto-approve the very match they took back."""
    found = session.execute(
        select(Proposal)
        .where(Proposal.kind.in_(kinds), *_UNDECIDED)
        .options(selectinload(Proposal.applications))
    ).scalars()
    return [p for p in found if not (p.details or {}).get(UNDONE_BY)]


def undecided_chunk(session: Session, kinds: tuple[str, ...], chunk: Chunk) -> ChunkOfUndecided:
    """The undecided proposals of the next ``chunk.limit`` transactions that have any, with
    those transactions (a chunk ends on a transaction, never between two of its proposals)."""
    txn = PayTraceTransaction
    has_undecided = (
        select(Proposal.id)
        .where(Proposal.transaction_id == txn.transaction_id, Proposal.kind.in_(kinds))
        .where(*_UNDECIDED)
        .exists()
    )
    query = select(txn).where(has_undecided)
    if chunk.after is not None:
        query = query.where(tuple_(txn.created_local, txn.transaction_id) > tuple_(*chunk.after))
    query = query.order_by(txn.created_local, txn.transaction_id).limit(chunk.limit)
    transactions = list(session.execute(query).scalars())
    full = chunk.limit is not None and len(transactions) == chunk.limit
    last_key = (transactions[-1].created_local, transactions[-1].transaction_id) if full else None
    ids = [t.transaction_id for t in transactions]
    found = session.execute(
        select(Proposal)
        .where(Proposal.transaction_id.in_(ids), Proposal.kind.in_(kinds), *_UNDECIDED)
        .options(selectinload(Proposal.applications))
    ).scalars()
    proposals = [p for p in found if not (p.details or {}).get(UNDONE_BY)]
    matched = {p.transaction_id for p in proposals}
    return ChunkOfUndecided(
        proposals, [t for t in transactions if t.transaction_id in matched], last_key
    )


def declines_without_invoice(session: Session) -> list[PayTraceTransaction]:
    """Declines set aside because no open invoice was known for them (perhaps not yet)."""
    return list(
        session.execute(
            select(PayTraceTransaction).where(
                PayTraceTransaction.transaction_type == "DECLINED",
                PayTraceTransaction.match_status == "declined",
                ~select(Proposal.id)
                .where(Proposal.transaction_id == PayTraceTransaction.transaction_id)
                .exists(),
            )
        ).scalars()
    )


def same_order_proposal(old: Proposal, new: Proposal) -> bool:
    """An order-to-cash proposal says the same again (a new customer's suggested id is
    chosen afresh each time, so it does not count)."""
    keep = old.kind == "new_customer" and new.kind == "new_customer"
    return (old.kind, old.status, old.rule, old.details.get("order_number")) == (
        new.kind,
        new.status,
        new.rule,
        new.details.get("order_number"),
    ) and (keep or old.customer_id == new.customer_id)


def claims_not_yet_rematched(
    session: Session, kinds: tuple[str, ...], after: TransactionKey | None
) -> dict[str, int]:
    """What the undecided proposals of the transactions after ``after`` claim of each
    invoice: this chunk's and the later ones'. They are given back while a chunk is matched,
    as the earlier chunks' were, so each chunk sees what a single set-wise run in matching
    order would have left it, and a pass over unchanged data says the same again."""
    txn = PayTraceTransaction
    query = (
        select(Proposal.details, ProposalApplication.invoice_id, ProposalApplication.amount_cents)
        .join(ProposalApplication, ProposalApplication.proposal_id == Proposal.id)
        .join(txn, txn.transaction_id == Proposal.transaction_id)
        .where(Proposal.kind.in_(kinds), *_UNDECIDED)
    )
    if after is not None:
        query = query.where(tuple_(txn.created_local, txn.transaction_id) > tuple_(*after))
    claims: dict[str, int] = defaultdict(int)
    for details, invoice_id, amount_cents in session.execute(query):
        if not (details or {}).get(UNDONE_BY):
            claims[invoice_id] += amount_cents
    return claims


def _shape(
    status: str, rule: str, customer_id: str, on_account: int, apps: list[tuple[str, int]]
) -> tuple[str, str, str, int, tuple[tuple[str, int], ...]]:
    return status, rule, customer_id or "", on_account, tuple(sorted(apps))


def changed(old: Proposal, new: MatchProposal) -> bool:
    """Whether the new match says something else than the stored proposal."""
    before = _shape(
        old.status,
        old.rule,
        old.customer_id,
        old.on_account_cents,
        [(a.invoice_id, a.amount_cents) for a in old.applications],
    )
    after = _shape(
        "review" if new.needs_review else "proposed",
        new.rule.value,
        new.customer_id or "",
        to_cents(new.on_account),
        [(a.invoice_id, to_cents(a.amount)) for a in new.applications],
    )
    return before != after


def supersede(
    session: Session, old: Proposal, new: Proposal, now: datetime, facts: dict[str, Any]
) -> None:
    """Retire ``old`` for ``new`` and say so in the audit trail (``facts``: the new one's)."""
    before = {
        "proposal": old.id,
        "status": old.status,
        "rule": old.rule,
        "customer_id": old.customer_id,
        "applications": [[a.invoice_id, a.amount_cents] for a in old.applications],
    }
    old.status = "superseded"
    old.decided_at = now
    old.decided_by = "system"
    audit.record(
        session,
        "rematch_auto",
        "proposal",
        new.id,
        actor="matcher",
        before=before,
        after={**facts, "customer_id": new.customer_id},
    )
