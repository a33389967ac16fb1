"""Capped full-jitter exponential backoff ("Exponential Backoff And Jitter", AWS): the one
formula behind every retry wait — both connectors' in-call retries and the outbox posters'
persisted next attempts."""

from __future__ import annotations

import random


def full_jitter_delay(
    attempt: int,
    *,
    base_s: float = 2.0,
    cap_s: float = 900.0,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before try number ``attempt + 1`` (``attempt`` counts from 1).

    A server's Retry-After is a floor: we never come back sooner than it asked.
    """
    ceiling = min(cap_s, base_s * (2 ** max(attempt - 1, 0)))
    delay = (rng or random).uniform(0, ceiling)
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return delay
