"""The shared demo company: deterministic, and consistent with its own ground truth."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from app.sandbox.demo_data import generate_demo_company

TODAY = date(2025, 3, 14)


@pytest.fixture(scope="module")
def company():
    return generate_demo_company(1, today=TODAY)


def test_same_arguments_same_company(company):
    assert generate_demo_company(1, today=TODAY) == company
    assert generate_demo_company(2, today=TODAY) != company


def test_sizes_and_ids(company):
    assert len(company.customers) == 40 and len(company.transactions) == 300
    ids = [t.transaction_id for t in company.transactions]
    assert ids == sorted(ids) and len(set(ids)) == 300
    assert all(len(c.customer_id) <= 6 and c.customer_id.isupper() for c in company.customers)
    invoice_ids = [i.invoice_id for i in company.invoices]
    assert len(set(invoice_ids)) == len(invoice_ids) and all(i.isdigit() for i in invoice_ids)
    with_profile = [c for c in company.customers if c.paytrace_customer_id]
    assert 0.6 * 40 <= len(with_profile) < 40
    assert all(c.card_last4 == c.card_number[-4:] and c.exp_year > 2000 for c in with_profile)


def test_every_scenario_is_present(company):
    scenarios = {t.scenario for t in company.transactions}
    assert scenarios >= {
        "clean", "messy_ref", "ref_in_description", "po_reference", "partial", "multi_invoice",
        "no_reference", "declined", "voided", "refund", "uncaptured_auth", "ach",
        "order_reference", "unknown_payer",
    }  # fmt: skip


def test_ground_truth_is_consistent(company):
    invoices = {i.invoice_id: i for i in company.invoices}
    by_id = {t.transaction_id: t for t in company.transactions}
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for t in company.transactions:
        for invoice_id, amount in t.expected_applications:
            inv = invoices[invoice_id]
            assert t.customer is None or inv.customer_id == t.customer.customer_id
            assert inv.invoice_date <= t.created_local.date()
            if t.transaction_type == "SALE":
                paid[invoice_id] += amount
        apps = sum((a for _, a in t.expected_applications), Decimal("0"))
        if t.scenario in ("clean", "messy_ref", "ach", "po_reference", "order_reference"):
            assert apps == t.amount == invoices[t.expected_applications[0][0]].amount
        if t.scenario == "partial":
            assert t.amount < invoices[t.expected_applications[0][0]].amount
        if t.scenario == "multi_invoice":
            assert 2 <= len(t.expected_applications) <= 3 and apps == t.amount
        if t.scenario == "order_reference":
            assert t.invoice_id == invoices[t.expected_applications[0][0]].order_number != ""
        if t.scenario == "po_reference":
            assert t.customer_reference_id == invoices[t.expected_applications[0][0]].po_number
        if t.scenario in ("declined", "voided", "uncaptured_auth"):
            assert t.expected_applications == () and not t.settled
        if t.scenario == "no_reference":  # on account: a settled sale applying to no invoice
            assert t.expected_applications == () and t.transaction_type == "SALE"
        if t.scenario == "refund":
            original = by_id[t.refund_of]
            assert original.transaction_type == "SALE" and original.settled
            assert original.created_local.date() < t.created_local.date()
            assert t.amount <= original.amount and t.invoice_id == original.invoice_id
        if t.scenario == "unknown_payer":
            assert t.customer is None
        assert t.amount == t.amount.quantize(Decimal("0.01")) and t.amount > 0
    assert all(paid[i] <= invoices[i].amount for i in paid)
    still_open = [i for i in invoices if i not in paid]
    assert len(still_open) >= 10


def test_small_and_short_companies_keep_the_count():
    small = generate_demo_company(9, customers=3, transactions=10, days=2, today=TODAY)
    assert len(small.transactions) == 10
    assert all(t.created_local.date() <= TODAY for t in small.transactions)
