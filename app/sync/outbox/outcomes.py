"""What both outbox posters (Sage Pro: ``poster``; PayTrace: ``paytrace_poster``) write on a
row they hold: the claim stamp committed before any call, one attempt row per step, the
posted state, and the next try persisted with capped full-jitter backoff
(``app.domain.backoff``). Dead letters have their own helper (``dead_letters``).

Only the row changes live here; each poster keeps its own choice of rows, its calls, its
audit words and its counts.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.clock import utcnow as utcnow  # re-exported: both posters take their clock from here
from app.domain.backoff import full_jitter_delay
from app.domain.states import OutboxStatus
from app.store.models import OutboxAttempt, OutboxItem


def stamp_claim(item: OutboxItem, claimant: str, now: datetime) -> None:
    """Take the row: in flight, whose, since when, one more try."""
    item.status = OutboxStatus.IN_FLIGHT
    item.claimed_by = claimant
    item.claimed_at = now
    item.attempts += 1


def add_attempt(session: Session, item_id: int, now: datetime, outcome: str, detail: str) -> None:
    session.add(OutboxAttempt(outbox_id=item_id, at=now, outcome=outcome, detail=detail))


def mark_posted(item: OutboxItem, remote_id: str | None, now: datetime) -> None:
    item.status = OutboxStatus.POSTED
    item.remote_id = remote_id
    item.posted_at = now
    item.last_error = None


def schedule_retry(
    item: OutboxItem,
    *,
    now: datetime,
    error: str,
    base_s: float,
    cap_s: float,
    rng: random.Random,
    retry_after_s: float | None = None,
    min_wait_s: float = 0.0,
) -> float:
    """Back to pending with the next try persisted; returns the wait in seconds.

    The wait is never shorter than the server's Retry-After nor than ``min_wait_s``.
    """
    delay = full_jitter_delay(
        item.attempts, base_s=base_s, cap_s=cap_s, retry_after_s=retry_after_s, rng=rng
    )
    delay = max(delay, min_wait_s)
    item.status = OutboxStatus.PENDING
    item.claimed_by = None
    item.next_attempt_at = now + timedelta(seconds=delay)
    item.last_error = error
    return delay
