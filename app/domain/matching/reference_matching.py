"""Tier 1: the payer named invoices (hard key or reference tokens). Decide from them.

Strongest references win: a whole reference field (hard key) over a list item or a number
inside a reference field, over a number in the description. Invoices of other customers
are never taken silently, tokens never outvote a hard key, and several equally named
invoices are applied only when the amount says which (all of them, or a unique subset).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.invoice_book import InvoiceField
from app.domain.matching.model import AmountFit, Candidate, CustomerEvidence, MatchRule, Proposal
from app.domain.matching.proposals import (
    allocate,
    amount_phrase,
    applied_proposal,
    candidate,
    invoices_text,
    ranked,
    review_proposal,
)
from app.domain.matching.references import ReferenceHit, ReferenceStrength
from app.domain.matching.rival_fits import fitting_candidates, invoice_sets_fitting
from app.domain.matching.scoring import (
    AMBIGUITY_POINTS,
    AMOUNT_POINTS,
    CUSTOMER_MISMATCH_POINTS,
    CUSTOMER_POINTS,
    PART_AMBIGUITY,
    PART_AMOUNT,
    PART_CLOSED,
    PART_CUSTOMER,
    PART_DATE,
    PART_REFERENCE,
    amount_fit,
    date_points,
    reference_points,
)
from app.domain.matching.subset_sum import SubsetOutcome, SubsetSearch, find_unique_subset
from app.domain.records import Invoice


@dataclass(frozen=True)
class NamedInvoice:
    invoice: Invoice
    hit: ReferenceHit
    invoice_field: InvoiceField

    @property
    def invoice_id(self) -> str:
        return self.invoice.invoice_id

    @property
    def points(self) -> int:
        return reference_points(self.hit.strength, self.invoice_field)

    def phrase(self) -> str:
        where = f"found in {self.hit.source.value}"
        if self.invoice_field is InvoiceField.ORDER_NUMBER:
            return f"order {self.invoice.order_number} of invoice {self.invoice_id} {where}"
        if self.invoice_field is InvoiceField.PO_NUMBER:
            return f"PO {self.invoice.po_number} of invoice {self.invoice_id} {where}"
        return f"invoice {self.invoice_id} {where}"


def _named_phrase(named: Sequence[NamedInvoice]) -> str:
    sources = {n.hit.source for n in named}
    if (
        len(named) > 1
        and len(sources) == 1
        and all(n.invoice_field is InvoiceField.INVOICE_ID for n in named)
    ):
        ids = [n.invoice_id for n in named]
        return f"{invoices_text(ids)} found in {named[0].hit.source.value}"
    return ", ".join(n.phrase() for n in named)


def _collect(facts: PaymentFacts, ctx: MatchContext) -> tuple[list[NamedInvoice], list[str]]:
    """Open invoices the references name (best occurrence each) and closed ones, as notes."""
    named: dict[str, NamedInvoice] = {}
    closed: dict[str, str] = {}
    for hit in facts.references:
        for match in ctx.book.by_key(hit.key):
            found = NamedInvoice(match.invoice, hit, match.invoice_field)
            known = named.get(found.invoice_id)
            if known is None or (found.hit.strength, found.points) > (
                known.hit.strength,
                known.points,
            ):
                named[found.invoice_id] = found
        if hit.strength >= ReferenceStrength.FIELD_TOKEN:
            for invoice in ctx.book.closed_by_key(hit.key):
                closed[invoice.invoice_id] = (
                    f"invoice {invoice.invoice_id} found in {hit.source.value} is {invoice.status} "
                    f"with balance {invoice.balance}"
                )
    return list(named.values()), list(closed.values())


def _customer_part(
    facts: PaymentFacts, ctx: MatchContext, owner: str
) -> tuple[CustomerEvidence, int, str]:
    """Evidence that the payer is ``owner``: (evidence, points, phrase)."""
    resolution = facts.resolution
    if resolution.customer_id == owner:
        return resolution.evidence, CUSTOMER_POINTS[resolution.evidence], resolution.explanation
    if resolution.customer_id is not None:
        return (
            CustomerEvidence.INVOICE_OWNER,
            CUSTOMER_MISMATCH_POINTS,
            f"payer is {resolution.explanation} but the invoice belongs to {owner}",
        )
    evidence = ctx.directory.evidence_for(facts.payment, owner)
    if evidence is CustomerEvidence.NONE:
        return (
            CustomerEvidence.INVOICE_OWNER,
            0,
            f"customer {owner} owns the invoice (payer not identified)",
        )
    return evidence, CUSTOMER_POINTS[evidence], f"customer {owner} confirmed by {evidence.value}"


def _alternative(named: NamedInvoice, facts: PaymentFacts, ctx: MatchContext) -> Candidate:
    remaining = ctx.book.remaining(named.invoice_id)
    fit = amount_fit(facts.cents, remaining, ctx.tolerance_cents)
    _, customer_points, _ = _customer_part(facts, ctx, named.invoice.customer_id)
    parts = {
        PART_REFERENCE: named.points,
        PART_CUSTOMER: customer_points,
        PART_AMOUNT: AMOUNT_POINTS[fit],
        PART_DATE: date_points(
            facts.payment.merchant_date, [named.invoice.invoice_date], ctx.settings
        ),
    }
    fit_text = amount_phrase(fit, facts.cents, remaining, 1, ctx.settings.base_currency)
    reason = f"{named.phrase()}; {fit_text}"
    return candidate([named.invoice_id], named.invoice.customer_id, remaining, parts, reason)


def match_by_reference(facts: PaymentFacts, ctx: MatchContext) -> Proposal | None:
    """A proposal decided by the references, or None when they name nothing usable."""
    named, closed_notes = _collect(facts, ctx)
    resolved = facts.resolution.customer_id
    live = [n for n in named if ctx.book.remaining(n.invoice_id) > 0]
    used = [n for n in named if ctx.book.remaining(n.invoice_id) == 0]
    used_notes = [
        f"invoice {n.invoice_id} found in {n.hit.source.value} was already applied by payment "
        + ", ".join(str(t) for t in ctx.book.claimed_by(n.invoice_id))
        + " in this run"
        for n in used
        if n.hit.strength >= ReferenceStrength.FIELD_TOKEN or n.invoice.customer_id == resolved
    ]
    if not live:
        if not (used_notes or closed_notes):
            return None
        best = max(
            (n.points for n in used),
            default=reference_points(ReferenceStrength.WHOLE_FIELD, InvoiceField.INVOICE_ID),
        )
        return review_proposal(
            facts,
            MatchRule.REVIEW_ALREADY_PAID,
            {PART_REFERENCE: best, PART_CLOSED: -best},
            [
                *used_notes,
                *closed_notes,
                "a second payment may be a duplicate: refund or keep on account",
            ],
            customer_id=resolved,
            evidence=facts.resolution.evidence,
        )
    top = max(n.hit.strength for n in live)
    pool = [n for n in live if n.hit.strength == top]
    foreign: list[NamedInvoice] = []
    mismatch = False
    if resolved is not None:
        own = [n for n in pool if n.invoice.customer_id == resolved]
        if own:
            foreign = [n for n in pool if n.invoice.customer_id != resolved]
            pool = own
        elif top is ReferenceStrength.TEXT_TOKEN:
            return None  # a number in the description naming someone else's invoice: noise
        else:
            mismatch = True
    owners = sorted({n.invoice.customer_id for n in pool})
    if len(owners) > 1:
        options = [_alternative(n, facts, ctx) for n in pool]
        best = max(c.confidence for c in options)
        return review_proposal(
            facts,
            MatchRule.REVIEW_AMBIGUOUS,
            {PART_REFERENCE: best, PART_AMBIGUITY: AMBIGUITY_POINTS},
            [f"{_named_phrase(pool)}: these belong to different customers ({', '.join(owners)})"],
            candidates=ranked(options, ctx.settings.max_candidates),
            warnings=used_notes,
        )
    owner = owners[0]
    extras = [n for n in live if n.hit.strength < top and n.invoice.customer_id == owner]
    alternatives = [_alternative(n, facts, ctx) for n in foreign]
    return _decide_amount(facts, ctx, pool, extras, owner, mismatch, alternatives, used_notes)


def _decide_amount(
    facts: PaymentFacts,
    ctx: MatchContext,
    pool: list[NamedInvoice],
    extras: list[NamedInvoice],
    owner: str,
    mismatch: bool,
    alternatives: list[Candidate],
    warnings: list[str],
) -> Proposal:
    """The named invoices of one customer are known; the amount decides what happens."""
    facts = replace(facts, resolution=facts.resolution.settled_by(owner))
    pool = sorted(pool, key=lambda n: (n.invoice.invoice_date, n.invoice_id))
    balances = [(n.invoice_id, ctx.book.remaining(n.invoice_id)) for n in pool]
    total = sum(cents for _, cents in balances)
    evidence, customer_points, customer_phrase = _customer_part(facts, ctx, owner)
    fit = amount_fit(facts.cents, total, ctx.tolerance_cents)
    hard = pool[0].hit.strength is ReferenceStrength.WHOLE_FIELD
    weak = pool[0].hit.strength is ReferenceStrength.TEXT_TOKEN and customer_points <= 0
    limit = ctx.settings.max_candidates

    def parts(chosen: Sequence[NamedInvoice], chosen_fit: AmountFit) -> dict[str, int]:
        return {
            PART_REFERENCE: min(n.points for n in chosen),
            PART_CUSTOMER: customer_points,
            PART_AMOUNT: AMOUNT_POINTS[chosen_fit],
            PART_DATE: date_points(
                facts.payment.merchant_date, [n.invoice.invoice_date for n in chosen], ctx.settings
            ),
        }

    def review(reason: str, options: Sequence[Candidate]) -> Proposal:
        whole = candidate(
            [n.invoice_id for n in pool],
            owner,
            total,
            parts(pool, fit),
            f"{_named_phrase(pool)}; "
            + amount_phrase(fit, facts.cents, total, len(pool), ctx.settings.base_currency),
        )
        listed = ranked([whole, *options, *alternatives], limit)
        return review_proposal(
            facts,
            MatchRule.REVIEW_AMBIGUOUS,
            {**parts(pool, fit), PART_AMBIGUITY: AMBIGUITY_POINTS},
            [reason, customer_phrase],
            candidates=listed,
            warnings=warnings,
            customer_id=owner,
            evidence=evidence,
        )

    def apply(
        rule: MatchRule,
        chosen: list[NamedInvoice],
        chosen_fit: AmountFit,
        notes: Sequence[str] = (),
    ) -> Proposal:
        chosen = sorted(chosen, key=lambda n: (n.invoice.invoice_date, n.invoice_id))
        chosen_balances = [(n.invoice_id, ctx.book.remaining(n.invoice_id)) for n in chosen]
        chosen_total = sum(cents for _, cents in chosen_balances)
        allocations, left = allocate(facts.cents, chosen_balances)
        extra_warnings = list(notes)
        if mismatch:
            extra_warnings.append(
                f"payer identified as {facts.resolution.customer_id} but "
                f"{invoices_text([n.invoice_id for n in chosen])} belongs to {owner}"
            )
        return applied_proposal(
            facts,
            rule,
            allocations,
            left,
            owner,
            evidence,
            chosen_fit,
            parts(chosen, chosen_fit),
            [
                _named_phrase(chosen),
                amount_phrase(
                    chosen_fit, facts.cents, chosen_total, len(chosen), ctx.settings.base_currency
                ),
                customer_phrase,
            ],
            candidates=ranked(alternatives, limit),
            warnings=[*warnings, *extra_warnings],
        )

    if fit.fits:
        return apply(MatchRule.HARD_KEY if hard else MatchRule.REFERENCE_TOKEN, pool, fit)
    if weak or mismatch:
        own_options = _payer_options(facts, ctx)
        why = (
            f"{_named_phrase(pool)} belongs to {owner}, not to the payer, "
            "and the amount does not fit"
            if mismatch
            else f"{_named_phrase(pool)}, but neither amount nor customer confirms it"
        )
        return review(why, own_options)
    if facts.cents > total:
        if extras:
            search = _subset(
                ctx, [ctx.book.remaining(n.invoice_id) for n in extras], facts.cents - total
            )
            if search.outcome is SubsetOutcome.UNIQUE:
                chosen = pool + [extras[i] for i in search.solutions[0]]
                return apply(MatchRule.REFERENCE_TOKEN, chosen, AmountFit.EXACT)
        return apply(MatchRule.OVERPAYMENT, pool, AmountFit.OVER)
    if len(pool) == 1:
        others = invoice_sets_fitting(ctx, owner, facts.cents, excluding=[pool[0].invoice_id])
        if others:  # issue 19's independent company: a typo is as likely as a part payment
            paid = " or ".join(invoices_text(list(ids)) for ids in others)
            return review(
                f"{_named_phrase(pool)}, but the amount is exactly the open balance of {paid}: "
                f"a mistyped number, or part payment of invoice {pool[0].invoice_id}?",
                fitting_candidates(ctx, owner, others, facts.cents),
            )
        return apply(MatchRule.PARTIAL, pool, AmountFit.PARTIAL)
    search = _subset(ctx, [cents for _, cents in balances], facts.cents)
    if search.outcome is SubsetOutcome.UNIQUE:
        chosen = [pool[i] for i in search.solutions[0]]
        left_out = [n.invoice_id for n in pool if n not in chosen]
        note = f"{invoices_text(left_out)} also named but not covered by the amount"
        return apply(MatchRule.REFERENCE_TOKEN, chosen, AmountFit.EXACT, [note])
    options = [
        candidate(
            [pool[i].invoice_id for i in solution],
            owner,
            sum(balances[i][1] for i in solution),
            parts([pool[i] for i in solution], AmountFit.EXACT),
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
    return review(f"{_named_phrase(pool)}: {why}", options)


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
