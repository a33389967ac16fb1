"""The PayTrace outbox executor: money-moving intents (target ``paytrace``), never twice.

PayTrace lacks idempotency keys (docs/architecture.md): an intent is committed before any call
(``queue_intent``), the claim before a call is committed too and stamps the merchant-local
day of the first send, and **every claim of a row that was sent before searches PayTrace's
export first** (``paytrace_search``). A call whose outcome is unknown (timeout, dropped
connection, 5xx, unreadable answer) is searched for at once; when nothing is found yet the
row waits for a later try, which searches again before sending. A crash anywhere leaves the
row ``in_flight``; the next run puts it back and, because it was sent before, searches.

What each kind's call, refusal and export search are: ``paytrace_intent_calls``. Qt-free.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.connectors.paytrace.client import PayTraceClient
from app.connectors.paytrace.errors import (
    PayTraceAuthError,
    PayTraceDeclinedError,
    PayTraceError,
    PayTraceOutcomeUnknownError,
    PayTraceResponseError,
    PayTraceTransientError,
    PayTraceValidationError,
)
from app.domain.states import OutboxStatus, check_moves
from app.store import Store, audit
from app.store.models import OutboxAttempt, OutboxItem
from app.sync.cancel import CancelToken
from app.sync.outbound import paytrace_search as search
from app.sync.outbound.paytrace_intent_calls import (
    IntentClaim,
    IntentOutcome,
    call_intent,
    find_earlier_try,
    refusal_outcome,
)
from app.sync.outbound.paytrace_intents import FIRST_SENT, REFUND, SALE, TARGET, VOID
from app.sync.outbox.dead_letters import mark_dead
from app.sync.outbox.outcomes import (
    add_attempt,
    mark_posted,
    schedule_retry,
    stamp_claim,
    utcnow,
)

_MERCHANT_DAY = re.compile(r"merchant day (\d{4}-\d{2}-\d{2})")


@dataclass
class PayTracePostCounts:
    done: int = 0  # PayTrace confirmed the call
    found: int = 0  # an earlier call's effect was found in the export
    retry_later: int = 0
    dead_letter: int = 0
    switched: int = 0  # void ↔ refund
    paused: bool = False
    pause_reason: str = ""
    keys: dict[str, str] = field(default_factory=dict)  # key → last outcome


class PayTraceOutboxPoster:
    """Claims due PayTrace intents one by one and carries each out at most once."""

    def __init__(
        self,
        store: Store,
        client: PayTraceClient,
        *,
        worker: str = "paysage",
        tz: ZoneInfo | None = None,
        today: Callable[[], date] | None = None,
        clock: Callable[[], datetime] = utcnow,
        max_attempts: int = 8,
        unknown_grace_s: float = 120.0,
        base_delay_s: float = 5.0,
        cap_delay_s: float = 900.0,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.worker = worker
        self.tz = tz
        self._today = today
        self.clock = clock
        self.max_attempts = max_attempts
        # A charge PayTrace is still processing may show in the export only later: after an
        # unknown outcome the next try (which searches first) waits at least this long.
        self.unknown_grace_s = unknown_grace_s
        self.base_delay_s = base_delay_s
        self.cap_delay_s = cap_delay_s
        self.rng = rng or random.Random()

    def merchant_today(self) -> date:
        if self._today is not None:
            return self._today()
        return datetime.now(self.tz).date() if self.tz else datetime.now().date()

    # -- the loop -----------------------------------------------------------------------

    def post_due(self, *, cancel: CancelToken | None = None) -> PayTracePostCounts:
        counts = PayTracePostCounts()
        self._reclaim_in_flight()
        skip: set[int] = set()
        while not (cancel and cancel.cancelled):
            claim = self._claim(skip)
            if claim is None:
                break
            outcome = self._execute(claim)
            self._record(claim, outcome, counts)
            counts.keys[claim.key] = outcome.status
            if outcome.status in ("retry", "pause"):
                skip.add(claim.item_id)
            if outcome.status == "pause":
                counts.paused, counts.pause_reason = True, outcome.detail
                break
        return counts

    def _reclaim_in_flight(self) -> None:
        """Rows a crash left in flight go back to pending; they were sent, so they search.

        Every in-flight row is a leftover, on a shared store too: this poster runs only
        inside a sync cycle, which holds the profile's poll lock (``run_lock``), so no other
        workstation can be sending PayTrace requests meanwhile."""
        check_moves(OutboxStatus, [OutboxStatus.IN_FLIGHT], OutboxStatus.PENDING)
        with self.store.write() as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.target == TARGET, OutboxItem.status == OutboxStatus.IN_FLIGHT)
                .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None)
            )

    def _claim(self, skip: set[int]) -> IntentClaim | None:
        now = self.clock()
        with self.store.write() as session:
            rows = session.execute(
                select(OutboxItem)
                .where(
                    OutboxItem.target == TARGET,
                    OutboxItem.status == "pending",
                    OutboxItem.next_attempt_at <= now,
                )
                .order_by(OutboxItem.sequence, OutboxItem.id)
            ).scalars()
            item = next((r for r in rows if r.id not in skip), None)
            if item is None:
                return None
            payload = dict(item.payload)
            # Sent before = ever claimed. The attempt history counts too: a payload edited on
            # the Exceptions page, or a retry that reset ``attempts``, must still search first.
            first_claim = session.execute(
                select(OutboxAttempt.detail)
                .where(OutboxAttempt.outbox_id == item.id, OutboxAttempt.outcome == "claimed")
                .order_by(OutboxAttempt.id)
                .limit(1)
            ).scalar_one_or_none()
            sent_before = FIRST_SENT in payload or first_claim is not None
            today = self.merchant_today()
            if FIRST_SENT not in payload:
                found = _MERCHANT_DAY.search(first_claim or "")
                payload[FIRST_SENT] = found.group(1) if found else today.isoformat()
                item.payload = payload  # a new dict, so the JSON column is written
            stamp_claim(item, self.worker, now)
            add_attempt(
                session,
                item.id,
                now,
                "claimed",
                ("searching PayTrace's export first" if sent_before else "sending")
                + f" (merchant day {today.isoformat()})",
            )
            return IntentClaim(
                item.id,
                item.key,
                item.kind,
                payload,
                sent_before,
                date.fromisoformat(str(payload[FIRST_SENT])),
                item.attempts,
                item.remote_id or "",
            )

    # -- carrying out one intent ----------------------------------------------------------

    def _execute(self, claim: IntentClaim) -> IntentOutcome:
        try:
            if claim.sent_before:
                hit = self._search(claim)
                if hit is not None:
                    return hit
            return self._send(claim)
        except PayTraceAuthError as exc:
            return IntentOutcome("pause", f"PayTrace refused the sign-in: {exc}")
        except search.InconclusiveSearchError as exc:
            return IntentOutcome("retry", str(exc))
        except PayTraceError as exc:  # the search itself failed: nothing was sent
            return IntentOutcome(
                "retry",
                f"PayTrace's export could not be searched before retrying ({exc})",
                retry_after_s=getattr(exc, "retry_after_s", None),
            )

    def _send(self, claim: IntentClaim) -> IntentOutcome:
        try:
            result_id = self._call(claim)
        except PayTraceDeclinedError as exc:
            return IntentOutcome(
                "dead",
                str(exc),
                str(exc.transaction_id) if exc.transaction_id else None,
                code="declined",
            )
        except PayTraceValidationError as exc:
            return refusal_outcome(claim, exc)
        except (PayTraceOutcomeUnknownError, PayTraceResponseError) as exc:
            hit = self._search(claim)  # may raise: then the row simply waits and searches again
            if hit is not None:
                return replace(hit, detail=f"{exc}. Then {hit.detail}")
            return IntentOutcome(
                "retry",
                f"{exc}. PayTrace's export shows nothing yet; it is searched again before any "
                "new try",
                min_wait_s=self.unknown_grace_s,
            )
        except PayTraceTransientError as exc:  # provably not taken (no connection, 429)
            return IntentOutcome("retry", str(exc), retry_after_s=exc.retry_after_s)
        return IntentOutcome("done", f"PayTrace transaction {result_id}", str(result_id))

    def _call(self, claim: IntentClaim) -> int:
        return call_intent(self.client, claim)

    def _search(self, claim: IntentClaim) -> IntentOutcome | None:
        today = self.merchant_today()
        exclude = self._owned_elsewhere(claim.item_id)
        return find_earlier_try(self.client, claim, today=today, exclude=exclude)

    def _owned_elsewhere(self, item_id: int) -> set[int]:
        """PayTrace ids other intents already stand for: never claimed twice."""
        with self.store.read() as session:
            ids = session.execute(
                select(OutboxItem.remote_id).where(
                    OutboxItem.target == TARGET,
                    OutboxItem.id != item_id,
                    OutboxItem.remote_id.is_not(None),
                )
            ).scalars()
            return {int(i) for i in ids if i and i.isdigit()}

    # -- recording ------------------------------------------------------------------------

    def _record(
        self, claim: IntentClaim, outcome: IntentOutcome, counts: PayTracePostCounts
    ) -> None:
        now = self.clock()
        with self.store.write() as session:
            item = session.get(OutboxItem, claim.item_id)
            assert item is not None
            before = {"status": "in_flight", "kind": item.kind}
            add_attempt(
                session,
                item.id,
                now,
                outcome.status if outcome.status != "done" else "posted",
                outcome.detail,
            )
            item.claimed_by = None
            if outcome.status in ("done", "found"):
                mark_posted(item, outcome.remote_id, now)
                if outcome.status == "done":
                    counts.done += 1
                else:
                    counts.found += 1
            elif outcome.status == "switch":
                item.kind, item.status, item.next_attempt_at = outcome.new_kind, "pending", now
                item.last_error = outcome.detail
                counts.switched += 1
            elif outcome.status == "dead" or item.attempts >= self.max_attempts:
                reason = outcome.detail
                if outcome.status != "dead":
                    reason = f"gave up after {item.attempts} tries; last: {reason}"
                self._mark_dead(session, item, outcome.code or "gave_up", reason, now)
                item.remote_id = outcome.remote_id or item.remote_id
                counts.dead_letter += 1
            else:
                schedule_retry(
                    item,
                    now=now,
                    error=outcome.detail,
                    base_s=self.base_delay_s,
                    cap_s=self.cap_delay_s,
                    rng=self.rng,
                    retry_after_s=outcome.retry_after_s,
                    min_wait_s=outcome.min_wait_s,
                )
                counts.retry_later += 1
            audit.record(
                session,
                "paytrace_" + outcome.status,
                "outbox",
                item.key,
                actor=self.worker,
                before=before,
                after={
                    "status": item.status,
                    "kind": item.kind,
                    "detail": outcome.detail,
                    "remote_id": item.remote_id,
                },
            )

    def _mark_dead(
        self, session: Session, item: OutboxItem, code: str, reason: str, now: datetime
    ) -> None:
        noun = {SALE: "card charge", REFUND: "refund", VOID: "void"}.get(item.kind, item.kind)
        title = f"{item.key}: PayTrace did not carry out the {noun}"
        mark_dead(session, item, code=code, reason=reason, title=title, now=now)
