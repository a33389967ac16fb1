"""Tier 1: the payer named invoices (hard key or reference tokens). Decide from them.

Strongest references win: a whole reference field (hard key) over a list item or a number
inside a reference field, over a number in the description. Invoices of other customers
are never taken silently, tokens never outvote a hard key, and several equally named
invoices are applied only when the amount says which (``named_amount``: all of them, or
a unique subset).
"""

from __future__ import annotations

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.invoice_book import InvoiceField
from app.domain.matching.model import MatchRule, Proposal
from app.domain.matching.named_amount import decide_amount
from app.domain.matching.named_invoices import NamedInvoice, alternative, named_phrase
from app.domain.matching.proposals import ranked, review_proposal
from app.domain.matching.references import ReferenceStrength
from app.domain.matching.scoring import (
    AMBIGUITY_POINTS,
    PART_AMBIGUITY,
    PART_CLOSED,
    PART_REFERENCE,
    reference_points,
)


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
        options = [alternative(n, facts, ctx) for n in pool]
        best = max(c.confidence for c in options)
        return review_proposal(
            facts,
            MatchRule.REVIEW_AMBIGUOUS,
            {PART_REFERENCE: best, PART_AMBIGUITY: AMBIGUITY_POINTS},
            [f"{named_phrase(pool)}: these belong to different customers ({', '.join(owners)})"],
            candidates=ranked(options, ctx.settings.max_candidates),
            warnings=used_notes,
        )
    owner = owners[0]
    extras = [n for n in live if n.hit.strength < top and n.invoice.customer_id == owner]
    alternatives = [alternative(n, facts, ctx) for n in foreign]
    return decide_amount(facts, ctx, pool, extras, owner, mismatch, alternatives, used_notes)
