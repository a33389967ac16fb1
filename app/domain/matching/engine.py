"""``match_payments``: one proposal per payment, set-based, in one pass over the payments.

Indexes over invoices and customers are built once per run (hash joins and sorted arrays);
the payments' references and payers are read set-wise, once per distinct value
(``prepared``); each payment then costs a handful of dict lookups and a bisect, never a
scan of all invoices. Payments are allocated in date order so earlier payments consume
balances first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.currency import foreign_currencies, hold_foreign
from app.domain.matching.customer_matching import match_by_customer, review_unknown_customer
from app.domain.matching.customers import CustomerDirectory
from app.domain.matching.invoice_book import InvoiceBook
from app.domain.matching.model import MatchRule, MatchSettings, Proposal
from app.domain.matching.prepared import FactsOf, prepare_facts
from app.domain.matching.proposals import refusal
from app.domain.matching.reference_matching import match_by_reference
from app.domain.matching.references import extract_references
from app.domain.money import to_cents
from app.domain.records import Customer, Invoice, Transaction, TransactionType


def match_payments(
    payments: Sequence[Transaction],
    invoices: Sequence[Invoice],
    customers: Sequence[Customer],
    settings: MatchSettings | None = None,
) -> list[Proposal]:
    """Propose what to do with each payment; the result is in the order of ``payments``.

    ``invoices`` should be the open ones (others are used only to explain "already paid");
    only SALE transactions are matched (captured authorizations export as SALE), anything
    else comes back as a refusal. Raises ValueError for a repeated InvoiceID or CustomerID.
    """
    return match_with_facts(payments, invoices, customers, settings, prepare_facts)


def match_with_facts(
    payments: Sequence[Transaction],
    invoices: Sequence[Invoice],
    customers: Sequence[Customer],
    settings: MatchSettings | None,
    prepare: Callable[[Sequence[Transaction], MatchContext], FactsOf],
) -> list[Proposal]:
    """``match_payments`` with the payments' facts from ``prepare`` (set-wise in the app;
    the tests also run one payment at a time to prove both give the same proposals)."""
    settings = settings or MatchSettings()
    ctx = MatchContext(
        book=InvoiceBook(invoices, settings.min_reference_length),
        directory=CustomerDirectory(customers, settings),
        settings=settings,
        tolerance_cents=to_cents(settings.amount_tolerance),
    )
    order = sorted(
        range(len(payments)),
        key=lambda i: (payments[i].created_local, payments[i].transaction_id, i),
    )
    foreign = foreign_currencies(invoices, settings.base_currency)
    facts_of = prepare(payments, ctx)
    proposals: dict[int, Proposal] = {}
    seen: set[int] = set()
    for position in order:
        payment = payments[position]
        proposal = _refusal(payment, seen) or _match_one(facts_of(position), ctx)
        proposal = hold_foreign(proposal, foreign, settings.base_currency)
        seen.add(payment.transaction_id)
        for application in proposal.applications:
            ctx.book.consume(
                application.invoice_id, to_cents(application.amount), payment.transaction_id
            )
        proposals[position] = proposal
    return [proposals[position] for position in range(len(payments))]


def _refusal(payment: Transaction, seen: set[int]) -> Proposal | None:
    if payment.transaction_type is not TransactionType.SALE:
        return refusal(
            payment,
            MatchRule.REFUSED_NOT_A_SALE,
            f"a {payment.transaction_type.value} transaction is not matched to invoices "
            "(only SALE, which includes captured authorizations)",
        )
    if payment.transaction_id in seen:
        return refusal(
            payment,
            MatchRule.REFUSED_INVALID,
            f"transaction {payment.transaction_id} appears twice in this run",
        )
    if payment.amount <= 0:
        return refusal(
            payment, MatchRule.REFUSED_INVALID, f"amount {payment.amount} is not positive"
        )
    return None


def one_payment_facts(payment: Transaction, ctx: MatchContext) -> PaymentFacts:
    """One payment's facts read on their own (what ``prepare_facts`` does set-wise)."""
    return PaymentFacts(
        payment=payment,
        cents=to_cents(payment.amount),
        resolution=ctx.directory.resolve(payment),
        references=extract_references(
            payment.invoice_id,
            payment.customer_reference_id,
            payment.description,
            ctx.settings.min_reference_length,
        ),
    )


def _match_one(facts: PaymentFacts, ctx: MatchContext) -> Proposal:
    by_reference = match_by_reference(facts, ctx)
    if by_reference is not None:
        return by_reference
    if facts.resolution.customer_id is not None:
        return match_by_customer(facts, ctx)
    return review_unknown_customer(facts, ctx)
