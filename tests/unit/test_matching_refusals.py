"""Everything the engine refuses to decide: it says so, lists the options, posts nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.matching import (
    AutoApprovePolicy,
    MatchRule,
    MatchSettings,
    Proposal,
    is_auto_approvable,
    match_payments,
)
from app.domain.records import TransactionType
from tests.support.matching_scenarios import company, open_invoice, sale

ACME = company("C001", "Acme Bakery", email="ap@acme.example", link="PT-ACME")
BLUE = company("C002", "Blue Fin Marine", email="pay@bluefin.example", link="PT-BLUE")
POLICY = AutoApprovePolicy(enabled=True)


def one(payment, invoices, customers=(ACME, BLUE), settings=None) -> Proposal:  # type: ignore[no-untyped-def]
    [proposal] = match_payments([payment], invoices, list(customers), settings)
    return proposal


def assert_review(p: Proposal, rule: MatchRule) -> None:
    assert p.rule is rule
    assert p.applications == () and p.on_account == 0
    assert p.needs_review
    assert not is_auto_approvable(p, POLICY)


def test_two_invoices_with_the_same_amount_are_a_tie() -> None:
    invoices = [open_invoice("1", "C001", "120.00"), open_invoice("2", "C001", "120.00")]
    p = one(sale(1, "120.00", customer_id="PT-ACME"), invoices)
    assert_review(p, MatchRule.REVIEW_AMBIGUOUS)
    assert sorted(c.invoice_ids for c in p.candidates) == [("1",), ("2",)]
    assert p.candidates[0].confidence == p.candidates[1].confidence
    assert "fit the amount equally" in p.reason
    assert p.customer_id == "C001"


def test_ambiguous_subset_sums_go_to_review_with_both_sets() -> None:
    # 100 + 400 == 200 + 300: two answers, no single invoice of 500.
    invoices = [open_invoice(str(i), "C001", f"{a}.00") for i, a in enumerate((100, 200, 300, 400))]
    p = one(sale(1, "500.00", customer_id="PT-ACME"), invoices)
    assert_review(p, MatchRule.REVIEW_AMBIGUOUS)
    assert sorted(c.invoice_ids for c in p.candidates) == [("0", "3"), ("1", "2")]
    assert "several sets" in p.reason


def test_a_subset_search_over_the_cap_is_ambiguous() -> None:
    invoices = [open_invoice(str(i), "C001", f"{10 + i}.00") for i in range(12)]
    settings = MatchSettings(max_subset_invoices=8)
    p = one(sale(1, "33.00", customer_id="PT-ACME"), invoices, settings=settings)
    assert_review(p, MatchRule.REVIEW_AMBIGUOUS)
    assert "too many open invoices" in p.reason


def test_a_subset_search_over_its_budget_is_ambiguous() -> None:
    invoices = [open_invoice(str(i), "C001", f"{100 + 3 * i}.17") for i in range(30)]
    settings = MatchSettings(subset_search_budget=50)
    # Sums of up to six x.17 amounts never end in .00: only exhaustive search could tell.
    p = one(sale(1, "800.00", customer_id="PT-ACME"), invoices, settings=settings)
    assert_review(p, MatchRule.REVIEW_AMBIGUOUS)


def test_unknown_customer_goes_to_review_with_same_amount_hints() -> None:
    invoices = [open_invoice("1", "C001", "64.00"), open_invoice("2", "C002", "64.00")]
    p = one(sale(1, "64.00", billing_name="Jordan Miles"), invoices)
    assert_review(p, MatchRule.REVIEW_UNKNOWN_CUSTOMER)
    assert p.customer_id is None
    assert sorted(c.invoice_ids for c in p.candidates) == [("1",), ("2",)]
    assert "payer not identified" in p.reason


def test_a_billing_name_that_fits_two_customers_is_not_a_customer() -> None:
    twins = [company("C001", "Harbor Lane Bakery"), company("C002", "Harbor Lane Bakery Inc")]
    p = one(
        sale(1, "64.00", billing_name="HARBOR LANE BAKERY"),
        [open_invoice("1", "C001", "64.00")],
        customers=twins,
    )
    assert_review(p, MatchRule.REVIEW_UNKNOWN_CUSTOMER)
    assert any("fits several customers: C001, C002" in w for w in p.warnings)


def test_hard_key_to_another_customers_invoice_is_applied_only_with_a_note() -> None:
    p = one(
        sale(1, "80.00", invoice_id="104512", customer_id="PT-ACME"),
        [open_invoice("104512", "C002", "80.00")],
    )
    assert p.rule is MatchRule.HARD_KEY
    assert p.customer_id == "C002"  # Sage Pro refuses an invoice of another customer
    assert p.warnings and "payer identified as C001" in p.warnings[0]
    assert p.score_parts["customer"] < 0
    assert not is_auto_approvable(p, POLICY)


def test_hard_key_to_another_customers_invoice_with_the_wrong_amount_is_review() -> None:
    invoices = [open_invoice("104512", "C002", "80.00"), open_invoice("9", "C001", "95.00")]
    p = one(sale(1, "95.00", invoice_id="104512", customer_id="PT-ACME"), invoices)
    assert_review(p, MatchRule.REVIEW_AMBIGUOUS)
    assert {c.invoice_ids for c in p.candidates} == {("104512",), ("9",)}


def test_one_key_naming_invoices_of_two_customers_is_review_when_the_payer_is_unknown() -> None:
    invoices = [
        open_invoice("104512", "C001", "80.00"),
        open_invoice("900001", "C002", "80.00", po_number="PO-104512"),
    ]
    p = one(sale(1, "80.00", invoice_id="104512"), invoices)
    assert_review(p, MatchRule.REVIEW_AMBIGUOUS)
    assert "different customers" in p.reason


def test_one_key_naming_invoices_of_two_customers_follows_a_known_payer() -> None:
    invoices = [
        open_invoice("104512", "C001", "80.00"),
        open_invoice("900001", "C002", "80.00", po_number="PO-104512"),
    ]
    p = one(sale(1, "80.00", invoice_id="104512", customer_id="PT-BLUE"), invoices)
    assert p.rule is MatchRule.HARD_KEY
    assert [a.invoice_id for a in p.applications] == ["900001"]
    assert [c.invoice_ids for c in p.candidates] == [("104512",)]


def test_a_description_number_naming_someone_elses_invoice_is_ignored() -> None:
    invoices = [
        open_invoice("9", "C001", "55.00"),
        open_invoice("2", "C002", "77.00", order_number="SO20451"),
    ]
    p = one(sale(1, "55.00", customer_id="PT-ACME", description="re order 20451"), invoices)
    assert p.rule is MatchRule.CUSTOMER_AMOUNT
    assert [a.invoice_id for a in p.applications] == ["9"]


def test_a_description_token_confirmed_by_nothing_is_review() -> None:
    p = one(sale(1, "12.00", description="ref 104512"), [open_invoice("104512", "C002", "500.00")])
    assert_review(p, MatchRule.REVIEW_AMBIGUOUS)


def test_several_named_invoices_the_amount_cannot_split_are_review() -> None:
    invoices = [open_invoice("104512", "C001", "100.00"), open_invoice("104513", "C001", "50.00")]
    p = one(sale(1, "120.00", invoice_id="104512,104513", customer_id="PT-ACME"), invoices)
    assert_review(p, MatchRule.REVIEW_AMBIGUOUS)
    assert "how to split it is a decision" in p.reason


def test_a_closed_invoice_named_again_is_review_already_paid() -> None:
    p = one(
        sale(1, "80.00", invoice_id="104512", customer_id="PT-ACME"),
        [open_invoice("104512", "C001", "80.00", status="Paid")],
    )
    assert_review(p, MatchRule.REVIEW_ALREADY_PAID)
    assert "is Paid" in p.reason


def test_a_second_full_payment_of_one_invoice_in_a_run_is_review_already_paid() -> None:
    payments = [sale(i, "80.00", day=i, invoice_id="104512", customer_id="PT-ACME") for i in (1, 2)]
    first, second = match_payments(payments, [open_invoice("104512", "C001", "80.00")], [ACME])
    assert first.rule is MatchRule.HARD_KEY
    assert_review(second, MatchRule.REVIEW_ALREADY_PAID)
    assert "already applied by payment 1" in second.reason


@pytest.mark.parametrize(
    "kind",
    [
        TransactionType.REFUND,
        TransactionType.VOID,
        TransactionType.AUTHORIZATION,
        TransactionType.DECLINED,
        TransactionType.FORCE,
        TransactionType.OTHER,
    ],
)
def test_only_sales_are_matched(kind: TransactionType) -> None:
    invoice = open_invoice("104512", "C001", "80.00")
    p = one(sale(1, "80.00", kind=kind, invoice_id="104512", customer_id="PT-ACME"), [invoice])
    assert_review(p, MatchRule.REFUSED_NOT_A_SALE)
    assert kind.value in p.reason
    # ...and it consumed nothing: a sale after it still finds the full balance.
    _refused, later = match_payments(
        [
            sale(1, "80.00", kind=kind, invoice_id="104512"),
            sale(2, "80.00", day=1, invoice_id="104512"),
        ],
        [invoice],
        [ACME],
    )
    assert later.rule is MatchRule.HARD_KEY


def test_a_repeated_transaction_is_refused_not_applied_twice() -> None:
    payment = sale(1, "80.00", invoice_id="104512")
    first, again = match_payments(
        [payment, payment], [open_invoice("104512", "C001", "80.00")], [ACME]
    )
    assert first.rule is MatchRule.HARD_KEY
    assert_review(again, MatchRule.REFUSED_INVALID)
    assert "appears twice" in again.reason


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_a_non_positive_amount_is_refused(amount: str) -> None:
    p = one(sale(1, amount, invoice_id="104512"), [open_invoice("104512", "C001", "80.00")])
    assert_review(p, MatchRule.REFUSED_INVALID)


def test_duplicate_invoice_or_customer_ids_are_refused_loudly() -> None:
    with pytest.raises(ValueError, match="invoice 1 given twice"):
        match_payments([], [open_invoice("1", "C001", "1.00")] * 2, [ACME])
    with pytest.raises(ValueError, match="customer C001 given twice"):
        match_payments([], [], [ACME, ACME])


def test_conflicting_link_and_email_is_warned_and_not_auto() -> None:
    p = one(
        sale(1, "80.00", invoice_id="104512", customer_id="PT-ACME", email="pay@bluefin.example"),
        [open_invoice("104512", "C001", "80.00")],
    )
    assert p.rule is MatchRule.HARD_KEY
    assert any("belongs to C002, not C001" in w for w in p.warnings)
    assert not is_auto_approvable(p, POLICY)


def test_money_never_appears_twice_in_one_proposal() -> None:
    # Whatever the rule, applications + on account == the payment (or nothing for a review).
    invoices = [open_invoice("104512", "C001", "100.00"), open_invoice("104513", "C001", "30.00")]
    for amount in ("10.00", "100.00", "130.00", "150.00", "999.99"):
        p = one(sale(1, amount, invoice_id="104512", customer_id="PT-ACME"), invoices)
        if p.needs_review:
            assert p.applied_total == 0 and p.on_account == 0
        else:
            assert p.applied_total + p.on_account == Decimal(amount)
