"""Bounded full-jitter backoff for PayTrace reads, with injectable sleep and randomness."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.domain.backoff import full_jitter_delay


@dataclass
class RetryPolicy:
    """``attempts`` tries in all; waits ``uniform(0, min(cap, base * 2**n))`` between them.

    A server's Retry-After is honoured (as the minimum wait) up to ``max_retry_after_s``;
    longer asks give up rather than block a sync for minutes.
    """

    attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    max_retry_after_s: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, retry_number: int, retry_after_s: float | None = None) -> float:
        """The wait before retry ``retry_number`` (0-based)."""
        return full_jitter_delay(
            retry_number + 1,
            base_s=self.base_delay_s,
            cap_s=self.max_delay_s,
            retry_after_s=None
            if retry_after_s is None
            else min(retry_after_s, self.max_retry_after_s),
            rng=self.rng,
        )

    def may_wait(self, retry_after_s: float | None) -> bool:
        return retry_after_s is None or retry_after_s <= self.max_retry_after_s
