"""The named invoices of one customer are known: the amount decides what happens.

In order: the amount fits them all (hard key or reference token); nothing confirms them
(a weak token, or the invoices belong to someone other than the payer: review); more than
they owe (other named invoices of the customer, else an overpayment); less than the one
named invoice (a part payment, unless the amount is exactly another invoice's balance);
less than several named invoices (a unique subset of them, else review).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.model import AmountFit, Candidate, CustomerEvidence, MatchRule, Proposal
from app.domain.matching.named_invoices import NamedInvoice, customer_part, named_phrase
from app.domain.matching.proposals import (
    allocate,
    amount_phrase,
    applied_proposal,
    candidate,
    invoices_text,
    ranked,
    review_proposal,
)
from app.domain.matching.references import ReferenceStrength
from app.domain.matching.rival_fits import fitting_candidates, invoice_sets_fitting
from app.domain.matching.scoring import (
    AMBIGUITY_POINTS,
    AMOUNT_POINTS,
    CUSTOMER_POINTS,
    PART_AMBIGUITY,
    PART_AMOUNT,
    PART_CUSTOMER,
    PART_DATE,
    PART_REFERENCE,
    amount_fit,
    date_points,
)
from app.domain.matching.subset_sum import SubsetOutcome, SubsetSearch, find_unique_subset


def decide_amount(
    facts: PaymentFacts,
    ctx: MatchContext,
    pool: list[NamedInvoice],
    extras: list[NamedInvoice],
    owner: str,
    mismatch: bool,
    alternatives: list[Candidate],
    warnings: list[str],
) -> Proposal:
    """``pool``: the strongest named invoices, all of ``owner``; ``extras``: weaker named
    invoices of ``owner``; ``mismatch``: the payer was identified as someone else."""
    named = _NamedAmount.of(facts, ctx, pool, owner, mismatch, alternatives, warnings)
    if named.fit.fits:
        rule = MatchRule.HARD_KEY if named.hard else MatchRule.REFERENCE_TOKEN
        return named.apply(rule, named.pool, named.fit)
    if named.weak or mismatch:
        return named.unconfirmed()
    if facts.cents > named.total:
        return named.more_than_named(extras)
    if len(named.pool) == 1:
        return named.less_than_one()
    return named.less_than_several()


@dataclass(frozen=True)
class _NamedAmount:
    facts: PaymentFacts  # with the resolution settled by the owner
    ctx: MatchContext
    pool: list[NamedInvoice]  # oldest first
    owner: str
    mismatch: bool
    alternatives: list[Candidate]
    warnings: list[str]
    balances: list[tuple[str, int]]  # the pool's remaining balances, in pool order
    total: int
    evidence: CustomerEvidence
    customer_points: int
    customer_phrase: str
    fit: AmountFit  # of the payment against the whole pool

    @classmethod
    def of(
        cls,
        facts: PaymentFacts,
        ctx: MatchContext,
        pool: list[NamedInvoice],
        owner: str,
        mismatch: bool,
        alternatives: list[Candidate],
        warnings: list[str],
    ) -> _NamedAmount:
        facts = replace(facts, resolution=facts.resolution.settled_by(owner))
        pool = sorted(pool, key=lambda n: (n.invoice.invoice_date, n.invoice_id))
        balances = [(n.invoice_id, ctx.book.remaining(n.invoice_id)) for n in pool]
        total = sum(cents for _, cents in balances)
        evidence, points, phrase = customer_part(facts, ctx, owner)
        fit = amount_fit(facts.cents, total, ctx.tolerance_cents)
        return cls(
            facts, ctx, pool, owner, mismatch, alternatives, warnings,
            balances, total, evidence, points, phrase, fit,
        )  # fmt: skip

    @property
    def hard(self) -> bool:
        return self.pool[0].hit.strength is ReferenceStrength.WHOLE_FIELD

    @property
    def weak(self) -> bool:
        """A number in the description with nothing about the payer behind it."""
        return self.pool[0].hit.strength is ReferenceStrength.TEXT_TOKEN and (
            self.customer_points <= 0
        )

    def parts(self, chosen: Sequence[NamedInvoice], chosen_fit: AmountFit) -> dict[str, int]:
        return {
            PART_REFERENCE: min(n.points for n in chosen),
            PART_CUSTOMER: self.customer_points,
            PART_AMOUNT: AMOUNT_POINTS[chosen_fit],
            PART_DATE: date_points(
                self.facts.payment.merchant_date,
                [n.invoice.invoice_date for n in chosen],
                self.ctx.settings,
            ),
        }

    def review(self, reason: str, options: Sequence[Candidate]) -> Proposal:
        """A person decides; the whole pool is the first option."""
        whole = candidate(
            [n.invoice_id for n in self.pool],
            self.owner,
            self.total,
            self.parts(self.pool, self.fit),
            f"{named_phrase(self.pool)}; "
            + amount_phrase(
                self.fit,
                self.facts.cents,
                self.total,
                len(self.pool),
                self.ctx.settings.base_currency,
            ),
        )
        return review_proposal(
            self.facts,
            MatchRule.REVIEW_AMBIGUOUS,
            {**self.parts(self.pool, self.fit), PART_AMBIGUITY: AMBIGUITY_POINTS},
            [reason, self.customer_phrase],
            candidates=ranked(
                [whole, *options, *self.alternatives], self.ctx.settings.max_candidates
            ),
            warnings=self.warnings,
            customer_id=self.owner,
            evidence=self.evidence,
        )

    def apply(
        self,
        rule: MatchRule,
        chosen: list[NamedInvoice],
        chosen_fit: AmountFit,
        notes: Sequence[str] = (),
    ) -> Proposal:
        """The payment applied to ``chosen``, oldest first; the rest on account."""
        book, cents = self.ctx.book, self.facts.cents
        chosen = sorted(chosen, key=lambda n: (n.invoice.invoice_date, n.invoice_id))
        chosen_balances = [(n.invoice_id, book.remaining(n.invoice_id)) for n in chosen]
        chosen_total = sum(balance for _, balance in chosen_balances)
        allocations, left = allocate(cents, chosen_balances)
        extra_warnings = list(notes)
        if self.mismatch:
            extra_warnings.append(
                f"payer identified as {self.facts.resolution.customer_id} but "
                f"{invoices_text([n.invoice_id for n in chosen])} belongs to {self.owner}"
            )
        return applied_proposal(
            self.facts,
            rule,
            allocations,
            left,
            self.owner,
            self.evidence,
            chosen_fit,
            self.parts(chosen, chosen_fit),
            [
                named_phrase(chosen),
                amount_phrase(
                    chosen_fit, cents, chosen_total, len(chosen), self.ctx.settings.base_currency
                ),
                self.customer_phrase,
            ],
            candidates=ranked(self.alternatives, self.ctx.settings.max_candidates),
            warnings=[*self.warnings, *extra_warnings],
        )

    def unconfirmed(self) -> Proposal:
        """The amount does not fit and neither the payer nor the reference is strong enough."""
        if self.mismatch:
            why = (
                f"{named_phrase(self.pool)} belongs to {self.owner}, not to the payer, "
                "and the amount does not fit"
            )
        else:
            why = f"{named_phrase(self.pool)}, but neither amount nor customer confirms it"
        return self.review(why, _payer_options(self.facts, self.ctx))

    def more_than_named(self, extras: list[NamedInvoice]) -> Proposal:
        """Weaker named invoices that make up the difference exactly, else an overpayment."""
        if extras:
            search = _subset(
                self.ctx,
                [self.ctx.book.remaining(n.invoice_id) for n in extras],
                self.facts.cents - self.total,
            )
            if search.outcome is SubsetOutcome.UNIQUE:
                chosen = self.pool + [extras[i] for i in search.solutions[0]]
                return self.apply(MatchRule.REFERENCE_TOKEN, chosen, AmountFit.EXACT)
        return self.apply(MatchRule.OVERPAYMENT, self.pool, AmountFit.OVER)

    def less_than_one(self) -> Proposal:
        """A part payment of the named invoice, unless the amount is exactly what other
        invoices of the customer owe (issue 19's independent company: a typo is as likely)."""
        only = self.pool[0]
        others = invoice_sets_fitting(self.ctx, self.owner, self.facts.cents, [only.invoice_id])
        if others:
            paid = " or ".join(invoices_text(list(ids)) for ids in others)
            return self.review(
                f"{named_phrase(self.pool)}, but the amount is exactly the open balance of "
                f"{paid}: a mistyped number, or part payment of invoice {only.invoice_id}?",
                fitting_candidates(self.ctx, self.owner, others, self.facts.cents),
            )
        return self.apply(MatchRule.PARTIAL, self.pool, AmountFit.PARTIAL)

    def less_than_several(self) -> Proposal:
        """A unique subset of the named invoices that the amount pays exactly, else review."""
        search = _subset(self.ctx, [cents for _, cents in self.balances], self.facts.cents)
        if search.outcome is SubsetOutcome.UNIQUE:
            chosen = [self.pool[i] for i in search.solutions[0]]
            left_out = [n.invoice_id for n in self.pool if n not in chosen]
            note = f"{invoices_text(left_out)} also named but not covered by the amount"
            return self.apply(MatchRule.REFERENCE_TOKEN, chosen, AmountFit.EXACT, [note])
        options = [
            candidate(
                [self.pool[i].invoice_id for i in solution],
                self.owner,
                sum(self.balances[i][1] for i in solution),
                self.parts([self.pool[i] for i in solution], AmountFit.EXACT),
                "these named invoices sum to the amount",
            )
            for solution in search.solutions
        ]
        why = {
            SubsetOutcome.SEVERAL: "several sets of the named invoices sum to the amount",
            SubsetOutcome.TOO_LARGE: "too many ways to split the amount over the named invoices",
            SubsetOutcome.NONE: (
                "the amount covers only part of the named invoices; how to split it is a decision"
            ),
        }[search.outcome]
        return self.review(f"{named_phrase(self.pool)}: {why}", options)


def _subset(ctx: MatchContext, amounts: list[int], target: int) -> SubsetSearch:
    settings = ctx.settings
    return find_unique_subset(
        amounts,
        target,
        min_size=1,
        max_size=settings.max_subset_size,
        max_items=settings.max_subset_invoices,
        budget=settings.subset_search_budget,
    )


def _payer_options(facts: PaymentFacts, ctx: MatchContext) -> list[Candidate]:
    """The identified payer's own invoices whose balance fits the amount, for the review panel."""
    payer = facts.resolution.customer_id
    if payer is None:
        return []
    options = []
    for invoice_id in ctx.book.customer_balances_near(payer, facts.cents, ctx.tolerance_cents):
        remaining = ctx.book.remaining(invoice_id)
        fit = amount_fit(facts.cents, remaining, ctx.tolerance_cents)
        parts = {
            PART_CUSTOMER: CUSTOMER_POINTS[facts.resolution.evidence],
            PART_AMOUNT: AMOUNT_POINTS[fit],
        }
        fit_text = amount_phrase(fit, facts.cents, remaining, 1, ctx.settings.base_currency)
        reason = f"invoice {invoice_id} of the payer {payer}; {fit_text}"
        options.append(candidate([invoice_id], payer, remaining, parts, reason))
    return options
