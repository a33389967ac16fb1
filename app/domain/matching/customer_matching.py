"""Tiers 2 and 3: nothing named an invoice. Decide from the customer and the amount.

Known customer: one open invoice with that balance, else a unique set of them (bounded
subset-sum), else a partial payment of the customer's only open invoice, else on account.
Unknown customer: always review, with same-amount invoices listed as hints.
Amount-only matches look only at invoices inside the date window.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.model import AmountFit, Candidate, CustomerEvidence, MatchRule, Proposal
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
from app.domain.matching.subset_sum import SubsetOutcome, SubsetSearch, find_unique_subset
from app.domain.records import Invoice


def match_by_customer(facts: PaymentFacts, ctx: MatchContext) -> Proposal:
    """The payer is known (``facts.resolution.customer_id``) and named no open invoice.

    The steps, in order: a sister company that owes the amount too; one invoice with that
    balance (or several: review); a unique set of invoices; part of the only invoice; on
    account."""
    customer_id = facts.resolution.customer_id
    if customer_id is None:
        raise ValueError("match_by_customer needs an identified customer")
    sister = sister_company_review(facts, ctx)
    if sister is not None:
        return sister
    payer = _KnownPayer(facts, ctx, customer_id)
    return (
        payer.by_amount() or payer.by_subset() or payer.part_of_only_invoice() or payer.on_account()
    )


@dataclass(frozen=True)
class _KnownPayer:
    """One payment of an identified customer, and the steps that may decide it."""

    facts: PaymentFacts
    ctx: MatchContext
    customer_id: str

    @property
    def evidence(self) -> CustomerEvidence:
        return self.facts.resolution.evidence

    @property
    def customer_points(self) -> int:
        return CUSTOMER_POINTS[self.evidence]

    @property
    def who(self) -> str:
        return self.facts.resolution.explanation

    @property
    def limit(self) -> int:
        return self.ctx.settings.max_candidates

    def in_window(self, invoice: Invoice) -> bool:
        return in_date_window(
            self.facts.payment.merchant_date, invoice.invoice_date, self.ctx.settings
        )

    def single(self, invoice: Invoice) -> Candidate:
        """One invoice as an option for the review panel."""
        cents = self.facts.cents
        remaining = self.ctx.book.remaining(invoice.invoice_id)
        fit = amount_fit(cents, remaining, self.ctx.tolerance_cents)
        parts = {
            PART_CUSTOMER: self.customer_points,
            PART_AMOUNT: AMOUNT_POINTS[fit],
            PART_DATE: DATE_POINTS if self.in_window(invoice) else 0,
        }
        fit_text = amount_phrase(fit, cents, remaining, 1, self.ctx.settings.base_currency)
        reason = f"invoice {invoice.invoice_id}; {fit_text}"
        return candidate([invoice.invoice_id], self.customer_id, remaining, parts, reason)

    def by_amount(self) -> Proposal | None:
        """One open invoice in the window with this balance (exact beats within tolerance)."""
        book, cents = self.ctx.book, self.facts.cents
        near = [
            book.invoice(i)
            for i in book.customer_balances_near(self.customer_id, cents, self.ctx.tolerance_cents)
        ]
        near_in_window = [inv for inv in near if self.in_window(inv)]
        exact = [inv for inv in near_in_window if book.remaining(inv.invoice_id) == cents]
        choices = exact or near_in_window
        if len(choices) > 1:
            options = [self.single(inv) for inv in choices]
            ids = [inv.invoice_id for inv in choices]
            return review_proposal(
                self.facts,
                MatchRule.REVIEW_AMBIGUOUS,
                {**options[0].score_parts, PART_AMBIGUITY: AMBIGUITY_POINTS},
                [
                    f"no invoice reference; {invoices_text(ids)} all fit the amount equally",
                    self.who,
                ],
                candidates=ranked(options, self.limit),
                customer_id=self.customer_id,
                evidence=self.evidence,
            )
        if not choices:
            return None
        chosen = choices[0]
        remaining = book.remaining(chosen.invoice_id)
        fit = amount_fit(cents, remaining, self.ctx.tolerance_cents)
        allocations, left = allocate(cents, [(chosen.invoice_id, remaining)])
        return applied_proposal(
            self.facts,
            MatchRule.CUSTOMER_AMOUNT,
            allocations,
            left,
            self.customer_id,
            self.evidence,
            fit,
            {
                PART_CUSTOMER: self.customer_points,
                PART_AMOUNT: AMOUNT_POINTS[fit],
                PART_DATE: DATE_POINTS,
                PART_UNIQUE: UNIQUE_AMOUNT_POINTS,
            },
            [
                f"no invoice reference; invoice {chosen.invoice_id} is the customer's only open "
                "invoice with this amount",
                amount_phrase(fit, cents, remaining, 1, self.ctx.settings.base_currency),
                self.who,
            ],
            candidates=ranked([self.single(inv) for inv in near if inv is not chosen], self.limit),
        )

    def by_subset(self) -> Proposal | None:
        """A unique set of the customer's open invoices in the window that sums to the amount;
        several sets (or too many invoices to tell) is a review."""
        book, settings = self.ctx.book, self.ctx.settings
        open_invoices = [
            inv for inv in book.open_invoices_of(self.customer_id) if self.in_window(inv)
        ]
        search = find_unique_subset(
            [book.remaining(inv.invoice_id) for inv in open_invoices],
            self.facts.cents,
            min_size=2,
            max_size=settings.max_subset_size,
            max_items=settings.max_subset_invoices,
            budget=settings.subset_search_budget,
        )
        if search.outcome is SubsetOutcome.UNIQUE:
            return self._unique_subset([open_invoices[i] for i in search.solutions[0]])
        if search.outcome in (SubsetOutcome.SEVERAL, SubsetOutcome.TOO_LARGE):
            return self._subset_review(open_invoices, search)
        return None

    def _unique_subset(self, chosen: list[Invoice]) -> Proposal:
        book = self.ctx.book
        balances = [(inv.invoice_id, book.remaining(inv.invoice_id)) for inv in chosen]
        allocations, left = allocate(self.facts.cents, balances)
        return applied_proposal(
            self.facts,
            MatchRule.SUBSET_SUM,
            allocations,
            left,
            self.customer_id,
            self.evidence,
            AmountFit.EXACT,
            {
                PART_CUSTOMER: self.customer_points,
                PART_AMOUNT: AMOUNT_POINTS[AmountFit.EXACT],
                PART_DATE: DATE_POINTS,
                PART_UNIQUE: UNIQUE_SUBSET_POINTS,
            },
            [
                f"no invoice reference; {invoices_text([i for i, _ in balances])} are the only "
                "set of the customer's open invoices that sums to the amount",
                self.who,
            ],
        )

    def _subset_review(self, open_invoices: list[Invoice], search: SubsetSearch) -> Proposal:
        options = []
        for solution in search.solutions:
            ids = [open_invoices[i].invoice_id for i in solution]
            total = sum(self.ctx.book.remaining(i) for i in ids)
            parts = {
                PART_CUSTOMER: self.customer_points,
                PART_AMOUNT: AMOUNT_POINTS[AmountFit.EXACT],
            }
            options.append(
                candidate(ids, self.customer_id, total, parts, "these invoices sum to the amount")
            )
        why = (
            "several sets of the customer's open invoices sum to the amount"
            if search.outcome is SubsetOutcome.SEVERAL
            else f"the customer has too many open invoices ({len(open_invoices)}) to prove that "
            "only one set sums to the amount"
        )
        return review_proposal(
            self.facts,
            MatchRule.REVIEW_AMBIGUOUS,
            {PART_CUSTOMER: self.customer_points, PART_AMBIGUITY: AMBIGUITY_POINTS},
            [f"no invoice reference; {why}", self.who],
            candidates=ranked(options, self.limit),
            customer_id=self.customer_id,
            evidence=self.evidence,
        )

    def part_of_only_invoice(self) -> Proposal | None:
        """Less than the balance of the customer's only open invoice (window or not)."""
        book, cents = self.ctx.book, self.facts.cents
        all_open = book.open_invoices_of(self.customer_id)
        if len(all_open) != 1 or cents >= book.remaining(all_open[0].invoice_id):
            return None
        only = all_open[0]
        remaining = book.remaining(only.invoice_id)
        return applied_proposal(
            self.facts,
            MatchRule.PARTIAL,
            [(only.invoice_id, cents)],
            0,
            self.customer_id,
            self.evidence,
            AmountFit.PARTIAL,
            {
                PART_CUSTOMER: self.customer_points,
                PART_AMOUNT: AMOUNT_POINTS[AmountFit.PARTIAL],
                PART_DATE: DATE_POINTS if self.in_window(only) else 0,
                PART_UNIQUE: UNIQUE_AMOUNT_POINTS,
            },
            [
                f"no invoice reference; invoice {only.invoice_id} is the customer's "
                "only open invoice",
                amount_phrase(
                    AmountFit.PARTIAL, cents, remaining, 1, self.ctx.settings.base_currency
                ),
                self.who,
            ],
            warnings=["partial payment without a reference: confirm the invoice with the customer"],
        )

    def on_account(self) -> Proposal:
        """Nothing fits: the money goes on the customer's account, open invoices as hints."""
        facts = self.facts
        all_open = self.ctx.book.open_invoices_of(self.customer_id)
        hints = [self.single(inv) for inv in all_open[: self.limit]]
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
            self.customer_id,
            self.evidence,
            AmountFit.NONE,
            {PART_CUSTOMER: self.customer_points, PART_ON_ACCOUNT: ON_ACCOUNT_POINTS},
            [
                "no open invoice of the customer fits "
                f"{money_text(facts.cents, self.ctx.settings.base_currency)}; payment on account",
                self.who,
            ],
            candidates=ranked(hints, self.limit),
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
