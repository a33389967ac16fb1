"""The bridge's reversal rules that a fixture company cannot reach over HTTP: Sage Pro's
receipts are never ``Failed`` and the bridge refuses to stage a failed one, but the contract
rule is still checked on whatever payment record is named."""

from __future__ import annotations

import pytest

from app.bridge import reversals
from app.sandbox.sagepro.errors import ApiError

REQUEST = {
    "Reference": "PT-1-REVERSAL",
    "PaymentID": "p-1",
    "ReversalDate": "2026-03-24",
    "Reason": "voided",
}
PAYMENT = {
    "PaymentID": "P-1",
    "PaymentReference": "PT-1-PAY",
    "CustomerID": "C100",
    "Amount": "75.00",
    "InvoiceID": "1002",
    "Applications": [],
    "PaymentStatus": "Paid",
}


def test_a_failed_payment_cannot_be_reversed() -> None:
    with pytest.raises(ApiError) as refused:
        reversals.parse(REQUEST, [{**PAYMENT, "PaymentStatus": "Failed"}], set())
    assert refused.value.code == "validation_failed" and "Failed" in refused.value.message


def test_a_payment_on_one_invoice_is_reversed_off_that_invoice() -> None:
    request = reversals.parse(REQUEST, [PAYMENT], set())  # ids compare without case
    record = reversals.record_for(request, "PRTOKEN123")
    assert record["Applications"] == [{"InvoiceID": "1002", "Amount": "75.00"}]
    assert (record["ReceiptReference"], record["Amount"]) == ("PT-1-PAY", "75.00")
    with pytest.raises(ApiError, match="already reversed"):
        reversals.parse(REQUEST, [PAYMENT], {"P-1"})  # folded ids
