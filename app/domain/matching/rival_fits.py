"""Other answers the amount alone would give: what makes an amount-decided match a guess.

Found by the independent company (issue 19): a payment naming invoice A but paying exactly
invoice B's balance (a typo, or a part payment of A?), and a payer known only by a billing
name that a sister company's name contains (Smith Plumbing / Smith Plumbing & Heating)
while both owe the amount. Either way a person decides; these list the rival answers.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.model import AmountFit, Candidate, CustomerEvidence, MatchRule, Proposal
from app.domain.matching.proposals import (
    amount_phrase,
    candidate,
    invoices_text,
    ranked,
    review_proposal,
)
from app.domain.matching.scoring import (
    AMBIGUITY_POINTS,
    AMOUNT_POINTS,
    CUSTOMER_POINTS,
    PART_AMBIGUITY,
    PART_AMOUNT,
    PART_CUSTOMER,
)
from app.domain.matching.subset_sum import SubsetOutcome, find_unique_subset


def invoice_sets_fitting(
    ctx: MatchContext, customer_id: str, cents: int, excluding: Iterable[str] = ()
) -> list[tuple[str, ...]]:
    """The customer's open invoices (one, else sets of several) whose balances make
    ``cents``, leaving out ``excluding``."""
    left_out = set(excluding)
    book = ctx.book
    singles: list[tuple[str, ...]] = [
        (i,)
        for i in book.customer_balances_near(customer_id, cents, ctx.tolerance_cents)
        if i not in left_out
    ]
    if singles:
        return singles
    others = [inv for inv in book.open_invoices_of(customer_id) if inv.invoice_id not in left_out]
    settings = ctx.settings
    search = find_unique_subset(
        [book.remaining(inv.invoice_id) for inv in others],
        cents,
        min_size=2,
        max_size=settings.max_subset_size,
        max_items=settings.max_subset_invoices,
        budget=settings.subset_search_budget,
    )
    if search.outcome not in (SubsetOutcome.UNIQUE, SubsetOutcome.SEVERAL):
        return []
    return [tuple(others[i].invoice_id for i in solution) for solution in search.solutions]


def fitting_candidates(
    ctx: MatchContext, customer_id: str, sets: list[tuple[str, ...]], cents: int
) -> list[Candidate]:
    options = []
    for ids in sets:
        total = sum(ctx.book.remaining(i) for i in ids)
        fit = AmountFit.EXACT if total == cents else AmountFit.WITHIN_TOLERANCE
        reason = f"{invoices_text(list(ids))} of {customer_id}; " + amount_phrase(
            fit, cents, total, len(ids), ctx.settings.base_currency
        )
        options.append(
            candidate(ids, customer_id, total, {PART_AMOUNT: AMOUNT_POINTS[fit]}, reason)
        )
    return options


def name_relatives_owing(
    facts: PaymentFacts, ctx: MatchContext
) -> dict[str, list[tuple[str, ...]]]:
    """For a payer known only by billing name: the customers with related names (one name
    inside the other, or as close as the fuzzy threshold) whose invoices make the amount."""
    chosen = facts.resolution.customer_id
    if facts.resolution.evidence is not CustomerEvidence.BILLING_NAME or chosen is None:
        return {}
    owing = {}
    for relative in ctx.directory.name_relatives(facts.payment.billing_name):
        if relative != chosen:
            sets = invoice_sets_fitting(ctx, relative, facts.cents)
            if sets:
                owing[relative] = sets
    return owing


def sister_company_review(facts: PaymentFacts, ctx: MatchContext) -> Proposal | None:
    """A review when a payer known only by billing name may be a related company that owes
    the amount too; None when no related company does."""
    owing = name_relatives_owing(facts, ctx)
    payer = facts.resolution.customer_id
    if not owing or payer is None:
        return None
    own = invoice_sets_fitting(ctx, payer, facts.cents)
    options = fitting_candidates(ctx, payer, own, facts.cents)
    for relative in sorted(owing):
        options += fitting_candidates(ctx, relative, owing[relative], facts.cents)
    names = ", ".join(f"{ctx.directory.name_of(r)} ({r})" for r in sorted(owing))
    evidence = facts.resolution.evidence
    return review_proposal(
        facts,
        MatchRule.REVIEW_AMBIGUOUS,
        {PART_CUSTOMER: CUSTOMER_POINTS[evidence], PART_AMBIGUITY: AMBIGUITY_POINTS},
        [
            f"the billing name '{facts.payment.billing_name.strip()}' could also be {names}, "
            "whose invoices make this amount too: only a person can tell whose payment it is",
            facts.resolution.explanation,
        ],
        candidates=ranked(options, ctx.settings.max_candidates),
        customer_id=payer,
        evidence=evidence,
    )
