"""``match_payments``: one proposal per payment, set-based, in one pass over the payments.

Indexes over invoices and customers are built once per run (hash joins and sorted arrays);
the payments' references and payers are read set-wise, once per distinct value
(``prepared``); each payment then costs a handful of dict lookups and a bisect, never a
scan of all invoices. Payments are allocated in date order so earlier payments consume
balances first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.domain.cycle_collector import cycle_collector_paused
from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.currency import foreign_currencies, hold_foreign
from app.domain.matching.customer_matching import match_by_customer, review_unknown_customer
from app.domain.matching.customers import CustomerDirectory
from app.domain.matching.invoice_book import InvoiceBook
from app.domain.matching.model import MatchRule, MatchSettings, Proposal
from app.domain.matching.prepared import FactsOf, PreparedPayments
from app.domain.matching.proposals import refusal
from app.domain.matching.reference_matching import match_by_reference
from app.domain.matching.references import extract_references
from app.domain.matching.settled_keys import SettledKey, settled_keys
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
    return match_with_facts(payments, invoices, customers, settings, None)


Prepare = Callable[[Sequence[Transaction], MatchContext], FactsOf]


def match_with_facts(
    payments: Sequence[Transaction],
    invoices: Sequence[Invoice],
    customers: Sequence[Customer],
    settings: MatchSettings | None,
    one_at_a_time: Prepare | None,
) -> list[Proposal]:
    """``match_payments``. Given ``one_at_a_time``, each payment's facts come from it and
    every payment goes through the tiers: the plain road the tests hold the set-wise one
    (``prepared``, ``settled_keys``) to, proposal by proposal."""
    with cycle_collector_paused():
        return _match_all(payments, invoices, customers, settings or MatchSettings(), one_at_a_time)


def _match_all(
    payments: Sequence[Transaction],
    invoices: Sequence[Invoice],
    customers: Sequence[Customer],
    settings: MatchSettings,
    one_at_a_time: Prepare | None,
) -> list[Proposal]:
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
    shortcuts: dict[int, SettledKey] = {}
    if one_at_a_time is None:
        prepared = PreparedPayments(payments, ctx)
        facts_of: FactsOf = prepared.facts
        shortcuts = settled_keys(payments, prepared, ctx)
    else:
        facts_of = one_at_a_time(payments, ctx)
    proposals: dict[int, Proposal] = {}
    seen: set[int] = set()
    for position in order:
        payment = payments[position]
        proposal = _refusal(payment, seen)
        if proposal is None:
            settled = shortcuts.get(position)
            if settled is not None and ctx.book.remaining(settled.invoice_id) == settled.cents:
                proposal = settled.proposal  # decided set-wise; the balance is still untouched
            else:
                proposal = _match_one(facts_of(position), ctx)
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
    """One payment's facts read on their own (what ``PreparedPayments`` does set-wise)."""
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
