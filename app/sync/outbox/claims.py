"""Which Sage Pro outbox rows the poster may take next, chosen in one indexed statement.

A row is due when it is pending, its next try has come, and no earlier effect on the same
invoice/customer (``ordering_key``) is still open — pending, in flight or dead — so effects
on one invoice reach Sage Pro in PayTrace event order. The choice is a ``NOT EXISTS`` over
``ix_outbox_ordering`` (ordering key, sequence) walked in sequence order, so a claim reads
only the rows it returns plus their predecessors instead of every open row (the old scan
made 1,000 postings quadratic). On PostgreSQL the rows are taken ``FOR UPDATE SKIP
LOCKED`` so concurrent posters never claim the same row. Rows of different keys that come
out of one claim are independent and may be posted side by side.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.connectors.sagepro.gateway import SageProGateway
from app.connectors.sagepro.key_snapshot import PaymentSnapshot, list_payments_between
from app.store import Store, claimants
from app.store.models import OutboxItem

OPEN_STATES = ("pending", "in_flight", "dead")
# Fewer never-tried payments than this are cheaper to look up one by one than to list.
MIN_SNAPSHOT_KEYS = 3


@dataclass(frozen=True)
class Claimed:
    """An outbox row this poster holds, with what the call needs."""

    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    ordering_key: str
    first_try: bool  # never sent before: a pass-wide listing may stand in for its lookup


def due_rows(
    session: Session, now: datetime, skip: Collection[int], limit: int, *, lock: bool
) -> list[OutboxItem]:
    """Up to ``limit`` due Sage Pro rows in post order (``lock``: PostgreSQL row locks)."""
    earlier = aliased(OutboxItem)
    earlier_open = exists().where(
        earlier.ordering_key == OutboxItem.ordering_key,
        earlier.sequence < OutboxItem.sequence,
        earlier.status.in_(OPEN_STATES),
    )
    query = (
        select(OutboxItem)
        .where(
            OutboxItem.status == "pending",
            OutboxItem.next_attempt_at <= now,
            OutboxItem.target == "sagepro",  # PayTrace intents: paytrace_poster (issue 11)
            or_(OutboxItem.ordering_key == "", and_(~earlier_open)),
        )
        .order_by(OutboxItem.sequence, OutboxItem.id)
        .limit(limit)
    )
    if skip:
        query = query.where(OutboxItem.id.not_in(skip))
    if lock:
        query = query.with_for_update(skip_locked=True, of=OutboxItem)
    return list(session.execute(query).scalars())


def reclaim(store: Store, claimant: str, now: datetime, claim_timeout_s: float) -> int:
    """Rows left in flight by a crash go back to pending (the lookup makes that safe).

    SQLite has one poster per store, so every in-flight row is a leftover. On a shared
    (PostgreSQL) store other workstations may be posting right now: only rows this worker
    claimed, rows of claimants whose lease has ended (``claimants``), or claims older
    than ``claim_timeout_s`` are leftovers."""
    # Outbound (Sage Pro → PayTrace) rows belong to paytrace_poster (issue 11).
    stale = (OutboxItem.status == "in_flight") & (OutboxItem.target == "sagepro")
    if not store.is_sqlite:
        with store.read() as session:
            others = session.scalars(
                select(OutboxItem.claimed_by)
                .where(stale, OutboxItem.claimed_by != claimant)
                .distinct()
            ).all()
        gone = claimants.claimants_gone(store, [c for c in others if c])
        cutoff = now - timedelta(seconds=claim_timeout_s)
        stale = stale & (
            OutboxItem.claimed_by.in_([claimant, *gone])
            | OutboxItem.claimed_at.is_(None)
            | (OutboxItem.claimed_at < cutoff)
        )
    with store.write() as session:
        return session.execute(
            update(OutboxItem)
            .where(stale)
            .values(status="pending", claimed_by=None, claimed_at=None)
        ).rowcount  # type: ignore[attr-defined]


def release(store: Store, ids: list[int]) -> None:
    """Claimed rows never sent (the pass stopped first) go back as they were."""
    if not ids:
        return
    with store.write() as session:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(ids), OutboxItem.status == "in_flight")
            .values(
                status="pending", claimed_by=None, claimed_at=None, attempts=OutboxItem.attempts - 1
            )
        )


def payment_snapshot(
    store: Store, gateway: SageProGateway, now: datetime
) -> PaymentSnapshot | None:
    """One listing of the dates that due, never-tried payments span (``key_snapshot``)."""
    with store.read() as session:
        payloads = session.execute(
            select(OutboxItem.payload).where(
                OutboxItem.status == "pending",
                OutboxItem.target == "sagepro",
                OutboxItem.kind == "payment",
                OutboxItem.attempts == 0,
                OutboxItem.next_attempt_at <= now,
            )
        ).scalars()
        dates = [d for d in map(_payment_date, payloads) if d is not None]
    if len(dates) < MIN_SNAPSHOT_KEYS:
        return None
    return list_payments_between(gateway, dates, len(dates))


def _payment_date(payload: Mapping[str, Any]) -> date | None:
    """The PaymentDate a payment row will send, if it reads as one (else it is looked up)."""
    try:
        return date.fromisoformat(str(payload.get("PaymentDate") or ""))
    except ValueError:
        return None
