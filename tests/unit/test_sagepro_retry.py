"""Capped full-jitter backoff that honours Retry-After, with injected sleep and randomness."""

from __future__ import annotations

import random

import pytest

from app.connectors.sagepro import RetryPolicy


def test_full_jitter_stays_under_the_growing_cap():
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=4.0, rng=random.Random(1))
    for failures, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        waits = [policy.delay(failures) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # really spread up to the cap, not a fixed value


def test_retry_after_is_a_floor_and_is_capped():
    policy = RetryPolicy(
        base_delay_s=0.1, max_delay_s=0.2, max_retry_after_s=10, rng=random.Random(2)
    )
    assert all(policy.delay(1, 3.0) == 3.0 for _ in range(20))
    assert policy.delay(1, 500.0) == 10.0


def test_wait_sleeps_through_the_injected_sleep():
    slept: list[float] = []
    policy = RetryPolicy(sleep=slept.append, rng=random.Random(3))
    waited = policy.wait(2, 1.5)
    assert slept == [waited] and waited >= 1.5


def test_seeded_randomness_is_repeatable():
    a = RetryPolicy(rng=random.Random(9))
    b = RetryPolicy(rng=random.Random(9))
    assert [a.delay(n) for n in range(1, 8)] == [b.delay(n) for n in range(1, 8)]


def test_at_least_one_attempt():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
