"""The Sage Pro stand-in's staged mode over real sockets: it answers as the bridge over a
real Sage Pro does (contract v1.1 ``PostingState: Staged``) until ``/_sandbox/staged/enter``
says a person entered the record, then ``Entered``; a GET and the reference filter agree."""

from __future__ import annotations

import pytest

from tests.integration.test_sagepro_contract_postings import (
    customer_with_open_invoices,
    payment,
)

pytest_plugins = ["tests.support.sagepro_fixtures"]


@pytest.fixture
def staged_http(sagepro_server, sagepro_http):  # type: ignore[no-untyped-def]
    sagepro_server.app.books.staged_posting = True
    return sagepro_http


def test_payment_is_staged_until_entered(staged_http):  # type: ignore[no-untyped-def]
    customer_id, (inv,) = customer_with_open_invoices(staged_http, 1)
    body = payment(customer_id, "PT-77-PAY", Amount="5.00", InvoiceID=inv["InvoiceID"])
    created = staged_http.post("/api/payments", body)
    assert created.status_code == 201 and created.json()["PostingState"] == "Staged"
    found = staged_http.get("/api/payments", PaymentReference="pt-77-pay").json()["items"]
    assert [p["PostingState"] for p in found] == ["Staged"]
    # A retried post still gets 409 with the (staged) record: it exists.
    again = staged_http.post("/api/payments", body)
    assert again.status_code == 409
    assert again.json()["error"]["existing"]["PostingState"] == "Staged"

    entered = staged_http.admin("staged/enter", {"Reference": "PT-77-PAY"})
    assert entered.status_code == 200 and entered.json()["PostingState"] == "Entered"
    payment_id = created.json()["PaymentID"]
    assert staged_http.get(f"/api/payments/{payment_id}").json()["PostingState"] == "Entered"


def test_credit_memo_is_staged_too(staged_http):  # type: ignore[no-untyped-def]
    customer_id, (inv,) = customer_with_open_invoices(staged_http, 1)
    memo = {
        "Reference": "PT-78-REFUND",
        "CustomerID": customer_id,
        "InvoiceID": inv["InvoiceID"],
        "MemoDate": "2025-03-10",
        "Amount": "1.00",
        "GLAccountID": "4900",
    }
    created = staged_http.post("/api/creditmemos", memo)
    assert created.status_code == 201, created.text
    assert created.json()["PostingState"] == "Staged"
    assert staged_http.admin("staged/enter", {"Reference": "PT-78-REFUND"}).status_code == 200


def test_entering_an_unknown_reference_is_not_found(staged_http):  # type: ignore[no-untyped-def]
    response = staged_http.admin("staged/enter", {"Reference": "PT-NOPE-PAY"})
    assert response.status_code == 404
    assert staged_http.admin("staged/enter", {}).status_code == 422


def test_without_staged_mode_nothing_is_staged(sagepro_http):  # type: ignore[no-untyped-def]
    customer_id, _ = customer_with_open_invoices(sagepro_http, 1)
    created = sagepro_http.post("/api/payments", payment(customer_id, "PT-79-PAY"))
    assert created.json().get("PostingState") != "Staged"


def test_a_receipt_keyed_in_sage_pro_itself_is_entered_not_staged(staged_http):  # type: ignore[no-untyped-def]
    _customer_id, (inv,) = customer_with_open_invoices(staged_http, 1)
    paid = staged_http.admin(f"invoices/{inv['InvoiceID']}/pay", {"Amount": "1.00"})
    assert paid.status_code == 200, paid.text
    assert paid.json()["PostingState"] == "Entered"
