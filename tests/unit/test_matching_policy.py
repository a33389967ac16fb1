"""The auto-approve policy: hard keys and unique high scores whose amount fits, nothing else."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.domain.matching import (
    AmountFit,
    Application,
    AutoApprovePolicy,
    Candidate,
    CustomerEvidence,
    MatchRule,
    Proposal,
    auto_approval_refusal,
    is_auto_approvable,
)

ON = AutoApprovePolicy(enabled=True)


def proposal(
    rule: MatchRule = MatchRule.HARD_KEY, confidence: int = 100, **changes: object
) -> Proposal:
    base = Proposal(
        transaction_id=1,
        payment_amount=Decimal("10.00"),
        rule=rule,
        confidence=confidence,
        score_parts={"reference": confidence},
        reason="r",
        applications=(Application("104512", Decimal("10.00")),),
        customer_id="C001",
        customer_evidence=CustomerEvidence.PAYTRACE_LINK,
        amount_fit=AmountFit.EXACT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rival(confidence: int) -> Candidate:
    return Candidate(("2",), "C001", Decimal("10.00"), confidence, {"amount": confidence}, "rival")


def test_policy_is_off_by_default() -> None:
    assert not is_auto_approvable(proposal(), AutoApprovePolicy())
    assert auto_approval_refusal(proposal(), AutoApprovePolicy()) == "auto-approval is turned off"


def test_hard_key_with_fitting_amount_is_approved() -> None:
    assert is_auto_approvable(proposal(), ON)
    assert is_auto_approvable(proposal(confidence=85, amount_fit=AmountFit.WITHIN_TOLERANCE), ON)


def test_hard_key_below_its_threshold_is_not() -> None:
    assert not is_auto_approvable(proposal(confidence=79), ON)


@pytest.mark.parametrize(
    "rule", [MatchRule.REFERENCE_TOKEN, MatchRule.CUSTOMER_AMOUNT, MatchRule.SUBSET_SUM]
)
def test_other_rules_need_a_high_score(rule: MatchRule) -> None:
    assert is_auto_approvable(proposal(rule, 90), ON)
    assert not is_auto_approvable(proposal(rule, 89), ON)


@pytest.mark.parametrize(
    ("rule", "fit"),
    [
        (MatchRule.PARTIAL, AmountFit.PARTIAL),
        (MatchRule.OVERPAYMENT, AmountFit.OVER),
        (MatchRule.ON_ACCOUNT, AmountFit.NONE),
    ],
)
def test_amounts_that_do_not_fit_are_never_approved(rule: MatchRule, fit: AmountFit) -> None:
    assert not is_auto_approvable(proposal(rule, 100, amount_fit=fit), ON)


@pytest.mark.parametrize("rule", [r for r in MatchRule if r.needs_review])
def test_reviews_and_refusals_are_never_approved(rule: MatchRule) -> None:
    assert not is_auto_approvable(
        proposal(rule, 100), AutoApprovePolicy(enabled=True, min_confidence=0)
    )


def test_warnings_block_approval() -> None:
    refusal = auto_approval_refusal(proposal(warnings=("payer identified as C002",)), ON)
    assert refusal is not None and "payer identified as C002" in refusal


def test_a_rival_as_good_as_the_threshold_blocks_approval() -> None:
    assert not is_auto_approvable(
        proposal(MatchRule.REFERENCE_TOKEN, 95, candidates=(rival(90),)), ON
    )
    assert is_auto_approvable(proposal(MatchRule.REFERENCE_TOKEN, 95, candidates=(rival(60),)), ON)
    assert not is_auto_approvable(proposal(confidence=85, candidates=(rival(85),)), ON)


def test_nothing_to_apply_is_not_approved() -> None:
    assert not is_auto_approvable(proposal(applications=()), ON)
    assert not is_auto_approvable(proposal(customer_id=None), ON)


def test_policy_refuses_rules_that_can_never_qualify() -> None:
    with pytest.raises(ValueError, match="never be auto-approved"):
        AutoApprovePolicy(score_rules=frozenset({MatchRule.PARTIAL}))
    with pytest.raises(ValueError):
        AutoApprovePolicy(min_confidence=101)
