"""The set-wise preparation of payments (``prepared``) changes no answer.

The engine reads references and payers once per distinct value; the old path read them
payment by payment. Both run here on the calibration seeds and on the scenario generator
(messy companies, and a benchmark-shaped run), and must agree proposal by proposal:
kind, invoices, amounts, customer, confidence, reasons, and every tier's refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.matching import MatchSettings, Proposal, proposal_to_json_dict
from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.engine import match_payments, match_with_facts, one_payment_facts
from app.domain.matching.references import normalise_reference
from app.domain.matching.tiers import AutoApproveTier, proposal_kind, tier_refusal
from app.domain.records import Transaction
from app.sync.review.calibration_data import shipped_calibration
from tests.support.calibration import BACKGROUND_CUSTOMERS, DEFAULT_SEEDS, SCENARIOS_PER_SEED
from tests.support.matching_scenarios import (
    MatchingScenarios,
    generate_at_scale,
    generate_scenarios,
)


def _one_at_a_time(
    payments: Sequence[Transaction], ctx: MatchContext
) -> Callable[[int], PaymentFacts]:
    """The old path: every payment's references and payer read on their own."""
    return lambda position: one_payment_facts(payments[position], ctx)


def _assert_same(data: MatchingScenarios, settings: MatchSettings | None = None) -> int:
    new = match_payments(data.payments, data.invoices, data.customers, settings)
    old = match_with_facts(data.payments, data.invoices, data.customers, settings, _one_at_a_time)
    assert len(new) == len(old) == len(data.payments)
    calibration = shipped_calibration()
    for fast, slow in zip(new, old, strict=True):
        assert _summary(fast, calibration) == _summary(slow, calibration)
        assert proposal_to_json_dict(fast) == proposal_to_json_dict(slow)
    return len(new)


def _summary(proposal: Proposal, calibration: object) -> tuple[object, ...]:
    refusals = tuple(
        tier_refusal(proposal, tier, calibration)  # type: ignore[arg-type]
        for tier in AutoApproveTier
    )
    return (
        proposal.transaction_id,
        proposal_kind(proposal),
        tuple((a.invoice_id, a.amount) for a in proposal.applications),
        proposal.on_account,
        proposal.customer_id,
        proposal.confidence,
        proposal.reason,
        refusals,
    )


@pytest.mark.parametrize("seed", DEFAULT_SEEDS)
def test_calibration_seeds_get_the_same_proposals(seed: int) -> None:
    data = generate_scenarios(
        seed, scenarios=SCENARIOS_PER_SEED, background_customers=BACKGROUND_CUSTOMERS
    )
    assert _assert_same(data) > SCENARIOS_PER_SEED


def test_scenarios_with_a_tolerance_get_the_same_proposals() -> None:
    data = generate_scenarios(7, scenarios=1_500)
    assert _assert_same(data, MatchSettings(amount_tolerance=Decimal("1.50"))) > 1_500


def test_a_benchmark_shaped_run_gets_the_same_proposals() -> None:
    data = generate_at_scale(4_000, 8_000, seed=3)
    assert _assert_same(data) == 4_000


@given(st.text(alphabet="0123456789", max_size=14))
def test_digit_keys_take_the_short_way_to_the_same_key(digits: str) -> None:
    # A leading space sends the text through the full rules (and is stripped by them).
    assert normalise_reference(digits) == normalise_reference(f" {digits}")
