"""Linking a PayTrace refund to the sale it gives back.

PayTrace refund rows name no original transaction (reference: "Decisions for our
stand-in"): they carry the original's invoice_id, customer_id and masked card, so the link
is made by invoice reference, card last 4 and amount — and refused when it is not unique.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.matching.references import normalise_reference
from app.store.models import PayTraceTransaction, Proposal

_SALES = ("SALE", "STR/FWD")


@dataclass(frozen=True)
class OriginalSale:
    original: PayTraceTransaction | None
    invoice_id: str = ""
    customer_id: str = ""
    reason: str = ""
    waiting: bool = False  # the original's payment is not decided yet
    # No sale in the local store, but the refund names an invoice: the sale may be older than
    # the store or the poll window, so ``old_sales`` may look for it in Sage Pro and PayTrace.
    searchable: bool = False
    sale_id: int = 0  # the original sale's PayTrace id, once the invoice to credit is known


def refunded_cents(session: Session, invoice_ref: str, card_last4: str, before_id: int) -> int:
    return int(
        session.execute(
            select(func.coalesce(func.sum(PayTraceTransaction.amount_cents), 0)).where(
                PayTraceTransaction.transaction_type == "REFUND",
                PayTraceTransaction.invoice_ref == invoice_ref,
                PayTraceTransaction.card_last4 == card_last4,
                PayTraceTransaction.transaction_id != before_id,
            )
        ).scalar_one()
    )


def find_original_sale(session: Session, refund: PayTraceTransaction) -> OriginalSale:
    key = normalise_reference(refund.invoice_ref)
    query = select(PayTraceTransaction).where(
        PayTraceTransaction.transaction_type.in_(_SALES),
        PayTraceTransaction.card_last4 == refund.card_last4,
        PayTraceTransaction.created_local <= refund.created_local,
        PayTraceTransaction.amount_cents >= refund.amount_cents,
    )
    if refund.paytrace_customer_id:
        query = query.where(PayTraceTransaction.paytrace_customer_id == refund.paytrace_customer_id)
    sales = [
        s
        for s in session.execute(query).scalars()
        if key and normalise_reference(s.invoice_ref) == key
    ]
    if not key:
        return OriginalSale(
            None,
            reason="The refund names no invoice, so its sale cannot be "
            "found; choose the invoice to credit by hand.",
        )
    if not sales:
        return OriginalSale(
            None,
            reason=f"No sale on card ****{refund.card_last4} for "
            f"{refund.invoice_ref!r} of at least this amount was found.",
            searchable=True,
        )
    if len(sales) > 1:
        ids = ", ".join(str(s.transaction_id) for s in sales)
        return OriginalSale(
            None, reason=f"Several sales could be the original ({ids}); choose one by hand."
        )
    sale = sales[0]
    if sale.match_status in ("unmatched", "proposed", "review"):
        return OriginalSale(sale, waiting=True)
    proposal = (
        session.execute(
            select(Proposal).where(
                Proposal.transaction_id == sale.transaction_id,
                Proposal.kind == "payment",
                Proposal.status.in_(("approved", "posted")),
            )
        )
        .scalars()
        .first()
    )
    if proposal is None or not proposal.applications:
        return OriginalSale(
            sale,
            customer_id=proposal.customer_id if proposal else "",
            reason=f"Sale {sale.transaction_id} was not applied to an invoice; "
            "choose the invoice to credit by hand.",
        )
    refunded = refunded_cents(session, refund.invoice_ref, refund.card_last4, refund.transaction_id)
    if refunded + refund.amount_cents > sale.amount_cents:
        return OriginalSale(
            None,
            reason=f"Refunds on sale {sale.transaction_id} would exceed "
            "what it charged; check them by hand.",
        )
    invoice_id = proposal.applications[0].invoice_id
    return OriginalSale(
        sale,
        invoice_id=invoice_id,
        customer_id=proposal.customer_id,
        sale_id=sale.transaction_id,
        reason=f"Refund of sale {sale.transaction_id} (same invoice reference, "
        f"card ****{refund.card_last4}); credit invoice {invoice_id}",
    )
