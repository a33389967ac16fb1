"""Finding the sale of a refund that is older than the local store or the poll window.

``refunds.find_original_sale`` only knows the sales this store has read. When it finds none
but the refund names an invoice, the sale is looked for outside, before matching:

1. Sage Pro: payments of that invoice (payments filter by ``InvoiceID``) whose reference is
   this integration's key ``PT-<sale id>-PAY`` — the sale was posted by Paysage before.
2. PayTrace history: approved sales of that invoice on the refund's card (and vault customer)
   in a bounded search of older exports; the invoice to credit is then the one the sale's
   ``PT-<id>-PAY`` payment paid, or else the invoice itself when Sage Pro shows at least the
   refund's amount paid on it (a payment keyed in by hand before Paysage).

The network reads happen outside write transactions; ``propose`` gets the result. A search
that could not ask (an outage) defers the refund to the next cycle instead of sending it to
review as "no sale found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.connectors.paytrace.client import PayTraceClient
from app.connectors.paytrace.errors import (
    PayTraceError,
    PayTraceNotFoundError,
    PayTraceValidationError,
)
from app.connectors.sagepro.errors import NotFoundError, SageProError
from app.connectors.sagepro.gateway import SageProGateway, iterate_pages
from app.domain.matching.references import normalise_reference
from app.domain.money import display_money, from_cents, to_cents
from app.domain.sagepro_records import Page, Payment
from app.store import Store
from app.store.models import PayTraceTransaction, SageProInvoice
from app.sync.inbound.refunds import OriginalSale, find_original_sale, refunded_cents
from app.sync.outbound.paytrace_search import InconclusiveSearchError, find_sales_in_history

# How far back PayTrace's history is searched for a refund's sale (card networks allow
# refunds for months; a year bounds the search to about a dozen monthly exports).
HISTORY_DAYS = 365
_PAYMENT_KEY = re.compile(r"^PT-(\d+)-PAY(?:-\d+)?$")  # PAY-2 … after an Unreconcile


@dataclass(frozen=True)
class RefundToTrace:
    transaction_id: int
    invoice_ref: str
    card_last4: str
    customer_id: str  # PayTrace vault id ("" when keyed)
    amount_cents: int
    day: date
    refunded_before_cents: int  # other refunds of the same invoice and card
    invoice_ids: tuple[str, ...]  # Sage Pro InvoiceIDs the reference may mean
    currency: str = "USD"  # PayTrace's money: the profile's base currency


@dataclass
class OldSaleLookup:
    found: dict[int, OriginalSale] = field(default_factory=dict)  # refund id → its sale
    deferred: set[int] = field(default_factory=set)  # could not ask: try next cycle
    notes: list[str] = field(default_factory=list)


def refunds_to_trace(session: Session, currency: str = "USD") -> list[RefundToTrace]:
    """Unmatched refunds whose sale is not in the store but whose invoice is named."""
    rows = session.execute(
        select(PayTraceTransaction).where(
            PayTraceTransaction.match_status == "unmatched",
            PayTraceTransaction.transaction_type == "REFUND",
        )
    ).scalars()
    result = []
    for row in rows:
        if not find_original_sale(session, row).searchable:
            continue
        result.append(
            RefundToTrace(
                transaction_id=row.transaction_id,
                invoice_ref=row.invoice_ref,
                card_last4=row.card_last4,
                customer_id=row.paytrace_customer_id,
                amount_cents=row.amount_cents,
                day=row.created_local.date(),
                refunded_before_cents=refunded_cents(
                    session, row.invoice_ref, row.card_last4, row.transaction_id
                ),
                invoice_ids=_invoice_ids(session, row.invoice_ref),
                currency=currency,
            )
        )
    return result


def _invoice_ids(session: Session, reference: str) -> tuple[str, ...]:
    """The reference as typed and normalised, plus any cached invoice it normalises to."""
    key = normalise_reference(reference)
    ids = [reference.strip().upper(), key]
    ids += session.execute(
        select(SageProInvoice.invoice_id).where(SageProInvoice.invoice_id.like(f"%{key}"))
    ).scalars()
    unique = [i for i in dict.fromkeys(ids) if i and normalise_reference(i) == key]
    return tuple(unique)


def look_up_old_sales(
    store: Store,
    sagepro: SageProGateway,
    paytrace: PayTraceClient,
    *,
    reachable: bool = True,
    base_currency: str = "USD",
) -> OldSaleLookup:
    """Trace every refund that needs it; ``reachable=False`` (Sage Pro was down) defers all."""
    with store.read() as session:
        refunds = refunds_to_trace(session, base_currency)
    lookup = OldSaleLookup()
    for refund in refunds:
        if not reachable:
            lookup.deferred.add(refund.transaction_id)
            continue
        try:
            lookup.found[refund.transaction_id] = trace_refund(refund, sagepro, paytrace)
        except (SageProError, PayTraceError) as exc:
            refused = (isinstance(exc, SageProError) and not exc.transient) or isinstance(
                exc, PayTraceValidationError
            )
            if refused:
                # A refusal will not go away by asking again: the refund waits in review.
                lookup.found[refund.transaction_id] = _unfound(
                    f"The sale of this refund could not be looked up: {exc}. "
                    "Choose the invoice to credit by hand."
                )
                continue
            lookup.deferred.add(refund.transaction_id)
            lookup.notes.append(
                f"The sale of refund {refund.transaction_id} could not be looked up ({exc}); "
                "it is tried again next sync."
            )
    return lookup


def trace_refund(
    refund: RefundToTrace, sagepro: SageProGateway, paytrace: PayTraceClient
) -> OriginalSale:
    """Sage Pro's payments first (one request), then PayTrace's history."""
    keyed = _keyed_payments_of_invoice(refund, sagepro)
    if len(keyed) > 1:
        keys = ", ".join(p.reference for _, p in keyed)
        return _unfound(
            f"Several earlier payments of invoice {refund.invoice_ref} could be the sale "
            f"this refund gives back ({keys}); choose the invoice to credit by hand."
        )
    if keyed:
        invoice_id, payment = keyed[0]
        sale_id = _sale_id(payment)
        if refund.refunded_before_cents + refund.amount_cents > to_cents(
            _applied_to(payment, invoice_id)
        ):
            return _unfound(
                f"Refunds of sale {sale_id} would exceed what its payment {payment.reference} "
                f"paid on invoice {invoice_id}; check them by hand."
            )
        if not _card_fits(paytrace, sale_id, refund.card_last4):
            return _unfound(
                f"Payment {payment.reference} of invoice {invoice_id} was made with another "
                f"card than this refund's ****{refund.card_last4}; choose the invoice by hand."
            )
        return _found(
            refund,
            sale_id,
            invoice_id,
            payment.customer_id,
            f"Refund of sale {sale_id}, older than this app's records: Sage Pro payment "
            f"{payment.reference} paid invoice {invoice_id}; credit invoice {invoice_id}",
        )
    return _from_paytrace_history(refund, sagepro, paytrace)


def _keyed_payments_of_invoice(
    refund: RefundToTrace, sagepro: SageProGateway
) -> list[tuple[str, Payment]]:
    found: dict[str, tuple[str, Payment]] = {}
    minimum = from_cents(refund.amount_cents)
    for invoice_id in refund.invoice_ids:
        for payment in iterate_pages(partial(_payments_page, sagepro, invoice_id)):
            if (
                _PAYMENT_KEY.match(payment.reference)
                and payment.status != "Failed"
                and not payment.reversed  # taken back: it no longer pays the invoice
                and _applied_to(payment, invoice_id) >= minimum
            ):
                found[payment.reference] = (invoice_id, payment)
    return list(found.values())


def _payments_page(sagepro: SageProGateway, invoice_id: str, page: int) -> Page[Payment]:
    return sagepro.list_payments(invoice_id=invoice_id, page=page)


def _applied_to(payment: Payment, invoice_id: str) -> Decimal:
    if payment.applications:
        return sum(
            (a.amount for a in payment.applications if a.invoice_id == invoice_id),
            from_cents(0),
        )
    return payment.amount if payment.invoice_id == invoice_id else from_cents(0)


def _sale_id(payment: Payment) -> int:
    match = _PAYMENT_KEY.match(payment.reference)
    assert match is not None  # only keyed payments get here
    return int(match.group(1))


def _card_fits(paytrace: PayTraceClient, sale_id: int, card_last4: str) -> bool:
    """PayTrace's row of the sale names the refund's card (or PayTrace no longer has it)."""
    try:
        export = paytrace.export_transaction(sale_id)
    except PayTraceNotFoundError:
        return True  # the Sage Pro key alone ties payment, sale and invoice together
    rows = [t for t in export.transactions if t.transaction_id == sale_id]
    return not rows or not card_last4 or rows[0].card_last4 == card_last4


def _from_paytrace_history(
    refund: RefundToTrace, sagepro: SageProGateway, paytrace: PayTraceClient
) -> OriginalSale:
    try:
        sales = find_sales_in_history(
            paytrace,
            invoice_id=refund.invoice_ref,
            card_last4=refund.card_last4,
            customer_id=refund.customer_id,
            min_amount=from_cents(refund.amount_cents),
            end=refund.day,
            days=HISTORY_DAYS,
        )
    except InconclusiveSearchError as exc:
        return _unfound(f"The sale of this refund could not be looked up: {exc}.")
    where = (
        f"for invoice {refund.invoice_ref!r} on card ****{refund.card_last4} of at least "
        f"{display_money(refund.amount_cents, cents=True, base=refund.currency)}"
    )
    if not sales:
        return _unfound(
            f"No sale {where} was found: not in this app's records, not among Sage Pro's "
            f"payments of the invoice, and not in PayTrace's last {HISTORY_DAYS} days. "
            "Choose the invoice to credit by hand."
        )
    if len(sales) > 1:
        ids = ", ".join(str(s.transaction_id) for s in sales)
        return _unfound(
            f"Several sales {where} in PayTrace's history could be the original ({ids}); "
            "choose one by hand."
        )
    sale = sales[0]
    payment, any_reversed = _current_payment(sagepro, sale.transaction_id)
    if payment is None and any_reversed:
        return _unfound(
            f"Sale {sale.transaction_id} was found in PayTrace's history, but its Sage Pro "
            "payment was reversed (a void, chargeback or Unreconcile): choose the invoice "
            "to credit by hand."
        )
    if payment is not None:
        invoice_id = _invoice_paid_by(payment, refund)
        if invoice_id:
            return _found(
                refund,
                sale.transaction_id,
                invoice_id,
                payment.customer_id,
                f"Refund of sale {sale.transaction_id} found in PayTrace's history; its Sage "
                f"Pro payment {payment.reference} paid invoice {invoice_id}; credit it",
            )
        return _unfound(
            f"Sale {sale.transaction_id} was found in PayTrace's history, but its Sage Pro "
            f"payment {payment.reference} did not pay invoice {refund.invoice_ref}; "
            "choose the invoice to credit by hand."
        )
    return _credit_invoice_paid_by_hand(refund, sale.transaction_id, sagepro)


def _current_payment(sagepro: SageProGateway, sale_id: int) -> tuple[Payment | None, bool]:
    """The sale's payment Sage Pro holds now (the newest key generation, ``PT-<id>-PAY``,
    ``-PAY-2`` …, that no reversal took back), and whether any generation was reversed."""
    current: Payment | None = None
    any_reversed = False
    generation = 1
    while True:
        key = f"PT-{sale_id}-PAY" + (f"-{generation}" if generation > 1 else "")
        payment = sagepro.find_payment(key)
        if payment is None:
            return current, any_reversed
        if payment.reversed:
            any_reversed = True
        else:
            current = payment
        generation += 1


def _invoice_paid_by(payment: Payment, refund: RefundToTrace) -> str:
    wanted = refund.amount_cents + refund.refunded_before_cents
    for invoice_id in refund.invoice_ids:
        if to_cents(_applied_to(payment, invoice_id)) >= wanted:
            return invoice_id
    return ""


def _credit_invoice_paid_by_hand(
    refund: RefundToTrace, sale_id: int, sagepro: SageProGateway
) -> OriginalSale:
    """The sale predates Paysage: credit the invoice when Sage Pro shows it paid enough."""
    for invoice_id in refund.invoice_ids:
        try:
            invoice = sagepro.get_invoice(invoice_id)
        except NotFoundError:
            continue
        if to_cents(invoice.amount_paid) >= refund.amount_cents + refund.refunded_before_cents:
            return _found(
                refund,
                sale_id,
                invoice.invoice_id,
                invoice.customer_id,
                f"Refund of sale {sale_id} found in PayTrace's history; Sage Pro shows invoice "
                f"{invoice.invoice_id} paid (not by this app); credit invoice {invoice.invoice_id}",
            )
        return _unfound(
            f"Sale {sale_id} was found in PayTrace's history, but Sage Pro shows only "
            f"{display_money(invoice.amount_paid, currency=invoice.currency, base=refund.currency)}"
            f" paid on invoice {invoice.invoice_id}, less "
            "than this refund gives back; check the invoice by hand."
        )
    return _unfound(
        f"Sale {sale_id} was found in PayTrace's history, but Sage Pro has no invoice "
        f"{refund.invoice_ref!r} to credit; choose the invoice by hand."
    )


def _found(
    refund: RefundToTrace, sale_id: int, invoice_id: str, customer_id: str, reason: str
) -> OriginalSale:
    return OriginalSale(
        None,
        invoice_id=invoice_id,
        customer_id=customer_id,
        reason=reason,
        sale_id=sale_id,
    )


def _unfound(reason: str) -> OriginalSale:
    return OriginalSale(None, reason=reason)
