"""Sage Pro stand-in contract v1.1 over real sockets: ``/api/paymentreversals`` puts the
money back on the invoices a payment paid, with every rule in the contract's order, and
``PostingState`` on what the stand-in writes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.test_sagepro_contract_postings import (
    balance,
    customer_with_open_invoices,
    error_of,
    payment,
)

pytest_plugins = ["tests.support.sagepro_fixtures"]


def reversal(payment_id: str, reference: str = "PT-1-REVERSAL", **extra):
    return {
        "Reference": reference,
        "PaymentID": payment_id,
        "ReversalDate": "2025-03-12",
        "Reason": "voided in PayTrace after posting",
    } | extra


def _pay(http, body) -> dict:
    r = http.post("/api/payments", body)
    assert r.status_code == 201, r.text
    return r.json()


def test_reversal_reopens_a_paid_invoice_and_raises_the_customer_balance(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    before = balance(sagepro_http, customer_id)
    paid = _pay(
        sagepro_http, payment(customer_id, Amount=inv["Balance"], InvoiceID=inv["InvoiceID"])
    )
    assert paid["PostingState"] == "Posted" and paid["Reversed"] is False
    assert sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()["Status"] == "Paid"

    r = sagepro_http.post("/api/paymentreversals", reversal(paid["PaymentID"]))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["ReversalID"] and made["PaymentID"] == paid["PaymentID"]
    assert made["Amount"] == paid["Amount"] and made["Reference"] == "PT-1-REVERSAL"
    assert made["ReversalDate"] == "2025-03-12" and made["PostingState"] == "Posted"
    after = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
    assert (after["Status"], after["Balance"], after["AmountPaid"]) == (
        "Open",
        inv["Balance"],
        inv["AmountPaid"],
    )
    assert after["PaymentStatus"] == inv["PaymentStatus"]
    assert balance(sagepro_http, customer_id) == before
    shown = sagepro_http.get(f"/api/payments/{paid['PaymentID']}").json()
    assert shown["Reversed"] is True and shown["ReversalID"] == made["ReversalID"]
    assert sagepro_http.get(f"/api/paymentreversals/{made['ReversalID']}").json() == made


def test_reversal_undoes_every_application_and_the_on_account_rest(sagepro_http):
    customer_id, (a, b) = customer_with_open_invoices(sagepro_http, 2)
    before = balance(sagepro_http, customer_id)
    apps = [
        {"InvoiceID": a["InvoiceID"], "Amount": a["Balance"]},
        {"InvoiceID": b["InvoiceID"], "Amount": "5.00"},
    ]
    total = Decimal(a["Balance"]) + Decimal("5.00") + Decimal("20.00")
    paid = _pay(sagepro_http, payment(customer_id, Amount=str(total), Applications=apps))
    assert balance(sagepro_http, customer_id) == before - total
    r = sagepro_http.post("/api/paymentreversals", reversal(paid["PaymentID"], "PT-2-REVERSAL"))
    assert r.status_code == 201 and Decimal(r.json()["Amount"]) == total
    for inv in (a, b):
        now = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
        assert (now["Status"], now["Balance"], now["AmountPaid"], now["PaymentStatus"]) == (
            "Open",
            inv["Balance"],
            inv["AmountPaid"],
            inv["PaymentStatus"],
        )
    assert balance(sagepro_http, customer_id) == before


def test_reversal_of_an_on_account_payment_moves_only_the_customer(sagepro_http):
    customer_id, _ = customer_with_open_invoices(sagepro_http, 1)
    before = balance(sagepro_http, customer_id)
    paid = _pay(sagepro_http, payment(customer_id, Amount="40.00"))
    assert balance(sagepro_http, customer_id) == before - 40
    r = sagepro_http.post("/api/paymentreversals", reversal(paid["PaymentID"], "PT-3-REVERSAL"))
    assert r.status_code == 201
    assert balance(sagepro_http, customer_id) == before


def test_reversal_of_a_refunded_payment_keeps_the_credit_on_the_invoice(sagepro_http):
    """Paid, refunded by a credit memo, then the sale voided: the memo now credits the open
    balance, so the invoice is settled by the memo and the customer owes nothing."""
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    before = balance(sagepro_http, customer_id)
    paid = _pay(
        sagepro_http, payment(customer_id, Amount=inv["Balance"], InvoiceID=inv["InvoiceID"])
    )
    memo = {
        "Reference": "PT-31-REFUND",
        "CustomerID": customer_id,
        "InvoiceID": inv["InvoiceID"],
        "MemoDate": "2025-03-11",
        "Amount": inv["Balance"],
        "GLAccountID": "4900",
    }
    assert sagepro_http.post("/api/creditmemos", memo).status_code == 201
    refunded = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
    assert refunded["PaymentStatus"] == "Refunded"
    r = sagepro_http.post("/api/paymentreversals", reversal(paid["PaymentID"], "PT-31-REVERSAL"))
    assert r.status_code == 201
    after = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
    assert (after["Status"], after["Balance"], after["AmountPaid"]) == ("Paid", "0.00", "0.00")
    assert balance(sagepro_http, customer_id) == before - Decimal(inv["Balance"])


def test_duplicate_reference_is_409_with_the_existing_reversal_before_every_rule(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    paid = _pay(sagepro_http, payment(customer_id, InvoiceID=inv["InvoiceID"]))
    made = sagepro_http.post("/api/paymentreversals", reversal(paid["PaymentID"])).json()
    # Same key, in other case, with a body that breaks every other rule: still 409.
    r = sagepro_http.post(
        "/api/paymentreversals",
        {"Reference": "pt-1-reversal", "PaymentID": "NOPE", "ReversalDate": "2019-01-01"},
    )
    assert r.status_code == 409
    err = error_of(r)
    assert err["code"] == "duplicate_reference" and err["existing"] == made


@pytest.mark.parametrize("missing", ["Reference", "PaymentID", "ReversalDate", "Reason"])
def test_every_field_is_required(sagepro_http, missing):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    paid = _pay(sagepro_http, payment(customer_id, InvoiceID=inv["InvoiceID"]))
    body = reversal(paid["PaymentID"])
    del body[missing]
    r = sagepro_http.post("/api/paymentreversals", body)
    assert r.status_code == 422 and error_of(r)["code"] == "validation_failed"
    assert missing in error_of(r)["fields"]
    assert (
        sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()["AmountPaid"]
        != inv["AmountPaid"]
    )  # nothing undone


def test_unknown_payment_already_reversed_and_failed_are_validation_failed(sagepro_http):
    r = sagepro_http.post("/api/paymentreversals", reversal("PAY999999"))
    assert error_of(r)["code"] == "validation_failed" and "PaymentID" in error_of(r)["fields"]

    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    paid = _pay(sagepro_http, payment(customer_id, InvoiceID=inv["InvoiceID"]))
    assert (
        sagepro_http.post("/api/paymentreversals", reversal(paid["PaymentID"])).status_code == 201
    )
    again = sagepro_http.post("/api/paymentreversals", reversal(paid["PaymentID"], "PT-1-REV-B"))
    assert again.status_code == 422 and error_of(again)["code"] == "validation_failed"
    assert "already reversed" in error_of(again)["fields"]["PaymentID"]

    failed = _pay(sagepro_http, payment(customer_id, "PT-5-FAILED", PaymentStatus="Failed"))
    r = sagepro_http.post("/api/paymentreversals", reversal(failed["PaymentID"], "PT-5-REVERSAL"))
    assert r.status_code == 422 and error_of(r)["code"] == "validation_failed"
    assert "Failed" in error_of(r)["fields"]["PaymentID"]


def test_reversal_date_in_a_locked_period_is_period_closed(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    before = balance(sagepro_http, customer_id)
    paid = _pay(sagepro_http, payment(customer_id, InvoiceID=inv["InvoiceID"]))
    sagepro_http.admin("periods/lock", {"Date": "2025-03-12"})
    r = sagepro_http.post("/api/paymentreversals", reversal(paid["PaymentID"]))
    assert r.status_code == 422 and error_of(r)["code"] == "period_closed"
    assert balance(sagepro_http, customer_id) == before - 10  # nothing undone
    outside = sagepro_http.post(
        "/api/paymentreversals", reversal(paid["PaymentID"], ReversalDate="2019-01-01")
    )
    assert error_of(outside)["code"] == "validation_failed"
    assert "ReversalDate" in error_of(outside)["fields"]


def test_reversal_filters_and_single_get(sagepro_http):
    customer_id, (a, b) = customer_with_open_invoices(sagepro_http, 2)
    one = _pay(sagepro_http, payment(customer_id, "PT-11-PAY", InvoiceID=a["InvoiceID"]))
    two = _pay(sagepro_http, payment(customer_id, "PT-12-PAY", InvoiceID=b["InvoiceID"]))
    r1 = sagepro_http.post("/api/paymentreversals", reversal(one["PaymentID"], "PT-11-REVERSAL"))
    r2 = sagepro_http.post("/api/paymentreversals", reversal(two["PaymentID"], "PT-12-REVERSAL"))
    first, second = r1.json(), r2.json()
    by_ref = sagepro_http.get("/api/paymentreversals", Reference="pt-12-reversal").json()
    assert by_ref["items"] == [second] and by_ref["total"] == 1
    by_payment = sagepro_http.get("/api/paymentreversals", PaymentID=one["PaymentID"]).json()
    assert by_payment["items"] == [first]
    everything = sagepro_http.get("/api/paymentreversals").json()
    assert everything["total"] == 2 and set(everything) >= {"items", "page", "page_size"}
    missing = sagepro_http.get("/api/paymentreversals/REV999999")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_posting_state_on_credit_memos_and_journal_entries(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    memo = sagepro_http.post(
        "/api/creditmemos",
        {
            "Reference": "PT-21-REFUND",
            "CustomerID": customer_id,
            "InvoiceID": inv["InvoiceID"],
            "MemoDate": "2025-03-10",
            "Amount": "1.00",
            "GLAccountID": "4900",
        },
    )
    assert memo.status_code == 201, memo.text
    assert memo.json()["PostingState"] == "Posted"
    entry = sagepro_http.post(
        "/api/journalentries",
        {
            "Reference": "PT-21-JE",
            "EntryDate": "2025-03-10",
            "Lines": [
                {"GLAccountID": "1050", "Debit": "1.00", "Credit": "0.00"},
                {"GLAccountID": "1200", "Debit": "0.00", "Credit": "1.00"},
            ],
        },
    ).json()
    assert (entry["Status"], entry["PostingState"]) == ("Unposted", "Entered")


def test_reversals_need_the_api_key(sagepro_server):
    import requests

    r = requests.get(sagepro_server.url + "/api/paymentreversals", timeout=5)
    assert r.status_code == 401


def test_a_card_number_in_the_reason_is_refused(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    paid = _pay(sagepro_http, payment(customer_id, InvoiceID=inv["InvoiceID"]))
    body = reversal(paid["PaymentID"], Reason="card 4012 0000 9876 5439 voided")
    r = sagepro_http.post("/api/paymentreversals", body)
    assert r.status_code == 422 and error_of(r)["code"] == "card_data_refused"
    assert (
        sagepro_http.get("/api/paymentreversals", PaymentID=paid["PaymentID"]).json()["total"] == 0
    )
