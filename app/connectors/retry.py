"""The one retry policy of both connectors: how long to wait before trying PayTrace or Sage Pro
again. Capped full-jitter exponential backoff that honours Retry-After, with the clock and
randomness injectable so tests run instantly."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.domain.backoff import full_jitter_delay


@dataclass
class RetryPolicy:
    """At most ``max_attempts`` tries; before try n+1 wait
    ``uniform(0, min(max_delay_s, base_delay_s * 2**(n-1)))`` — but never less than the
    server's Retry-After (itself capped at ``max_retry_after_s``)."""

    max_attempts: int = 6
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_retry_after_s: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def paytrace_reads(cls) -> RetryPolicy:
        """PayTrace reads: fewer, shorter waits (a sync is waiting on them); a Retry-After
        longer than a minute gives up rather than block the cycle."""
        return cls(max_attempts=4, max_delay_s=20.0, max_retry_after_s=60.0)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay(self, failed_attempts: int, retry_after_s: float | None = None) -> float:
        """The wait after ``failed_attempts`` (1 or more) failures in a row."""
        return full_jitter_delay(
            failed_attempts,
            base_s=self.base_delay_s,
            cap_s=self.max_delay_s,
            retry_after_s=None
            if retry_after_s is None
            else min(retry_after_s, self.max_retry_after_s),
            rng=self.rng,
        )

    def may_wait(self, retry_after_s: float | None) -> bool:
        """Whether the server's Retry-After is short enough to wait for."""
        return retry_after_s is None or retry_after_s <= self.max_retry_after_s

    def wait(self, failed_attempts: int, retry_after_s: float | None = None) -> float:
        seconds = self.delay(failed_attempts, retry_after_s)
        self.sleep(seconds)
        return seconds
