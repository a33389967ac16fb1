"""Tiers 2 and 3: nothing named an invoice. Decide from the customer and the amount.

Known customer: one open invoice with that balance, else a unique set of them (bounded
subset-sum), else a partial payment of the customer's only open invoice, else on account.
Unknown customer: always review, with same-amount invoices listed as hints.
Amount-only matches look only at invoices inside the date window.
"""

from __future__ import annotations

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.model import AmountFit, Candidate, MatchRule, Proposal
from app.domain.matching.proposals import (
    allocate,
    amount_phrase,
    applied_proposal,
    candidate,
    invoices_text,
    money_text,
    ranked,
    review_proposal,
)
from app.domain.matching.rival_fits import sister_company_review
from app.domain.matching.scoring import (
    AMBIGUITY_POINTS,
    AMOUNT_POINTS,
    CUSTOMER_POINTS,
    DATE_POINTS,
    ON_ACCOUNT_POINTS,
    PART_AMBIGUITY,
    PART_AMOUNT,
    PART_CUSTOMER,
    PART_DATE,
    PART_ON_ACCOUNT,
    PART_UNIQUE,
    UNIQUE_AMOUNT_POINTS,
    UNIQUE_SUBSET_POINTS,
    amount_fit,
    in_date_window,
)
from app.domain.matching.subset_sum import SubsetOutcome, find_unique_subset
from app.domain.records import Invoice


def match_by_customer(facts: PaymentFacts, ctx: MatchContext) -> Proposal:
    """The payer is known (``facts.resolution.customer_id``) and named no open invoice."""
    customer_id = facts.resolution.customer_id
    if customer_id is None:
        raise ValueError("match_by_customer needs an identified customer")
    sister = sister_company_review(facts, ctx)
    if sister is not None:
        return sister
    evidence = facts.resolution.evidence
    customer_points = CUSTOMER_POINTS[evidence]
    who = facts.resolution.explanation
    book = ctx.book
    payment_date = facts.payment.merchant_date
    limit = ctx.settings.max_candidates

    def in_window(invoice: Invoice) -> bool:
        return in_date_window(payment_date, invoice.invoice_date, ctx.settings)

    def single(invoice: Invoice, extra: dict[str, int]) -> Candidate:
        remaining = book.remaining(invoice.invoice_id)
        fit = amount_fit(facts.cents, remaining, ctx.tolerance_cents)
        parts = {
            PART_CUSTOMER: customer_points,
            PART_AMOUNT: AMOUNT_POINTS[fit],
            PART_DATE: DATE_POINTS if in_window(invoice) else 0,
            **extra,
        }
        fit_text = amount_phrase(fit, facts.cents, remaining, 1, ctx.settings.base_currency)
        reason = f"invoice {invoice.invoice_id}; {fit_text}"
        return candidate([invoice.invoice_id], customer_id, remaining, parts, reason)

    near = [
        book.invoice(i)
        for i in book.customer_balances_near(customer_id, facts.cents, ctx.tolerance_cents)
    ]
    near_in_window = [inv for inv in near if in_window(inv)]
    exact = [inv for inv in near_in_window if book.remaining(inv.invoice_id) == facts.cents]
    choices = exact or near_in_window
    if len(choices) == 1:
        chosen = choices[0]
        remaining = book.remaining(chosen.invoice_id)
        fit = amount_fit(facts.cents, remaining, ctx.tolerance_cents)
        allocations, left = allocate(facts.cents, [(chosen.invoice_id, remaining)])
        rivals = [single(inv, {}) for inv in near if inv is not chosen]
        return applied_proposal(
            facts,
            MatchRule.CUSTOMER_AMOUNT,
            allocations,
            left,
            customer_id,
            evidence,
            fit,
            {
                PART_CUSTOMER: customer_points,
                PART_AMOUNT: AMOUNT_POINTS[fit],
                PART_DATE: DATE_POINTS,
                PART_UNIQUE: UNIQUE_AMOUNT_POINTS,
            },
            [
                f"no invoice reference; invoice {chosen.invoice_id} is the customer's only open "
                "invoice with this amount",
                amount_phrase(fit, facts.cents, remaining, 1, ctx.settings.base_currency),
                who,
            ],
            candidates=ranked(rivals, limit),
        )
    if len(choices) > 1:
        options = [single(inv, {}) for inv in choices]
        ids = [inv.invoice_id for inv in choices]
        return review_proposal(
            facts,
            MatchRule.REVIEW_AMBIGUOUS,
            {**options[0].score_parts, PART_AMBIGUITY: AMBIGUITY_POINTS},
            [f"no invoice reference; {invoices_text(ids)} all fit the amount equally", who],
            candidates=ranked(options, limit),
            customer_id=customer_id,
            evidence=evidence,
        )

    open_invoices = [inv for inv in book.open_invoices_of(customer_id) if in_window(inv)]
    settings = ctx.settings
    search = find_unique_subset(
        [book.remaining(inv.invoice_id) for inv in open_invoices],
        facts.cents,
        min_size=2,
        max_size=settings.max_subset_size,
        max_items=settings.max_subset_invoices,
        budget=settings.subset_search_budget,
    )
    if search.outcome is SubsetOutcome.UNIQUE:
        chosen_set = [open_invoices[i] for i in search.solutions[0]]
        balances = [(inv.invoice_id, book.remaining(inv.invoice_id)) for inv in chosen_set]
        allocations, left = allocate(facts.cents, balances)
        return applied_proposal(
            facts,
            MatchRule.SUBSET_SUM,
            allocations,
            left,
            customer_id,
            evidence,
            AmountFit.EXACT,
            {
                PART_CUSTOMER: customer_points,
                PART_AMOUNT: AMOUNT_POINTS[AmountFit.EXACT],
                PART_DATE: DATE_POINTS,
                PART_UNIQUE: UNIQUE_SUBSET_POINTS,
            },
            [
                f"no invoice reference; {invoices_text([i for i, _ in balances])} are the only "
                "set of the customer's open invoices that sums to the amount",
                who,
            ],
        )
    if search.outcome in (SubsetOutcome.SEVERAL, SubsetOutcome.TOO_LARGE):
        options = []
        for solution in search.solutions:
            ids = [open_invoices[i].invoice_id for i in solution]
            total = sum(book.remaining(i) for i in ids)
            parts = {PART_CUSTOMER: customer_points, PART_AMOUNT: AMOUNT_POINTS[AmountFit.EXACT]}
            options.append(
                candidate(ids, customer_id, total, parts, "these invoices sum to the amount")
            )
        why = (
            "several sets of the customer's open invoices sum to the amount"
            if search.outcome is SubsetOutcome.SEVERAL
            else f"the customer has too many open invoices ({len(open_invoices)}) to prove that "
            "only one set sums to the amount"
        )
        return review_proposal(
            facts,
            MatchRule.REVIEW_AMBIGUOUS,
            {PART_CUSTOMER: customer_points, PART_AMBIGUITY: AMBIGUITY_POINTS},
            [f"no invoice reference; {why}", who],
            candidates=ranked(options, limit),
            customer_id=customer_id,
            evidence=evidence,
        )

    all_open = book.open_invoices_of(customer_id)
    if len(all_open) == 1 and facts.cents < book.remaining(all_open[0].invoice_id):
        only = all_open[0]
        remaining = book.remaining(only.invoice_id)
        return applied_proposal(
            facts,
            MatchRule.PARTIAL,
            [(only.invoice_id, facts.cents)],
            0,
            customer_id,
            evidence,
            AmountFit.PARTIAL,
            {
                PART_CUSTOMER: customer_points,
                PART_AMOUNT: AMOUNT_POINTS[AmountFit.PARTIAL],
                PART_DATE: DATE_POINTS if in_window(only) else 0,
                PART_UNIQUE: UNIQUE_AMOUNT_POINTS,
            },
            [
                f"no invoice reference; invoice {only.invoice_id} is the customer's "
                "only open invoice",
                amount_phrase(
                    AmountFit.PARTIAL, facts.cents, remaining, 1, ctx.settings.base_currency
                ),
                who,
            ],
            warnings=["partial payment without a reference: confirm the invoice with the customer"],
        )

    hints = [single(inv, {}) for inv in all_open[: ctx.settings.max_candidates]]
    # A reference that names no open invoice is often one Sage Pro does not have yet:
    # putting the money on account would hide it from that invoice, so a person decides.
    unresolved = (
        [
            f"references ({', '.join(dict.fromkeys(h.text for h in facts.references[:3]))}) "
            "name no open invoice: it may not be in Sage Pro yet"
        ]
        if facts.references
        else []
    )
    return applied_proposal(
        facts,
        MatchRule.ON_ACCOUNT,
        [],
        facts.cents,
        customer_id,
        evidence,
        AmountFit.NONE,
        {PART_CUSTOMER: customer_points, PART_ON_ACCOUNT: ON_ACCOUNT_POINTS},
        [
            f"no open invoice of the customer fits "
            f"{money_text(facts.cents, ctx.settings.base_currency)}; payment on account",
            who,
        ],
        candidates=ranked(hints, limit),
        warnings=unresolved,
    )


def review_unknown_customer(facts: PaymentFacts, ctx: MatchContext) -> Proposal:
    """Nobody identified the payer and no reference named an open invoice."""
    options = []
    for invoice_id in ctx.book.any_with_balance(facts.cents, ctx.settings.max_candidates):
        invoice = ctx.book.invoice(invoice_id)
        parts = {PART_AMOUNT: AMOUNT_POINTS[AmountFit.EXACT]}
        reason = f"invoice {invoice_id} of {invoice.customer_id} has exactly this balance"
        options.append(candidate([invoice_id], invoice.customer_id, facts.cents, parts, reason))
    reasons = ["payer not identified (no PayTrace link, e-mail or billing name match)"]
    if not facts.references:
        reasons.append("no invoice reference")
    else:
        keys = ", ".join(dict.fromkeys(hit.text for hit in facts.references[:3]))
        reasons.append(f"references ({keys}) name no open invoice")
    return review_proposal(
        facts,
        MatchRule.REVIEW_UNKNOWN_CUSTOMER,
        {PART_CUSTOMER: 0},
        reasons,
        candidates=ranked(options, ctx.settings.max_candidates),
    )
