"""The dominant easy case, decided set-wise: the payer typed an invoice's key as a whole
reference field, nothing else they wrote names an open invoice, the invoice belongs to the
identified payer and the amount is exactly its balance.

For such a payment the reference tier (``match_by_reference``, then ``decide_amount``)
applies the whole amount to that invoice under HARD_KEY: one named invoice means no
ambiguity and no foreign candidates, an exact fit ends the decision before any rival or
subset is looked for, and an untouched balance leaves nothing "already applied" to warn
about. Here those conditions are checked over whole columns (numpy) and the proposals are
built in one loop from precomputed parts; the engine takes one only while the invoice's
balance is still the one it was given, and sends every other payment through the tiers.
tests/unit/test_matching_setwise.py proves both roads give the same proposals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.model import AmountFit, MatchRule, Proposal
from app.domain.matching.named_invoices import NamedInvoice
from app.domain.matching.prepared import PreparedPayments
from app.domain.matching.proposals import amount_phrase, applied_proposal
from app.domain.matching.references import ReferenceHit, ReferenceStrength
from app.domain.matching.scoring import (
    AMOUNT_POINTS,
    CUSTOMER_POINTS,
    PART_AMOUNT,
    PART_CUSTOMER,
    PART_DATE,
    PART_REFERENCE,
    date_points,
)
from app.domain.records import Transaction


@dataclass(frozen=True)
class SettledKey:
    """A payment's proposal, valid while ``invoice_id`` still has ``cents`` open."""

    invoice_id: str
    cents: int
    proposal: Proposal


def settled_keys(
    payments: Sequence[Transaction], prepared: PreparedPayments, ctx: MatchContext
) -> dict[int, SettledKey]:
    """Payment position -> its HARD_KEY proposal, for the payments that qualify."""
    positions: list[int] = []
    flat: list[ReferenceHit] = []
    for position, hits in enumerate(prepared.references):
        positions.extend([position] * len(hits))
        flat.extend(hits)
    if not flat:
        return {}
    keys = [hit.key for hit in flat]
    whole = [hit.strength is ReferenceStrength.WHOLE_FIELD for hit in flat]
    counts, entries = ctx.book.open_key_counts(keys)
    if not counts.any():
        return {}  # no reference names an open invoice (or there are none at all)
    hit_positions = np.array(positions, dtype=np.int64)
    named_per_payment = np.bincount(hit_positions, weights=counts, minlength=len(payments))
    chosen = (
        np.array(whole, dtype=bool)
        & (counts == 1)
        & (named_per_payment[hit_positions] == 1)  # no other hit names an open invoice
    )
    chosen &= ctx.book.given_cents(np.where(chosen, entries, 0)) == prepared.cents[hit_positions]
    settled: dict[int, SettledKey] = {}
    for hit_index in np.flatnonzero(chosen).tolist():
        position = positions[hit_index]
        resolution = prepared.resolutions[position]
        match = ctx.book.key_match(int(entries[hit_index]))
        if resolution.customer_id != match.invoice.customer_id:
            continue  # another customer's invoice, or an unknown payer: the tiers decide
        facts = prepared.facts(position)
        named = NamedInvoice(match.invoice, flat[hit_index], match.invoice_field)
        settled[position] = SettledKey(
            named.invoice_id, facts.cents, _hard_key_proposal(facts, named, ctx)
        )
    return settled


_EXACT_PHRASE = amount_phrase(AmountFit.EXACT, 0, 0, 1)


def _hard_key_proposal(facts: PaymentFacts, named: NamedInvoice, ctx: MatchContext) -> Proposal:
    """What ``decide_amount`` proposes for one named invoice the amount pays exactly."""
    resolution = facts.resolution
    parts = {
        PART_REFERENCE: named.points,
        PART_CUSTOMER: CUSTOMER_POINTS[resolution.evidence],
        PART_AMOUNT: AMOUNT_POINTS[AmountFit.EXACT],
        PART_DATE: date_points(
            facts.payment.merchant_date, [named.invoice.invoice_date], ctx.settings
        ),
    }
    return applied_proposal(
        facts,
        MatchRule.HARD_KEY,
        [(named.invoice_id, facts.cents)],
        0,
        named.invoice.customer_id,
        resolution.evidence,
        AmountFit.EXACT,
        parts,
        [named.phrase(), _EXACT_PHRASE, resolution.explanation],
    )
