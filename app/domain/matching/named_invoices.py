"""Invoices a payer named, and what ties the payer to the invoices' customer.

Shared by the reference tier (``reference_matching``) and its amount decision
(``named_amount``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.invoice_book import InvoiceField
from app.domain.matching.model import Candidate, CustomerEvidence
from app.domain.matching.proposals import amount_phrase, candidate, invoices_text
from app.domain.matching.references import ReferenceHit
from app.domain.matching.scoring import (
    AMOUNT_POINTS,
    CUSTOMER_MISMATCH_POINTS,
    CUSTOMER_POINTS,
    PART_AMOUNT,
    PART_CUSTOMER,
    PART_DATE,
    PART_REFERENCE,
    amount_fit,
    date_points,
    reference_points,
)
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


def named_phrase(named: Sequence[NamedInvoice]) -> str:
    sources = {n.hit.source for n in named}
    if (
        len(named) > 1
        and len(sources) == 1
        and all(n.invoice_field is InvoiceField.INVOICE_ID for n in named)
    ):
        ids = [n.invoice_id for n in named]
        return f"{invoices_text(ids)} found in {named[0].hit.source.value}"
    return ", ".join(n.phrase() for n in named)


def customer_part(
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


def alternative(named: NamedInvoice, facts: PaymentFacts, ctx: MatchContext) -> Candidate:
    remaining = ctx.book.remaining(named.invoice_id)
    fit = amount_fit(facts.cents, remaining, ctx.tolerance_cents)
    _, customer_points, _ = customer_part(facts, ctx, named.invoice.customer_id)
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
