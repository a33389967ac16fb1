"""The set-wise road through the engine changes no answer.

The engine reads references and payers once per distinct value (``prepared``), builds its
invoice indexes over columns (``invoice_book``) and decides the easy hard-key case over
columns too (``settled_keys``); the plain road reads each payment on its own and sends
every one through the decision tiers. Both run here on the calibration seeds, the
scenario generator (a tolerance, a benchmark-shaped run) and the independent company,
and must agree proposal by proposal: rule and kind, invoices, allocations, customer,
confidence, explanation, candidates, warnings, and so every tier's refusal.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.matching import MatchRule, MatchSettings, Proposal, proposal_to_json_dict
from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.customers import CustomerDirectory
from app.domain.matching.engine import match_payments, match_with_facts, one_payment_facts
from app.domain.matching.invoice_book import InvoiceBook
from app.domain.matching.prepared import PreparedPayments
from app.domain.matching.references import normalise_reference
from app.domain.matching.settled_keys import settled_keys
from app.domain.matching.tiers import AutoApproveTier, Calibration, proposal_kind, tier_refusal
from app.domain.money import to_cents
from app.domain.records import Customer, Invoice, PaymentMethod, Transaction, TransactionType
from app.sync.review.calibration_data import shipped_calibration
from tests.support import independent_company
from tests.support.calibration import BACKGROUND_CUSTOMERS, DEFAULT_SEEDS, SCENARIOS_PER_SEED
from tests.support.independent_company_records import IndependentCompany
from tests.support.matching_scenarios import (
    company,
    generate_at_scale,
    generate_scenarios,
    open_invoice,
    sale,
)


def _one_at_a_time(
    payments: Sequence[Transaction], ctx: MatchContext
) -> Callable[[int], PaymentFacts]:
    """The old path: every payment's references and payer read on their own."""
    return lambda position: one_payment_facts(payments[position], ctx)


def _assert_same(
    payments: Sequence[Transaction],
    invoices: Sequence[Invoice],
    customers: Sequence[Customer],
    settings: MatchSettings | None = None,
) -> int:
    """Both roads agree; returns how many payments the set-wise decision took."""
    new = match_payments(payments, invoices, customers, settings)
    old = match_with_facts(payments, invoices, customers, settings, _one_at_a_time)
    assert len(new) == len(old) == len(payments)
    calibration = shipped_calibration()
    for fast, slow in zip(new, old, strict=True):
        if fast != slow:  # the summary first: it says in words what differs
            assert _summary(fast, calibration) == _summary(slow, calibration)
            assert proposal_to_json_dict(fast) == proposal_to_json_dict(slow)
        assert fast == slow  # every field, candidates and warnings included
    return _settled_set_wise(payments, invoices, customers, settings)


def _settled_set_wise(
    payments: Sequence[Transaction],
    invoices: Sequence[Invoice],
    customers: Sequence[Customer],
    settings: MatchSettings | None,
) -> int:
    settings = settings or MatchSettings()
    ctx = MatchContext(
        InvoiceBook(invoices, settings.min_reference_length),
        CustomerDirectory(customers, settings),
        settings,
        to_cents(settings.amount_tolerance),
    )
    return len(settled_keys(payments, PreparedPayments(payments, ctx), ctx))


def _summary(proposal: Proposal, calibration: Calibration) -> tuple[object, ...]:
    refusals = tuple(tier_refusal(proposal, tier, calibration) for tier in AutoApproveTier)
    return (
        proposal.transaction_id,
        proposal_kind(proposal),
        tuple((a.invoice_id, a.amount) for a in proposal.applications),
        proposal.on_account,
        proposal.customer_id,
        proposal.confidence,
        proposal.reason,
        refusals,
    )


@pytest.mark.parametrize("seed", DEFAULT_SEEDS)
def test_calibration_seeds_get_the_same_proposals(seed: int) -> None:
    data = generate_scenarios(
        seed, scenarios=SCENARIOS_PER_SEED, background_customers=BACKGROUND_CUSTOMERS
    )
    assert _assert_same(data.payments, data.invoices, data.customers) > SCENARIOS_PER_SEED / 5


def test_scenarios_with_a_tolerance_get_the_same_proposals() -> None:
    data = generate_scenarios(7, scenarios=1_500)
    tolerance = MatchSettings(amount_tolerance=Decimal("1.50"))
    assert _assert_same(data.payments, data.invoices, data.customers, tolerance) > 300


def test_a_benchmark_shaped_run_gets_the_same_proposals() -> None:
    data = generate_at_scale(4_000, 8_000, seed=3)
    assert _assert_same(data.payments, data.invoices, data.customers) > 1_000


# Two seeds in the default run (~1 s of CPU each, most of it generating the company).
@pytest.mark.parametrize(
    "seed", [1, 2, *(pytest.param(s, marks=pytest.mark.reliability) for s in range(3, 6))]
)
def test_the_independent_company_gets_the_same_proposals(seed: int) -> None:
    assert _assert_same(*independent_records(independent_company.generate(seed, 1_000))) > 150


def independent_records(
    company: IndependentCompany,
) -> tuple[list[Transaction], list[Invoice], list[Customer]]:
    """The company as the engine sees it after a sync: every invoice keyed (those paid in
    the office closed), every PayTrace row as exported."""
    customers = [
        Customer(c.customer_id, c.name, email=c.email, paytrace_customer_id=c.linked_vault)
        for c in company.customers
    ]
    invoices = [
        Invoice(
            invoice_id=i.invoice_id,
            customer_id=i.customer_id,
            amount=i.amount,
            balance=Decimal("0.00") if i.paid_in_office else i.amount,
            invoice_date=i.invoice_date,
            order_number=i.order_number,
            po_number=i.po_number,
            status="Paid" if i.paid_in_office else "Open",
        )
        for i in company.invoices
    ]
    payments = [
        Transaction(
            transaction_id=r.transaction_id,
            transaction_type=TransactionType.parse(r.kind),
            amount=r.amount,
            created_local=r.created,
            created_text=r.created.isoformat(),
            payment_method=PaymentMethod.ACH if r.ach else PaymentMethod.CARD,
            invoice_id=r.invoice_field,
            customer_reference_id=r.customer_reference,
            description=r.description,
            customer_id=r.vault_id,
            billing_name=r.billing_name,
            email=r.email,
        )
        for r in company.rows
    ]
    return payments, invoices, customers


ACME = company("C001", "Acme Bakery", link="PT-ACME")
BETA = company("C002", "Beta Farms", link="PT-BETA")


def _hand_made(*payments: Transaction) -> list[Proposal]:
    invoices = [
        open_invoice("10001", "C001", "120.00"),
        open_invoice("10002", "C001", "80.00"),
        open_invoice("20001", "C002", "120.00"),
    ]
    _assert_same(payments, invoices, [ACME, BETA])
    return match_payments(payments, invoices, [ACME, BETA])


def test_the_easy_case_is_decided_set_wise_as_the_tiers_decide_it() -> None:
    [p] = _hand_made(sale(1, "120.00", customer_id="PT-ACME", invoice_id="INV-10001"))
    assert (p.rule, p.confidence, p.warnings) == (MatchRule.HARD_KEY, 100, ())
    assert p.reason == (
        "invoice 10001 found in invoice_id; amount equals balance; "
        "customer C001 by PayTrace link PT-ACME"
    )


def test_a_second_named_invoice_keeps_a_payment_off_the_set_wise_road() -> None:
    # Both fields are whole keys: the tiers weigh both invoices and pick the one that fits.
    [p] = _hand_made(
        sale(1, "120.00", customer_id="PT-ACME", invoice_id="10001", customer_reference_id="10002")
    )
    assert p.rule is MatchRule.REFERENCE_TOKEN
    assert "invoice 10002 also named but not covered by the amount" in p.warnings


def test_an_invoice_used_earlier_in_the_run_is_still_reported() -> None:
    first = sale(1, "80.00", customer_id="PT-ACME", invoice_id="10002")
    second = sale(2, "120.00", day=1, customer_id="PT-ACME", invoice_id="10001",
                  description="also inv 10002")  # fmt: skip
    _, p = _hand_made(first, second)
    assert p.rule is MatchRule.HARD_KEY
    assert p.warnings == (
        "invoice 10002 found in description was already applied by payment 1 in this run",
    )


def test_a_paid_invoice_or_another_customers_invoice_goes_through_the_tiers() -> None:
    first = sale(1, "120.00", customer_id="PT-ACME", invoice_id="10001")
    again = sale(2, "120.00", day=1, customer_id="PT-ACME", invoice_id="10001")
    other = sale(3, "120.00", day=2, customer_id="PT-ACME", invoice_id="20001")
    rules = [p.rule for p in _hand_made(first, again, other)]
    assert rules == [
        MatchRule.HARD_KEY,
        MatchRule.REVIEW_ALREADY_PAID,
        MatchRule.HARD_KEY,  # named by the payer, but with a warning about the owner
    ]


def test_payments_naming_invoices_when_sage_pro_gave_none_go_on_account_or_to_review() -> None:
    # The first cycle after a Sage Pro outage: references, but no invoices at all.
    payments = [sale(1, "120.00", customer_id="PT-ACME", invoice_id="INV-10001")]
    _assert_same(payments, [], [ACME, BETA])
    [p] = match_payments(payments, [], [ACME, BETA])
    assert p.rule is not MatchRule.HARD_KEY


@pytest.mark.parametrize("enabled", [True, False])
def test_a_run_leaves_the_cycle_collector_as_it_found_it(enabled: bool) -> None:
    data = generate_scenarios(2, scenarios=50)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        match_payments(data.payments, data.invoices, data.customers)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


@given(st.text(alphabet="0123456789", max_size=14))
def test_digit_keys_take_the_short_way_to_the_same_key(digits: str) -> None:
    # A leading space sends the text through the full rules (and is stripped by them).
    assert normalise_reference(digits) == normalise_reference(f" {digits}")
