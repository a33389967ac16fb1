"""The outbox poster: claim → look up by key → post when absent → record (docs/architecture.md §2).

A claim is committed before the call, so a crash leaves the row ``in_flight``; the next run
reclaims it (on a shared store, at once when its claimant's lease has ended: ``claimants``)
and ``post_once`` finds the record if the call had gone through. Transient
errors come back later (capped full-jitter backoff, at least Retry-After); permanent ones
become dead letters with the reason in plain words. When Sage Pro cannot be reached the
poster stops for this cycle and raises one alert instead of one error per row
(``sagepro_unreachable_alert``). The row changes it shares with the PayTrace poster (claim
stamp, attempt rows, posted, persisted backoff) are in ``outbox_outcomes``.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.connectors.retry import RetryPolicy
from app.connectors.sagepro.errors import (
    SageProError,
    UnavailableError,
    UnreachableError,
)
from app.connectors.sagepro.gateway import SageProGateway
from app.store import Store, audit, claimants
from app.store.models import (
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SettlementBatchRow,
)
from app.sync import posting_states, reversals, sagepro_effects
from app.sync.cancel import CancelToken
from app.sync.dead_letters import mark_dead
from app.sync.outbox_outcomes import (
    add_attempt,
    mark_posted,
    schedule_retry,
    stamp_claim,
    utcnow,
)
from app.sync.sagepro_cache import apply_posted_payment
from app.sync.sagepro_unreachable_alert import clear_unreachable_alert, raise_unreachable_alert

OPEN_STATES = ("pending", "in_flight", "dead")
# A claim older than this is a crashed worker's (a post takes seconds; its lookup-first
# makes posting a reclaimed row safe even if that worker was only slow).
CLAIM_TIMEOUT_S = 600.0


def claimant_name(worker: str) -> str:
    return f"{worker}@{socket.gethostname()}/{os.getpid()}"[:80]


@dataclass
class PostCounts:
    posted: int = 0
    retry_later: int = 0
    dead_letter: int = 0
    paused: bool = False
    pause_reason: str = ""
    unreachable: bool = False  # paused with no answer at all (not a 503 Sage Pro sent)


class OutboxPoster:
    def __init__(
        self,
        store: Store,
        gateway: SageProGateway,
        *,
        worker: str = "paysage",
        max_attempts: int = 10,
        base_delay_s: float = 2.0,
        cap_delay_s: float = 900.0,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        retry_policy: RetryPolicy | None = None,
        claim_timeout_s: float = CLAIM_TIMEOUT_S,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self.worker = worker
        # Who holds a claim. On a shared store it names this process, since every
        # workstation's worker is called "paysage".
        self.claimant = worker if store.is_sqlite else claimant_name(worker)
        self.claim_timeout_s = claim_timeout_s
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self.cap_delay_s = cap_delay_s
        self.clock = clock
        self.rng = rng or random.Random()
        # Short in-call retries; longer waits are persisted as next_attempt_at instead.
        self.retry_policy = retry_policy or RetryPolicy(max_attempts=3, max_delay_s=5.0)

    # -- choosing work ------------------------------------------------------------------

    def reclaim_in_flight(self) -> int:
        """Rows left in flight by a crash go back to pending (the lookup makes that safe).

        SQLite has one poster per store, so every in-flight row is a leftover. On a shared
        (PostgreSQL) store other workstations may be posting right now: only rows this worker
        claimed, rows of claimants whose lease has ended (``claimants``), or claims older
        than ``claim_timeout_s`` are leftovers."""
        # Outbound (Sage Pro → PayTrace) rows belong to paytrace_poster.
        stale = (OutboxItem.status == "in_flight") & (OutboxItem.target == "sagepro")
        if not self.store.is_sqlite:
            with self.store.read() as session:
                others = session.scalars(
                    select(OutboxItem.claimed_by)
                    .where(stale, OutboxItem.claimed_by != self.claimant)
                    .distinct()
                ).all()
            gone = claimants.claimants_gone(self.store, [c for c in others if c])
            cutoff = self.clock() - timedelta(seconds=self.claim_timeout_s)
            stale = stale & (
                OutboxItem.claimed_by.in_([self.claimant, *gone])
                | OutboxItem.claimed_at.is_(None)
                | (OutboxItem.claimed_at < cutoff)
            )
        with self.store.write() as session:
            return session.execute(
                update(OutboxItem)
                .where(stale)
                .values(status="pending", claimed_by=None, claimed_at=None)
            ).rowcount  # type: ignore[attr-defined]

    def _next_due(self, session: Session, skip: set[int]) -> OutboxItem | None:
        """The first due row whose invoice/customer has no earlier effect still unposted."""
        now = self.clock()
        first_open = dict(
            session.execute(
                select(OutboxItem.ordering_key, func.min(OutboxItem.sequence))
                .where(OutboxItem.status.in_(OPEN_STATES), OutboxItem.ordering_key != "")
                .group_by(OutboxItem.ordering_key)
            ).all()
        )
        due = session.execute(
            select(OutboxItem)
            .where(
                OutboxItem.status == "pending",
                OutboxItem.next_attempt_at <= now,
                OutboxItem.target == "sagepro",  # PayTrace intents: paytrace_poster
            )
            .order_by(OutboxItem.sequence, OutboxItem.id)
        ).scalars()
        for item in due:
            if item.id in skip:
                continue
            if item.ordering_key and first_open.get(item.ordering_key) != item.sequence:
                continue  # an earlier event on the same invoice must post first
            return item
        return None

    def _next_due_locked(self, session: Session, skip: set[int]) -> OutboxItem | None:
        """PostgreSQL: the same choice as ``_next_due`` in one statement, taking the row with
        ``FOR UPDATE SKIP LOCKED`` so concurrent posters never claim the same row."""
        first_open = (
            select(OutboxItem.ordering_key, func.min(OutboxItem.sequence).label("sequence"))
            .where(OutboxItem.status.in_(OPEN_STATES), OutboxItem.ordering_key != "")
            .group_by(OutboxItem.ordering_key)
            .cte("first_open")
        )
        query = (
            select(OutboxItem)
            .outerjoin(first_open, first_open.c.ordering_key == OutboxItem.ordering_key)
            .where(
                OutboxItem.status == "pending",
                OutboxItem.next_attempt_at <= self.clock(),
                OutboxItem.target == "sagepro",  # PayTrace intents: paytrace_poster
                (OutboxItem.ordering_key == "") | (OutboxItem.sequence == first_open.c.sequence),
            )
            .order_by(OutboxItem.sequence, OutboxItem.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=OutboxItem)
        )
        if skip:
            query = query.where(OutboxItem.id.not_in(skip))
        return session.execute(query).scalars().first()

    def _claim(self, skip: set[int]) -> tuple[int, str, str, dict[str, Any]] | None:
        if self.store.is_sqlite:
            session_scope, choose = self.store.write, self._next_due
        else:
            session_scope, choose = self.store.claim, self._next_due_locked
        with session_scope() as session:
            item = choose(session, skip)
            if item is None:
                return None
            stamp_claim(item, self.claimant, self.clock())
            return item.id, item.kind, item.key, dict(item.payload)

    # -- the loop -----------------------------------------------------------------------

    def post_due(
        self, *, cancel: CancelToken | None = None, progress: Callable[[int], None] | None = None
    ) -> PostCounts:
        with claimants.ClaimantLease(self.store, self.claimant) as lease:
            counts = self._post_while_leased(lease, cancel, progress)
        if not counts.paused:
            clear_unreachable_alert(self.store, worker=self.worker, now=self.clock())
        return counts

    def _post_while_leased(
        self,
        lease: claimants.ClaimantLease,
        cancel: CancelToken | None,
        progress: Callable[[int], None] | None,
    ) -> PostCounts:
        counts = PostCounts()
        self.reclaim_in_flight()
        skip: set[int] = set()
        while not (cancel and cancel.cancelled):
            lease.check()
            claimed = self._claim(skip)
            if claimed is None:
                break
            item_id, kind, key, payload = claimed
            try:
                done = sagepro_effects.execute(self.gateway, kind, key, payload, self.retry_policy)
            except (UnreachableError, UnavailableError) as exc:
                self._retry_later(item_id, exc, counts)
                counts.paused = True
                counts.pause_reason = str(exc)
                counts.unreachable = isinstance(exc, UnreachableError)
                raise_unreachable_alert(self.store, str(exc), worker=self.worker, now=self.clock())
                break
            except SageProError as exc:
                if exc.transient:
                    self._retry_later(item_id, exc, counts)
                    skip.add(item_id)
                else:
                    self._dead_letter(item_id, exc.code or type(exc).__name__, str(exc), counts)
            except sagepro_effects.PayloadError as exc:
                self._dead_letter(
                    item_id, "bad_payload", f"The payload cannot be sent: {exc}.", counts
                )
            else:
                self._posted(item_id, done, counts)
            if progress:
                progress(counts.posted + counts.dead_letter)
        return counts

    # -- outcomes -----------------------------------------------------------------------

    def _posted(self, item_id: int, done: sagepro_effects.Done, counts: PostCounts) -> None:
        now, remote_id = self.clock(), done.remote_id
        with self.store.write() as session:
            item = session.get(OutboxItem, item_id)
            assert item is not None
            mark_posted(item, remote_id, now)
            add_attempt(session, item_id, now, "posted", f"Sage Pro id {remote_id}")
            if item.kind == reversals.REVERSAL_KIND:
                reversals.reversal_posted(session, item, now)
            if done.record is not None:  # Staged records join the Sage Pro worklist
                posting_states.remember(session, item, done.record, now)
            self._finish_proposal(session, item)
            if item.batch_number is not None:
                session.execute(
                    update(SettlementBatchRow)
                    .where(SettlementBatchRow.number == item.batch_number)
                    .values(status="posted")
                )
            audit.record(
                session,
                "post",
                "outbox",
                item.key,
                actor=self.worker,
                before={"status": "in_flight"},
                after={"status": "posted", "remote_id": remote_id},
            )
        counts.posted += 1

    def _finish_proposal(self, session: Session, item: OutboxItem) -> None:
        if item.proposal_id is None:
            return
        open_rows = session.execute(
            select(func.count()).where(
                OutboxItem.proposal_id == item.proposal_id, OutboxItem.status != "posted"
            )
        ).scalar_one()
        if open_rows:
            return
        proposal = session.get(Proposal, item.proposal_id)
        if proposal is None or proposal.status != "approved":
            return
        proposal.status = "posted"
        tx = session.get(PayTraceTransaction, proposal.transaction_id)
        if tx is not None and tx.match_status == "approved":
            tx.match_status = "reversed" if proposal.kind == "reversal" else "posted"
        if proposal.kind == "payment":
            apps = session.execute(
                select(ProposalApplication.invoice_id, ProposalApplication.amount_cents).where(
                    ProposalApplication.proposal_id == proposal.id
                )
            )
            apply_posted_payment(session, list(apps))

    def _retry_later(self, item_id: int, exc: SageProError, counts: PostCounts) -> None:
        now = self.clock()
        with self.store.write() as session:
            item = session.get(OutboxItem, item_id)
            assert item is not None
            add_attempt(session, item_id, now, "transient", str(exc))
            if item.attempts >= self.max_attempts:
                self._mark_dead(
                    session,
                    item,
                    exc.code or "gave_up",
                    f"Sage Pro kept failing after {item.attempts} tries; last answer: {exc}",
                    now,
                )
                counts.dead_letter += 1
                return
            delay = schedule_retry(
                item,
                now=now,
                error=str(exc),
                base_s=self.base_delay_s,
                cap_s=self.cap_delay_s,
                rng=self.rng,
                retry_after_s=exc.retry_after_s,
            )
            audit.record(
                session,
                "retry_scheduled",
                "outbox",
                item.key,
                actor=self.worker,
                after={"attempts": item.attempts, "in_seconds": round(delay, 1), "error": str(exc)},
            )
        counts.retry_later += 1

    def _dead_letter(self, item_id: int, code: str, reason: str, counts: PostCounts) -> None:
        now = self.clock()
        with self.store.write() as session:
            item = session.get(OutboxItem, item_id)
            assert item is not None
            add_attempt(session, item_id, now, "permanent", reason)
            self._mark_dead(session, item, code, reason, now)
        counts.dead_letter += 1

    def _mark_dead(
        self, session: Session, item: OutboxItem, code: str, reason: str, now: datetime
    ) -> None:
        title = f"{item.key}: Sage Pro refused the {item.kind.replace('_', ' ')}"
        mark_dead(session, item, code=code, reason=reason, title=title, now=now)
        audit.record(
            session,
            "dead_letter",
            "outbox",
            item.key,
            actor=self.worker,
            after={"reason": reason, "code": code},
        )
