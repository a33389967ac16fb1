"""``/api/paymentreversals`` (contract v1.1): list, get, post.

A reversal undoes a posted payment in one step: every application comes off its invoice
(AmountPaid and Balance restored, Status back to Open, PaymentStatus recomputed), any
on-account remainder goes, the customer's Balance rises by the payment's Amount, and the
payment shows ``Reversed`` and its ``ReversalID``. The rules run in the contract's order:
duplicate Reference (409 with the existing reversal) first, then the fields, then the
payment (unknown, already reversed or ``Failed`` → ``validation_failed``), then the period.
"""

from __future__ import annotations

from decimal import Decimal

from app.sandbox.http_base import SandboxResponse
from app.sandbox.sagepro.books import (
    CREDITS,
    PAYMENT_REVERSALS,
    PAYMENTS,
    POSTED,
    REFUNDS,
    Books,
    money,
    public,
)
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.errors import not_found
from app.sandbox.sagepro.fields import Body, money_text, refuse_card_data
from app.sandbox.sagepro.listing import key_filters, list_response
from app.sandbox.sagepro.store import Doc


def list_reversals(books: Books, call: Call) -> SandboxResponse:
    filters = key_filters(call.query, {"Reference": "Reference", "PaymentID": "PaymentID"})
    reference = call.query.get("Reference")
    if reference:  # the exactly-once look-up: one indexed read
        found = books.store.find_by_ref(PAYMENT_REVERSALS, reference)
        return list_response([found] if found else [], call.query, filters)
    return list_response(books.store.all(PAYMENT_REVERSALS), call.query, filters)


def get_reversal(books: Books, call: Call) -> SandboxResponse:
    doc = books.store.get(PAYMENT_REVERSALS, call.key)
    if doc is None:
        raise not_found("Payment reversal", call.key)
    return SandboxResponse(200, public(doc))


def create_reversal(books: Books, call: Call) -> SandboxResponse:
    books.refuse_duplicate(PAYMENT_REVERSALS, "Reference", call.body_text("Reference"))
    refuse_card_data(call.body)
    body = Body(call.body)
    reference = body.text("Reference", required=True, max_len=40)
    payment_id = body.text("PaymentID", required=True)
    reversal_date = body.day("ReversalDate", required=True)
    reason = body.text("Reason", required=True, max_len=200)
    body.check()

    payment = books.store.get(PAYMENTS, payment_id)
    if payment is None:
        body.fail("PaymentID", f"payment {payment_id} does not exist")
    elif payment.get("Reversed"):
        body.fail(
            "PaymentID",
            f"payment {payment['PaymentID']} is already reversed "
            f"(by {payment.get('ReversalID') or 'an earlier reversal'})",
        )
    elif payment.get("PaymentStatus") == "Failed":
        body.fail(
            "PaymentID",
            f"payment {payment['PaymentID']} is a Failed attempt and moved no money",
        )
    body.check()
    assert payment is not None and reversal_date is not None  # checked above
    books.check_period(reversal_date, "ReversalDate")

    amount = money(payment, "Amount")
    with books.store.transaction():
        reversal_id = books.next_id(PAYMENT_REVERSALS, "REV")
        for invoice_id, applied in _applications(payment):
            _take_off(books, invoice_id, applied)
        books.adjust_customer_balance(payment["CustomerID"], amount)
        payment["Reversed"] = True
        payment["ReversalID"] = reversal_id
        books.save(PAYMENTS, payment["PaymentID"], payment, payment["PaymentReference"])
        doc: Doc = {
            "ReversalID": reversal_id,
            "Reference": reference,
            "PaymentID": payment["PaymentID"],
            "ReversalDate": reversal_date.isoformat(),
            "Amount": money_text(amount),
            "Reason": reason,
            "PostingState": POSTED,
        }
        books.save(PAYMENT_REVERSALS, reversal_id, doc, reference)
    return SandboxResponse(201, public(doc))


def _applications(payment: Doc) -> list[tuple[str, Decimal]]:
    """What the payment put on each invoice (the rest was on account)."""
    if payment.get("InvoiceID"):
        return [(payment["InvoiceID"], money(payment, "Amount"))]
    return [(a["InvoiceID"], money(a, "Amount")) for a in payment.get("Applications") or []]


def _take_off(books: Books, invoice_id: str, applied: Decimal) -> None:
    invoice = books.invoice(invoice_id)
    if invoice is None:  # a payment's invoice is never deleted; this would be a stand-in bug
        raise RuntimeError(f"invoice {invoice_id} of a posted payment vanished")
    paid = money(invoice, "AmountPaid") - applied
    invoice["AmountPaid"] = money_text(paid)
    # Refund credits were given against money that is now taken back: what exceeds the
    # amount still paid applies to the open balance instead (the memo still credits it).
    excess = money(invoice, REFUNDS) - max(paid, Decimal("0.00"))
    if excess > 0:
        invoice[REFUNDS] = money_text(money(invoice, REFUNDS) - excess)
        invoice[CREDITS] = money_text(money(invoice, CREDITS) + excess)
    books.restate_invoice(invoice)
    if paid <= 0 and invoice.get("Status") == "Open":
        invoice["PaymentStatus"] = "Unpaid"  # restate keeps a status it cannot derive
    books.save_invoice(invoice)
