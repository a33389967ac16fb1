"""Re-evaluating undecided payment proposals when Sage Pro's picture changed
(docs/architecture.md §2).

A payment that arrived before its invoice was entered, or while Sage Pro could not be read,
was matched against an incomplete copy. When a cache refresh brings new or changed invoices
or customers, or the first refresh after a failed one succeeds, a flag is stored (in the
refresh's own transaction, so a cancelled cycle cannot lose it); the next matching pass then
matches every undecided payment proposal again together with the new payments, in one
set-wise run, and clears the flag.

Undecided means: a payment proposal still ``proposed`` or ``review`` that no person touched.
Approved, rejected and manually matched proposals (rule ``manual``) are never re-evaluated,
nor one whose approval a person undid (``details["undone_by"]``), nor a line a person
unreconciled (rule ``unreconciled``): re-matching those could post again the very match the
person took back. Nor are order-to-cash ones (they follow the sales order, not the invoice
list).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.matching import Proposal as MatchProposal
from app.domain.money import to_cents
from app.store import audit
from app.store.models import PayTraceTransaction, Proposal, SyncCursor
from app.sync.ingest import get_cursor, set_cursor

DUE_CURSOR = "sagepro.rematch_due"
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


def undecided_transactions(session: Session, kinds: tuple[str, ...]) -> list[PayTraceTransaction]:
    """The transactions of those proposals."""
    ids = {p.transaction_id for p in undecided_proposals(session, kinds)}
    if not ids:
        return []
    return list(
        session.execute(
            select(PayTraceTransaction)
            .where(PayTraceTransaction.transaction_id.in_(ids))
            .order_by(PayTraceTransaction.created_local, PayTraceTransaction.transaction_id)
        ).scalars()
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


def own_claims(proposals: list[Proposal]) -> dict[str, int]:
    """What these proposals claim of each invoice (given back while they are re-matched)."""
    claims: dict[str, int] = defaultdict(int)
    for proposal in proposals:
        for application in proposal.applications:
            claims[application.invoice_id] += application.amount_cents
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
