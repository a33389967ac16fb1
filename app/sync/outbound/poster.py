"""The outbox poster: claim → look up by key → post when absent → record (docs/architecture.md §2).

A claim is committed before the call, so a crash leaves the row ``in_flight``; the next run
reclaims it (on a shared store, at once when its claimant's lease has ended: ``claimants``)
and ``post_once`` finds the record if the call had gone through. Transient
errors come back later (capped full-jitter backoff, at least Retry-After); permanent ones
become dead letters with the reason in plain words. When Sage Pro cannot be reached the
poster stops for this cycle and raises one alert instead of one error per row
(``sagepro_unreachable_alert``). The row changes it shares with the PayTrace poster (claim
stamp, attempt rows, posted, persisted backoff) are in ``app.sync.outbox.outcomes``.

Throughput: rows are claimed a few at a time (``outbox.claims``), up to ``concurrency`` calls
are in the air at once — never two for one invoice/customer, so each keeps PayTrace event
order — and one listing of the pass's payment dates stands in for the first lookup of every
never-tried payment (``key_snapshot``); retries and reclaimed rows are looked up one by one.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.connectors.retry import RetryPolicy
from app.connectors.sagepro.errors import SageProError, UnavailableError, UnreachableError
from app.connectors.sagepro.gateway import SageProGateway
from app.connectors.sagepro.key_snapshot import PaymentSnapshot
from app.store import Store, audit, claimants
from app.store.models import (
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SettlementBatchRow,
)
from app.sync.cancel import CancelToken
from app.sync.inbound.sagepro_cache import apply_posted_payment
from app.sync.outbound import reversals, sagepro_effects
from app.sync.outbound.sagepro_unreachable_alert import clear_unreachable_alert as clear_alert
from app.sync.outbound.sagepro_unreachable_alert import raise_unreachable_alert as raise_alert
from app.sync.outbox import posting_states
from app.sync.outbox.claims import Claimed, due_rows, payment_snapshot, reclaim, release
from app.sync.outbox.dead_letters import mark_dead
from app.sync.outbox.outcomes import (
    add_attempt,
    mark_posted,
    schedule_retry,
    stamp_claim,
    utcnow,
)

# A claim older than this is a crashed worker's (a post takes seconds; its lookup-first
# makes posting a reclaimed row safe even if that worker was only slow).
CLAIM_TIMEOUT_S = 600.0
# Calls in the air at once (the Sage Pro client pools four connections).
CONCURRENCY = 4
# A claim takes this many rows per call slot: a few claims per round, not one per posting.
CLAIM_ROUNDS = 4

_Finished = tuple[Claimed, "Future[sagepro_effects.Done]"]


@dataclass
class _Work:
    """One pass's rows: claimed and waiting, in the air, and back but not yet written."""

    waiting: list[Claimed] = field(default_factory=list)
    running: dict[Future[sagepro_effects.Done], Claimed] = field(default_factory=dict)
    finished: list[_Finished] = field(default_factory=list)
    skip: set[int] = field(default_factory=set)  # transient failures wait for the next pass


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
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self.worker = worker
        # Who holds a claim. On a shared store it names this process, since every
        # workstation's worker is called "paysage".
        self.claimant = worker if store.is_sqlite else claimant_name(worker)
        self.claim_timeout_s = claim_timeout_s
        self.concurrency = max(1, concurrency)
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self.cap_delay_s = cap_delay_s
        self.clock = clock
        self.rng = rng or random.Random()
        # Short in-call retries; longer waits are persisted as next_attempt_at instead.
        self.retry_policy = retry_policy or RetryPolicy(max_attempts=3, max_delay_s=5.0)

    # -- choosing work ------------------------------------------------------------------

    def reclaim_in_flight(self) -> int:
        """Rows left in flight by a crash go back to pending (``claims.reclaim``)."""
        return reclaim(self.store, self.claimant, self.clock(), self.claim_timeout_s)

    def _claim(self, skip: set[int], limit: int = 1) -> list[Claimed]:
        """Take up to ``limit`` due rows, committed in flight before any call is made."""
        session_scope = self.store.write if self.store.is_sqlite else self.store.claim
        with session_scope() as session:
            items = due_rows(session, self.clock(), skip, limit, lock=not self.store.is_sqlite)
            now = self.clock()
            for item in items:
                stamp_claim(item, self.claimant, now)
            return [
                Claimed(
                    item.id,
                    item.kind,
                    item.key,
                    dict(item.payload),
                    item.ordering_key,
                    item.attempts == 1,
                )
                for item in items
            ]

    # -- the loop -----------------------------------------------------------------------

    def post_due(
        self, *, cancel: CancelToken | None = None, progress: Callable[[int], None] | None = None
    ) -> PostCounts:
        with claimants.ClaimantLease(self.store, self.claimant) as lease:
            counts = self._post_while_leased(lease, cancel, progress)
        if not counts.paused:
            clear_alert(self.store, worker=self.worker, now=self.clock())
        return counts

    def _post_while_leased(
        self,
        lease: claimants.ClaimantLease,
        cancel: CancelToken | None,
        progress: Callable[[int], None] | None,
    ) -> PostCounts:
        """Up to ``concurrency`` rows in the air at once, never two of one ordering key.
        Outcomes are written a few at a time in one transaction (each commit costs a disk
        flush); a row finished but not yet written is still in flight, which a crash
        leaves for the next run's reclaim and lookup."""
        counts = PostCounts()
        self.reclaim_in_flight()
        snapshot = payment_snapshot(self.store, self.gateway, self.clock())
        work = _Work()
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="sagepro-post") as pool:
            while True:
                # One call at a time until Sage Pro has answered one: a pass that meets an
                # unreachable (or refusing) Sage Pro stops after one call, not four.
                answered = bool(counts.posted or counts.dead_letter)
                width = self.concurrency if answered else 1
                if work.finished and not answered:
                    self._flush(work, counts, progress)
                    continue
                stopping = counts.paused or bool(cancel and cancel.cancelled)
                if not stopping:
                    self._send_ready(pool, work, snapshot, width)
                idle = len(work.running) < width
                if work.finished and (idle or len(work.finished) >= width):
                    self._flush(work, counts, progress)
                    continue
                if idle and not stopping and self._claim_more(lease, work):
                    continue
                if not work.running:
                    break
                done, _ = wait(work.running, return_when=FIRST_COMPLETED)
                work.finished.extend((work.running.pop(f), f) for f in done)
        release(self.store, [c.id for c in work.waiting])
        if counts.paused:
            raise_alert(self.store, counts.pause_reason, worker=self.worker, now=self.clock())
        return counts

    def _send_ready(
        self, pool: ThreadPoolExecutor, work: _Work, snapshot: PaymentSnapshot | None, width: int
    ) -> None:
        """Claimed rows into free slots, skipping any whose invoice/customer is in the air."""
        while len(work.running) < width:
            busy = {c.ordering_key for c in work.running.values() if c.ordering_key}
            ready = next((c for c in work.waiting if c.ordering_key not in busy), None)
            if ready is None:
                return
            work.waiting.remove(ready)
            work.running[pool.submit(self._execute, ready, snapshot)] = ready

    def _claim_more(self, lease: claimants.ClaimantLease, work: _Work) -> bool:
        """A fresh claim of a few rows per slot; False when none are due (or some wait)."""
        if work.waiting:  # only blocked rows wait: claim again once they are sent
            return False
        lease.check()
        fresh = self._claim(work.skip, self.concurrency * CLAIM_ROUNDS)  # pending rows only
        work.waiting.extend(fresh)
        return bool(fresh)

    def _execute(self, claim: Claimed, snapshot: PaymentSnapshot | None) -> sagepro_effects.Done:
        return sagepro_effects.execute(
            self.gateway,
            claim.kind,
            claim.key,
            claim.payload,
            self.retry_policy,
            snapshot=snapshot if claim.first_try else None,
        )

    def _flush(
        self, work: _Work, counts: PostCounts, progress: Callable[[int], None] | None
    ) -> None:
        self._record(work.finished, counts, work.skip)
        work.finished = []
        if progress:
            progress(counts.posted + counts.dead_letter)

    def _record(self, finished: list[_Finished], counts: PostCounts, skip: set[int]) -> None:
        """Write finished rows' outcomes in one transaction."""
        with self.store.write() as session:
            # One read for the lot; each outcome's session.get then finds its row in memory.
            ids = [claim.id for claim, _ in finished]
            session.execute(select(OutboxItem).where(OutboxItem.id.in_(ids))).scalars().all()
            for claim, future in finished:
                self._outcome(session, claim.id, future, counts, skip)

    def _outcome(
        self,
        session: Session,
        item_id: int,
        future: Future[sagepro_effects.Done],
        counts: PostCounts,
        skip: set[int],
    ) -> None:
        try:
            done = future.result()
        except (UnreachableError, UnavailableError) as exc:
            self._retry_later(session, item_id, exc, counts)
            counts.paused = True
            counts.pause_reason = str(exc)
            counts.unreachable = isinstance(exc, UnreachableError)
        except SageProError as exc:
            if exc.transient:
                self._retry_later(session, item_id, exc, counts)
                skip.add(item_id)
            else:
                self._dead_letter(
                    session, item_id, exc.code or type(exc).__name__, str(exc), counts
                )
        except sagepro_effects.PayloadError as exc:
            reason = f"The payload cannot be sent: {exc}."
            self._dead_letter(session, item_id, "bad_payload", reason, counts)
        else:
            self._posted(session, item_id, done, counts)

    # -- outcomes -----------------------------------------------------------------------

    def _posted(
        self, session: Session, item_id: int, done: sagepro_effects.Done, counts: PostCounts
    ) -> None:
        now, remote_id = self.clock(), done.remote_id
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

    def _retry_later(
        self, session: Session, item_id: int, exc: SageProError, counts: PostCounts
    ) -> None:
        now = self.clock()
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

    def _dead_letter(
        self, session: Session, item_id: int, code: str, reason: str, counts: PostCounts
    ) -> None:
        now = self.clock()
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
