"""Each rule that posts money, through the public ``match_payments``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.matching import (
    AmountFit,
    CustomerEvidence,
    MatchRule,
    MatchSettings,
    Proposal,
    match_payments,
)
from tests.support.matching_scenarios import company, open_invoice, sale

ACME = company("C001", "Acme Bakery", email="ap@acme.example", link="PT-ACME")
BLUE = company("C002", "Blue Fin Marine", email="pay@bluefin.example", link="PT-BLUE")


def one(payment, invoices, customers=(ACME, BLUE), settings=None) -> Proposal:  # type: ignore[no-untyped-def]
    [proposal] = match_payments([payment], invoices, list(customers), settings)
    return proposal


def applied(proposal: Proposal) -> list[tuple[str, Decimal]]:
    return [(a.invoice_id, a.amount) for a in proposal.applications]


@pytest.mark.parametrize("typed", ["104512", "INV-0104512", "#104512", " inv 104512 "])
def test_hard_key_on_invoice_id(typed: str) -> None:
    p = one(
        sale(1, "250.00", invoice_id=typed, customer_id="PT-ACME"),
        [open_invoice("104512", "C001", "250.00")],
    )
    assert p.rule is MatchRule.HARD_KEY
    assert applied(p) == [("104512", Decimal("250.00"))]
    assert p.customer_id == "C001" and p.customer_evidence is CustomerEvidence.PAYTRACE_LINK
    assert p.amount_fit is AmountFit.EXACT and p.on_account == 0
    assert p.confidence == 100
    assert p.score_parts == {"reference": 60, "customer": 20, "amount": 20, "date": 5}
    assert p.reason.startswith("invoice 104512 found in invoice_id; amount equals balance")
    assert p.warnings == ()


def test_hard_key_on_order_and_po_numbers() -> None:
    invoices = [
        open_invoice("104512", "C001", "100.00", order_number="SO20451"),
        open_invoice("104513", "C001", "200.00", po_number="PO-88812"),
    ]
    by_order = one(sale(1, "100.00", invoice_id="SO-20451"), invoices)
    by_po = one(sale(2, "200.00", customer_reference_id="po 88812"), invoices)
    assert (by_order.rule, applied(by_order)) == (
        MatchRule.HARD_KEY,
        [("104512", Decimal("100.00"))],
    )
    assert "order SO20451 of invoice 104512" in by_order.reason
    assert (by_po.rule, applied(by_po)) == (MatchRule.HARD_KEY, [("104513", Decimal("200.00"))])
    assert "PO PO-88812 of invoice 104513 found in customer_reference_id" in by_po.reason


def test_hard_key_without_payer_evidence_uses_the_invoice_owner() -> None:
    p = one(
        sale(1, "80.00", invoice_id="104512", billing_name="Jordan Miles"),
        [open_invoice("104512", "C002", "80.00")],
    )
    assert p.rule is MatchRule.HARD_KEY
    assert p.customer_id == "C002"
    assert p.customer_evidence is CustomerEvidence.INVOICE_OWNER
    assert p.score_parts["customer"] == 0


def test_reference_token_in_description() -> None:
    p = one(
        sale(1, "75.10", description="Payment for invoice 104512, thanks", email="AP@ACME.example"),
        [open_invoice("104512", "C001", "75.10")],
    )
    assert p.rule is MatchRule.REFERENCE_TOKEN
    assert applied(p) == [("104512", Decimal("75.10"))]
    assert p.reason.startswith("invoice 104512 found in description; amount equals balance")
    assert p.customer_evidence is CustomerEvidence.EMAIL


@pytest.mark.parametrize("typed", ["104512,104513", "104512/104513", "104512 & 104513"])
def test_list_of_invoices_pays_all_of_them(typed: str) -> None:
    invoices = [open_invoice("104512", "C001", "100.00"), open_invoice("104513", "C001", "50.25")]
    p = one(sale(1, "150.25", invoice_id=typed, customer_id="PT-ACME"), invoices)
    assert p.rule is MatchRule.REFERENCE_TOKEN
    assert sorted(applied(p)) == [("104512", Decimal("100.00")), ("104513", Decimal("50.25"))]
    assert "invoices 104512, 104513 found in invoice_id" in p.reason
    assert "amount equals sum of their balances" in p.reason


def test_customer_amount_when_nothing_is_named() -> None:
    invoices = [
        open_invoice("1", "C001", "99.00"),
        open_invoice("2", "C001", "120.00"),
        open_invoice("3", "C002", "120.00"),
    ]
    p = one(sale(1, "120.00", customer_id="PT-ACME"), invoices)
    assert p.rule is MatchRule.CUSTOMER_AMOUNT
    assert applied(p) == [("2", Decimal("120.00"))]
    assert p.score_parts["unique"] > 0
    assert "only open invoice with this amount" in p.reason


def test_customer_by_fuzzy_billing_name() -> None:
    p = one(
        sale(1, "120.00", billing_name="ACME BAKERY, INC."), [open_invoice("2", "C001", "120.00")]
    )
    assert p.rule is MatchRule.CUSTOMER_AMOUNT
    assert p.customer_evidence is CustomerEvidence.BILLING_NAME


def test_subset_sum_over_the_customers_open_invoices() -> None:
    invoices = [
        open_invoice(str(i), "C001", amount)
        for i, amount in enumerate(["100.00", "215.50", "37.25", "999.99"], start=1)
    ]
    p = one(sale(1, "352.75", customer_id="PT-ACME"), invoices)
    assert p.rule is MatchRule.SUBSET_SUM
    assert sorted(applied(p)) == [
        ("1", Decimal("100.00")),
        ("2", Decimal("215.50")),
        ("3", Decimal("37.25")),
    ]
    assert p.amount_fit is AmountFit.EXACT


def test_partial_payment_of_a_named_invoice() -> None:
    p = one(
        sale(1, "40.00", invoice_id="104512", customer_id="PT-ACME"),
        [open_invoice("104512", "C001", "100.00")],
    )
    assert p.rule is MatchRule.PARTIAL
    assert applied(p) == [("104512", Decimal("40.00"))]
    assert p.amount_fit is AmountFit.PARTIAL
    assert "pays $40.00 of the $100.00 balance" in p.reason


def test_partial_payment_of_the_only_open_invoice_carries_a_warning() -> None:
    p = one(sale(1, "40.00", customer_id="PT-ACME"), [open_invoice("7", "C001", "100.00")])
    assert p.rule is MatchRule.PARTIAL
    assert applied(p) == [("7", Decimal("40.00"))]
    assert p.warnings


def test_overpayment_leaves_the_rest_on_account() -> None:
    p = one(
        sale(1, "130.00", invoice_id="104512", customer_id="PT-ACME"),
        [open_invoice("104512", "C001", "100.00")],
    )
    assert p.rule is MatchRule.OVERPAYMENT
    assert applied(p) == [("104512", Decimal("100.00"))]
    assert p.on_account == Decimal("30.00")
    assert p.amount_fit is AmountFit.OVER


def test_on_account_when_the_customer_is_known_and_nothing_fits() -> None:
    invoices = [open_invoice("1", "C001", "100.00"), open_invoice("2", "C001", "250.00")]
    p = one(sale(1, "77.00", customer_id="PT-ACME"), invoices)
    assert p.rule is MatchRule.ON_ACCOUNT
    assert p.applications == ()
    assert p.on_account == Decimal("77.00")
    assert p.customer_id == "C001"
    assert [c.invoice_ids for c in p.candidates] == [("1",), ("2",)]


def test_tolerance_lets_a_short_payment_fit() -> None:
    invoices = [open_invoice("104512", "C001", "100.00")]
    strict = one(sale(1, "99.70", invoice_id="104512"), invoices)
    lenient = one(
        sale(1, "99.70", invoice_id="104512"),
        invoices,
        settings=MatchSettings(amount_tolerance=Decimal("0.50")),
    )
    assert strict.rule is MatchRule.PARTIAL
    assert lenient.rule is MatchRule.HARD_KEY
    assert lenient.amount_fit is AmountFit.WITHIN_TOLERANCE
    assert applied(lenient) == [("104512", Decimal("99.70"))]


def test_amount_only_matches_respect_the_date_window() -> None:
    old = open_invoice("1", "C001", "120.00", days_before=400)
    p = one(sale(1, "120.00", customer_id="PT-ACME"), [old, open_invoice("2", "C001", "5.00")])
    assert p.rule is MatchRule.ON_ACCOUNT
    wide = one(
        sale(1, "120.00", customer_id="PT-ACME"),
        [old, open_invoice("2", "C001", "5.00")],
        settings=MatchSettings(date_window_days=500),
    )
    assert wide.rule is MatchRule.CUSTOMER_AMOUNT


def test_balances_are_consumed_in_payment_date_order_whatever_the_input_order() -> None:
    invoice = open_invoice("104512", "C001", "100.00")
    later = sale(2, "60.00", day=5, invoice_id="104512", customer_id="PT-ACME")
    earlier = sale(1, "40.00", day=1, invoice_id="104512", customer_id="PT-ACME")
    second, first = match_payments([later, earlier], [invoice], [ACME])
    assert (first.transaction_id, first.rule) == (1, MatchRule.PARTIAL)
    assert (second.transaction_id, second.rule) == (2, MatchRule.HARD_KEY)
    assert applied(second) == [("104512", Decimal("60.00"))]
    assert "amount equals balance" in second.reason


def test_an_invoice_is_never_applied_beyond_its_balance_in_one_run() -> None:
    invoice = open_invoice("104512", "C001", "100.00")
    payments = [sale(i, "70.00", day=i, invoice_id="104512", customer_id="PT-ACME") for i in (1, 2)]
    first, second = match_payments(payments, [invoice], [ACME])
    assert applied(first) == [("104512", Decimal("70.00"))]
    assert applied(second) == [("104512", Decimal("30.00"))]
    assert second.on_account == Decimal("40.00")
    assert (
        any("already applied" in w or "payment 1" in w for w in second.warnings)
        or second.rule is MatchRule.OVERPAYMENT
    )


def test_results_come_back_in_input_order_one_per_payment() -> None:
    payments = [sale(i, "10.00", day=10 - i) for i in range(1, 6)]
    proposals = match_payments(payments, [], [ACME])
    assert [p.transaction_id for p in proposals] == [1, 2, 3, 4, 5]


def test_a_named_invoice_plus_a_token_can_pay_both() -> None:
    invoices = [open_invoice("104512", "C001", "100.00"), open_invoice("104513", "C001", "20.00")]
    p = one(
        sale(1, "120.00", invoice_id="104512", description="also 104513", customer_id="PT-ACME"),
        invoices,
    )
    assert sorted(applied(p)) == [("104512", Decimal("100.00")), ("104513", Decimal("20.00"))]
