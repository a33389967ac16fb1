"""Does the record under our key say what we meant? And stored payloads → drafts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.connectors.sagepro import intent
from app.connectors.sagepro.payloads import (
    PayloadError,
    journal_entry_draft,
    payment_draft,
    sales_order_draft,
)
from app.domain.sagepro_records import (
    JournalEntry,
    JournalEntryDraft,
    JournalLine,
    Payment,
    PaymentApplication,
    PaymentDraft,
)

D = Decimal
DAY = date(2025, 3, 10)


def posted(**changes) -> Payment:
    fields = dict(
        payment_id="PAY1",
        reference="PT-1-PAY",
        payment_date=DAY,
        amount=D("30.00"),
        customer_id="C00001",
        gl_account_id="1050",
        method_code="CC",
        invoice_id="104512",
    )
    return Payment(**(fields | changes))


def draft(**changes) -> PaymentDraft:
    fields = dict(
        reference="PT-1-PAY",
        payment_date=DAY,
        amount=D("30.00"),
        customer_id="c00001",
        gl_account_id="1050",
        invoice_id="104512",
    )
    return PaymentDraft(**(fields | changes))


def test_same_intent_ignores_case_and_the_form_of_one_full_application():
    assert intent.differences(draft(), posted()) == []
    one_app = draft(invoice_id=None, applications=(PaymentApplication("104512", D("30.00")),))
    assert intent.differences(one_app, posted()) == []


@pytest.mark.parametrize(
    "change,name",
    [
        ({"customer_id": "C00002"}, "customer"),
        ({"amount": D("30.01")}, "amount"),
        ({"invoice_id": "104513"}, "invoices"),
        ({"invoice_id": None}, "invoices"),
        ({"payment_date": date(2025, 3, 11)}, "date"),
        ({"status": "Failed"}, "status"),
    ],
)
def test_each_difference_is_named(change, name):
    assert name in intent.differences(draft(**change), posted())


def test_descriptions_read_plainly():
    assert intent.describe(posted()) == "customer C00001, 30.00 on invoice 104512, dated 2025-03-10"
    split = draft(
        invoice_id=None,
        amount=D("50.00"),
        applications=(PaymentApplication("1", D("10.00")), PaymentApplication("2", D("15.00"))),
    )
    assert "on invoices 1 10.00, 2 15.00 (+ 25.00 on account)" in intent.describe(split)
    assert "on account" in intent.describe(draft(invoice_id=None))


def test_journal_lines_compare_as_a_set_of_postings():
    lines = (JournalLine("1010", debit=D("5.00")), JournalLine("1050", credit=D("5.00")))
    entry = JournalEntry("JE1", "K", DAY, lines[::-1])
    assert intent.differences(JournalEntryDraft("K", DAY, lines), entry) == []
    other = (JournalLine("1010", debit=D("5.00")), JournalLine("1060", credit=D("5.00")))
    assert intent.differences(JournalEntryDraft("K", DAY, other), entry) == ["lines"]
    assert intent.differences(draft(), entry) == ["kind of record"]


def test_payloads_become_drafts():
    fields = {
        "PaymentReference": "K",
        "PaymentDate": "2025-03-10",
        "Amount": "12.5",
        "CustomerID": "C1",
        "GLAccountID": "1050",
        "Applications": [{"InvoiceID": "9", "Amount": D("2.00")}],
    }
    made = payment_draft(fields)
    assert made.amount == D("12.50") and made.applications == (PaymentApplication("9", D("2.00")),)
    assert made.method_code == "CC" and made.status == "Paid"
    je = journal_entry_draft(
        {"Reference": "J", "EntryDate": DAY, "Lines": [{"GLAccountID": "1", "Credit": "1"}]}
    )
    assert je.lines == (JournalLine("1", debit=D("0.00"), credit=D("1.00")),)
    so = sales_order_draft(
        {
            "CustomerID": "C",
            "OrderDate": "2025-03-01",
            "Lines": [{"ItemID": "A", "Quantity": 2, "UnitPrice": "1.10"}],
        }
    )
    assert so.lines[0].quantity == 2


@pytest.mark.parametrize(
    "change",
    [{"Amount": 12.5}, {"Amount": "abc"}, {"PaymentDate": "10/03/2025"}, {"Applications": "9"}],
)
def test_bad_payloads_are_refused(change):
    fields = {"PaymentReference": "K", "PaymentDate": "2025-03-10", "Amount": "1.00"}
    with pytest.raises(PayloadError):
        payment_draft(fields | change)
