"""Deterministic keys of successive payments and reversals of one transaction."""

from __future__ import annotations

from app.sync.outbound.reversals import generation_of
from app.sync.outbox.effects import payment_key, reversal_key


def test_keys_per_generation():
    assert payment_key(79388123) == "PT-79388123-PAY"
    assert payment_key(79388123, 2) == "PT-79388123-PAY-2"
    assert reversal_key(79388123) == "PT-79388123-REVERSAL"
    assert reversal_key(79388123, 3) == "PT-79388123-REVERSAL-3"


def test_generation_read_back_from_a_key():
    assert generation_of("PT-79388123-PAY") == 1
    assert generation_of("pt-79388123-pay-2") == 2
    assert generation_of("PT-79388123-PAY-12") == 12
    for generation in (1, 2, 7):
        assert generation_of(payment_key(5, generation)) == generation
