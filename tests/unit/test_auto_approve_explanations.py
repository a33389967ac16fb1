"""Never guess, in every tier; and the plain-words note the grid shows for a waiting match."""

from __future__ import annotations

import pytest

from app.domain.matching import MatchRule, match_payments
from app.domain.matching.tiers import (
    TIER_ORDER,
    AutoApproveTier,
    approving_tier,
    tier_refusal,
    waiting_explanation,
)
from app.sync.review.calibration_data import shipped_calibration
from tests.support.matching_scenarios import company, open_invoice, sale

CALIBRATION = shipped_calibration()
ACME = company("C1", "Acme Plumbing", email="ap@acme.example", link="PT-1")


def _one(payment, invoices, customers=(ACME,)):  # type: ignore[no-untyped-def]
    (proposal,) = match_payments([payment], invoices, list(customers))
    return proposal


def test_amount_match_by_email_waits_under_exact_only_and_names_recommended() -> None:
    proposal = _one(
        sale(1, "120.00", email="AP@acme.example"),
        [open_invoice("100200", "C1", "120.00"), open_invoice("100201", "C1", "75.00")],
    )
    assert proposal.rule is MatchRule.CUSTOMER_AMOUNT
    assert tier_refusal(proposal, AutoApproveTier.EXACT_ONLY, CALIBRATION) is not None
    assert tier_refusal(proposal, AutoApproveTier.RECOMMENDED, CALIBRATION) is None
    assert approving_tier(proposal, CALIBRATION) is AutoApproveTier.RECOMMENDED
    words = waiting_explanation(proposal, AutoApproveTier.EXACT_ONLY, CALIBRATION)
    assert words.startswith("Not approved automatically (Exact only): confidence 55%")
    assert "% is below the 90% it needs" in words
    assert "The Recommended tier would approve it (measured: 100.00% right" in words


def test_on_account_names_the_widest_tier() -> None:
    proposal = _one(
        sale(1, "999.99", customer_id="PT-1"),
        [open_invoice("100200", "C1", "120.00"), open_invoice("100201", "C1", "75.00")],
    )
    assert proposal.rule is MatchRule.ON_ACCOUNT
    assert approving_tier(proposal, CALIBRATION) is AutoApproveTier.WITH_ON_ACCOUNT
    words = waiting_explanation(proposal, AutoApproveTier.RECOMMENDED, CALIBRATION)
    assert "a payment on account, customer known by the PayTrace vault link" in words
    assert "is not in the Recommended tier" in words


def test_on_account_with_an_unknown_invoice_number_waits_in_every_tier() -> None:
    """The invoice may not be in Sage Pro yet: money on account would hide it from it."""
    proposal = _one(
        sale(1, "999.99", customer_id="PT-1", invoice_id="INV-104999"),
        [open_invoice("100200", "C1", "120.00"), open_invoice("100201", "C1", "75.00")],
    )
    assert proposal.rule is MatchRule.ON_ACCOUNT and proposal.warnings
    assert approving_tier(proposal, CALIBRATION) is None


@pytest.mark.parametrize(
    "payment,invoices,customers",
    [
        # a tie: two open invoices of the same amount
        (
            sale(1, "50.00", customer_id="PT-1"),
            [open_invoice("100200", "C1", "50.00"), open_invoice("100201", "C1", "50.00")],
            (ACME,),
        ),
        # an unknown customer whose amount fits somebody's invoice
        (
            sale(1, "50.00", billing_name="Pat Doe"),
            [open_invoice("100200", "C1", "50.00")],
            (ACME,),
        ),
        # two customers with one name: the billing name fits both
        (
            sale(1, "50.00", billing_name="Acme Plumbing"),
            [open_invoice("100200", "C1", "50.00"), open_invoice("100300", "C2", "60.00")],
            (ACME, company("C2", "Acme Plumbing")),
        ),
    ],
    ids=["tie", "unknown_customer", "name_tie"],
)
def test_ambiguous_cases_are_approved_by_no_tier(payment, invoices, customers) -> None:  # type: ignore[no-untyped-def]
    proposal = _one(payment, invoices, customers)
    assert proposal.needs_review
    for tier in TIER_ORDER:
        assert tier_refusal(proposal, tier, CALIBRATION) is not None
    words = waiting_explanation(proposal, AutoApproveTier.WITH_ON_ACCOUNT, CALIBRATION)
    assert words.endswith("No tier approves it by itself: a person must decide.")


@pytest.mark.parametrize("kind", ["REFUND", "VOID", "AUTHORIZATION", "DECLINED"])
def test_declines_voids_and_authorizations_are_approved_by_no_tier(kind: str) -> None:
    from app.domain.records import TransactionType

    proposal = _one(
        sale(1, "120.00", customer_id="PT-1", invoice_id="100200", kind=TransactionType[kind]),
        [open_invoice("100200", "C1", "120.00")],
    )
    assert proposal.rule is MatchRule.REFUSED_NOT_A_SALE
    assert all(tier_refusal(proposal, tier, CALIBRATION) for tier in TIER_ORDER)


def test_off_approves_nothing_but_still_names_a_tier() -> None:
    proposal = _one(
        sale(1, "120.00", invoice_id="100200"), [open_invoice("100200", "C1", "120.00")]
    )
    assert tier_refusal(proposal, AutoApproveTier.OFF, CALIBRATION) == "auto-approval is turned off"
    words = waiting_explanation(proposal, AutoApproveTier.OFF, CALIBRATION)
    assert "The Exact only tier would approve it" in words
