"""``/api/creditmemos``: list, get, post.

Every credit memo lowers the customer's Balance. Against an open invoice it is applied
(the invoice's Balance drops; more than the Balance is ``overpayment``). Against a paid
invoice it is a refund credit: the invoice stays Paid and turns ``Refunded`` once credits
reach what was paid (more than that is ``validation_failed``). A void invoice takes none.
"""

from __future__ import annotations

from decimal import Decimal

from app.sandbox.http_base import SandboxResponse
from app.sandbox.sagepro.books import (
    CREDIT_MEMOS,
    CREDITS,
    POSTED,
    REFUNDS,
    Books,
    money,
    public,
    same_key,
)
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.errors import ApiError, invalid, not_found
from app.sandbox.sagepro.fields import Body, money_text, refuse_card_data
from app.sandbox.sagepro.listing import date_range, key_filters, list_response
from app.sandbox.sagepro.store import Doc


def list_credit_memos(books: Books, call: Call) -> SandboxResponse:
    filters = key_filters(
        call.query,
        {"Reference": "Reference", "CustomerID": "CustomerID", "InvoiceID": "InvoiceID"},
    )
    filters += date_range(call.query, "MemoDate")
    reference = call.query.get("Reference")
    if reference:
        found = books.store.find_by_ref(CREDIT_MEMOS, reference)
        return list_response([found] if found else [], call.query, filters)
    return list_response(books.store.all(CREDIT_MEMOS), call.query, filters)


def get_credit_memo(books: Books, call: Call) -> SandboxResponse:
    doc = books.store.get(CREDIT_MEMOS, call.key)
    if doc is None:
        raise not_found("Credit memo", call.key)
    return SandboxResponse(200, public(doc))


def create_credit_memo(books: Books, call: Call) -> SandboxResponse:
    books.refuse_duplicate(CREDIT_MEMOS, "Reference", call.body_text("Reference"))
    refuse_card_data(call.body)
    body = Body(call.body)
    reference = body.text("Reference", required=True, max_len=40)
    customer_id = body.text("CustomerID", required=True).upper()
    invoice_id = body.text("InvoiceID", required=True)
    memo_date = body.day("MemoDate", required=True)
    amount = body.money("Amount", required=True, positive=True)
    gl_account = body.text("GLAccountID", required=True)
    reason = body.text("Reason", max_len=200)
    body.check()

    if books.customer(customer_id) is None:
        body.fail("CustomerID", f"customer {customer_id} does not exist")
    invoice = books.invoice(invoice_id)
    if invoice is None:
        body.fail("InvoiceID", f"invoice {invoice_id} does not exist")
    elif not same_key(invoice["CustomerID"], customer_id):
        body.fail(
            "InvoiceID",
            f"invoice {invoice['InvoiceID']} belongs to customer {invoice['CustomerID']}, "
            f"not {customer_id}",
        )
    books.check_gl_account(gl_account, "GLAccountID", body.errors)
    body.check()
    assert invoice is not None and memo_date is not None  # checked above
    books.check_period(memo_date, "MemoDate")
    _refuse_too_much(invoice, amount)

    with books.store.transaction():
        memo_id = books.next_id(CREDIT_MEMOS, "CM")
        if invoice["Status"] == "Open":
            invoice[CREDITS] = money_text(money(invoice, CREDITS) + amount)
        else:
            invoice[REFUNDS] = money_text(money(invoice, REFUNDS) + amount)
        books.restate_invoice(invoice)
        books.save_invoice(invoice)
        books.adjust_customer_balance(customer_id, -amount)
        doc: Doc = {
            "CreditMemoID": memo_id,
            "Reference": reference,
            "CustomerID": customer_id,
            "InvoiceID": invoice["InvoiceID"],
            "MemoDate": memo_date.isoformat(),
            "Amount": money_text(amount),
            "Reason": reason,
            "GLAccountID": gl_account,
            "PostingState": POSTED,
        }
        books.save(CREDIT_MEMOS, memo_id, doc, reference)
    return SandboxResponse(201, public(doc))


def _refuse_too_much(invoice: Doc, amount: Decimal) -> None:
    amount_text = money_text(amount)
    number = invoice["InvoiceID"]
    if invoice["Status"] == "Void":
        raise ApiError(
            "invoice_not_open",
            f"invoice {number} is void and takes no credit",
            {"InvoiceID": f"invoice {number} is Void"},
        )
    if invoice["Status"] == "Open":
        balance = money(invoice, "Balance")
        if amount > balance:
            raise ApiError(
                "overpayment",
                f"credit {amount_text} is more than the {money_text(balance)} still owed on "
                f"invoice {number}",
                {"Amount": f"more than the balance {money_text(balance)}"},
            )
        return
    refundable = money(invoice, "AmountPaid") - money(invoice, REFUNDS)
    if amount > refundable:
        raise invalid(
            "Amount",
            f"credit {amount_text} is more than the {money_text(refundable)} paid on invoice "
            f"{number} and not yet credited back",
        )
