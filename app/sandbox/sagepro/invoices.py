"""``/api/invoices``: list (status filter, default all), get, create (raises the customer's
Balance in the same step), update (only PaymentStatus and DueDate)."""

from __future__ import annotations

from datetime import timedelta

from app.sandbox.http_base import SandboxResponse
from app.sandbox.sagepro.books import INVOICES, Books, money, public
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.currency import COMPANY_CURRENCY
from app.sandbox.sagepro.errors import invalid, not_found
from app.sandbox.sagepro.fields import (
    Body,
    money_text,
    refuse_card_data,
    refuse_changed_read_only,
)
from app.sandbox.sagepro.listing import key_filters, list_response
from app.sandbox.sagepro.store import Doc

PAYMENT_STATUSES = ("Unpaid", "Partial", "Paid", "Failed", "Refunded")
_STATUS_FILTER = {"open": "Open", "paid": "Paid", "void": "Void"}
_READ_ONLY = (
    "InvoiceID",
    "CustomerID",
    "OrderNumber",
    "PONumber",
    "InvoiceDate",
    "Amount",
    "AmountPaid",
    "Balance",
    "Status",
    "Currency",
)
_FIRST_NUMBER = 100001


def list_invoices(books: Books, call: Call) -> SandboxResponse:
    filters = key_filters(
        call.query,
        {"InvoiceID": "InvoiceID", "CustomerID": "CustomerID", "OrderNumber": "OrderNumber"},
    )
    status = call.query.get("status").lower() or "all"
    if status != "all":
        if status not in _STATUS_FILTER:
            raise invalid("status", "must be open, paid, void or all")
        filters.append(lambda doc: doc["Status"] == _STATUS_FILTER[status])
    return list_response(books.store.all(INVOICES), call.query, filters)


def get_invoice(books: Books, call: Call) -> SandboxResponse:
    return SandboxResponse(200, public(_existing(books, call.key)))


def create_invoice(books: Books, call: Call) -> SandboxResponse:
    books.refuse_duplicate(INVOICES, "InvoiceID", call.body_text("InvoiceID"), by_id=True)
    refuse_card_data(call.body)
    body = Body(call.body)
    invoice_id = body.text("InvoiceID", max_len=10)
    customer_id = body.text("CustomerID", required=True).upper()
    invoice_date = body.day("InvoiceDate", required=True)
    due_date = body.day("DueDate")
    amount = body.money("Amount", required=True, positive=True)
    order_number = body.text("OrderNumber", max_len=10)
    po_number = body.text("PONumber", max_len=20)
    # The company is in USD, but an invoice may be in another currency.
    currency = (body.text("Currency", max_len=3) or COMPANY_CURRENCY).upper()
    if len(currency) != 3 or not currency.isalpha():
        body.fail("Currency", "must be a three-letter currency code")
    payment_status = body.choice("PaymentStatus", ("Unpaid", "Failed"), "Unpaid")
    if customer_id and books.customer(customer_id) is None:
        body.fail("CustomerID", f"customer {customer_id} does not exist")
    body.check()
    assert invoice_date is not None  # required above
    books.check_period(invoice_date, "InvoiceDate")
    with books.store.transaction():
        if not invoice_id:
            invoice_id = _next_free_number(books)
        doc: Doc = {
            "InvoiceID": invoice_id,
            "CustomerID": customer_id,
            "OrderNumber": order_number,
            "PONumber": po_number,
            "InvoiceDate": invoice_date.isoformat(),
            "DueDate": (due_date or invoice_date + timedelta(days=30)).isoformat(),
            "Amount": money_text(amount),
            "AmountPaid": "0.00",
            "Balance": money_text(amount),
            "Status": "Open",
            "PaymentStatus": payment_status,
            "Currency": currency,
        }
        if invoice_id.isdigit():
            books.store.bump_number(INVOICES, int(invoice_id))
        books.save_invoice(doc)
        books.adjust_customer_balance(customer_id, amount)
    return SandboxResponse(201, public(doc))


def update_invoice(books: Books, call: Call) -> SandboxResponse:
    doc = _existing(books, call.key)
    refuse_card_data(call.body)
    body = Body(call.body)
    body.check()
    refuse_changed_read_only(body, doc, _READ_ONLY, money=("Amount", "AmountPaid", "Balance"))
    if "PaymentStatus" in body.data:
        doc["PaymentStatus"] = body.choice("PaymentStatus", PAYMENT_STATUSES, doc["PaymentStatus"])
    if "DueDate" in body.data:
        due = body.day("DueDate", required=True)
        if due is not None:
            doc["DueDate"] = due.isoformat()
    body.check()
    books.save_invoice(doc)
    return SandboxResponse(200, public(doc))


def void_invoice(books: Books, invoice: Doc) -> None:
    """A person voids the invoice inside Sage Pro: what it still owed leaves the balance."""
    with books.store.transaction():
        remaining = money(invoice, "Balance")
        invoice["Status"] = "Void"
        invoice["Balance"] = "0.00"
        books.save_invoice(invoice)
        books.adjust_customer_balance(invoice["CustomerID"], -remaining)


def _existing(books: Books, invoice_id: str) -> Doc:
    doc = books.invoice(invoice_id)
    if doc is None:
        raise not_found("Invoice", invoice_id)
    return doc


def _next_free_number(books: Books) -> str:
    while True:
        candidate = str(books.store.next_number(INVOICES, _FIRST_NUMBER))
        if books.invoice(candidate) is None:
            return candidate
