"""``/api/payments``: list, get, post.

The rules run in the contract's order: duplicate PaymentReference (409 with the existing
payment) before anything else, then card data, field shapes, the records the payment
names, the fiscal period, ``invoice_not_open`` and only then ``overpayment``. A posted
payment moves the invoices' AmountPaid/Balance/Status/PaymentStatus and the customer's
Balance in the same transaction; a ``Failed`` payment records the attempt and moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.sandbox.http_base import SandboxResponse
from app.sandbox.sagepro.books import PAYMENTS, POSTED, Books, money, public, same_key
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.currency import payment_currency, refuse_other_currency
from app.sandbox.sagepro.errors import ApiError, not_found
from app.sandbox.sagepro.fields import Body, money_text, refuse_card_data
from app.sandbox.sagepro.listing import Predicate, date_range, key_filters, list_response
from app.sandbox.sagepro.store import Doc


@dataclass
class _Target:
    field: str  # where the invoice was named, for error messages
    invoice: Doc
    amount: Decimal


def list_payments(books: Books, call: Call) -> SandboxResponse:
    filters = key_filters(
        call.query, {"PaymentReference": "PaymentReference", "CustomerID": "CustomerID"}
    )
    filters += date_range(call.query, "PaymentDate")
    invoice_id = call.query.get("InvoiceID")
    if invoice_id:
        filters.append(_touches_invoice(invoice_id))
    reference = call.query.get("PaymentReference")
    if reference:  # the integration's hot path: one indexed look-up, not a scan
        found = books.store.find_by_ref(PAYMENTS, reference)
        return list_response([found] if found else [], call.query, filters)
    return list_response(books.store.all(PAYMENTS), call.query, filters)


def get_payment(books: Books, call: Call) -> SandboxResponse:
    doc = books.store.get(PAYMENTS, call.key)
    if doc is None:
        raise not_found("Payment", call.key)
    return SandboxResponse(200, public(doc))


def create_payment(books: Books, call: Call) -> SandboxResponse:
    books.refuse_duplicate(PAYMENTS, "PaymentReference", call.body_text("PaymentReference"))
    refuse_card_data(call.body)
    body = Body(call.body)
    reference = body.text("PaymentReference", required=True, max_len=40)
    payment_date = body.day("PaymentDate", required=True)
    amount = body.money("Amount", required=True, positive=True)
    customer_id = body.text("CustomerID", required=True).upper()
    gl_account = body.text("GLAccountID", required=True)
    method = body.choice("PaymentMethodCode", ("CC", "ACH"), "")
    if not method and "PaymentMethodCode" not in body.errors:
        body.fail("PaymentMethodCode", "is required")
    status = body.choice("PaymentStatus", ("Paid", "Failed"), "Paid")
    memo = body.text("Memo", max_len=200)
    invoice_id = body.text("InvoiceID")
    applications = [
        (
            app,
            app.text("InvoiceID", required=True),
            app.money("Amount", required=True, positive=True),
        )
        for app in body.children("Applications")
    ]
    if invoice_id and applications:
        body.fail("Applications", "send either InvoiceID or Applications, not both")
    currency = payment_currency(body, amount)
    body.check()

    targets = _targets(books, body, customer_id, gl_account, invoice_id, amount, applications)
    refuse_other_currency(
        body, [(t.field, t.invoice) for t in targets], currency.get("Currency", "")
    )
    _refuse_over_applied(body, applications, amount)
    body.check()
    assert payment_date is not None  # required above
    books.check_period(payment_date, "PaymentDate")
    if status == "Paid":
        _refuse_closed_or_overpaid(targets)

    with books.store.transaction():
        payment_id = books.next_id(PAYMENTS, "PAY")
        doc: Doc = {
            "PaymentID": payment_id,
            "PaymentReference": reference,
            "PaymentDate": payment_date.isoformat(),
            "Amount": money_text(amount),
            "CustomerID": customer_id,
            "InvoiceID": targets[0].invoice["InvoiceID"] if invoice_id else None,
            "Applications": [
                {"InvoiceID": t.invoice["InvoiceID"], "Amount": money_text(t.amount)}
                for t in targets
            ]
            if applications
            else [],
            "GLAccountID": gl_account,
            "PaymentMethodCode": method,
            "PaymentStatus": status,
            "Memo": memo,
            "Reversed": False,
            "PostingState": POSTED,
        } | currency
        if status == "Paid":
            for target in targets:
                invoice = target.invoice
                invoice["AmountPaid"] = money_text(money(invoice, "AmountPaid") + target.amount)
                books.restate_invoice(invoice)
                books.save_invoice(invoice)
            books.adjust_customer_balance(customer_id, -amount)
        books.save(PAYMENTS, payment_id, doc, reference)
    return SandboxResponse(201, public(doc))


def _targets(
    books: Books,
    body: Body,
    customer_id: str,
    gl_account: str,
    invoice_id: str,
    amount: Decimal,
    applications: list[tuple[Body, str, Decimal]],
) -> list[_Target]:
    """The invoices the payment applies to; what the books refuse goes into ``body``'s
    errors (the caller raises them all at once)."""
    customer = books.customer(customer_id)
    if customer is None:
        body.fail("CustomerID", f"customer {customer_id} does not exist")
    books.check_gl_account(gl_account, "GLAccountID", body.errors)
    targets: list[_Target] = []
    if invoice_id:
        _add_target(books, body, targets, "InvoiceID", invoice_id, amount, customer_id)
    for app, app_invoice, app_amount in applications:
        field = app.name("InvoiceID")
        if any(same_key(t.invoice["InvoiceID"], app_invoice) for t in targets):
            body.fail(field, f"invoice {app_invoice} is listed twice")
            continue
        _add_target(books, body, targets, field, app_invoice, app_amount, customer_id)
    return targets


def _refuse_over_applied(
    body: Body, applications: list[tuple[Body, str, Decimal]], amount: Decimal
) -> None:
    applied = sum((amt for _, _, amt in applications), Decimal("0.00"))
    if applied > amount:
        body.fail(
            "Applications",
            f"the applications add up to {money_text(applied)}, more than the "
            f"payment Amount {money_text(amount)}",
        )


def _add_target(
    books: Books,
    body: Body,
    targets: list[_Target],
    field: str,
    invoice_id: str,
    amount: Decimal,
    customer_id: str,
) -> None:
    invoice = books.invoice(invoice_id)
    if invoice is None:
        body.errors.setdefault(field, f"invoice {invoice_id} does not exist")
    elif not same_key(invoice["CustomerID"], customer_id):
        body.errors.setdefault(
            field,
            f"invoice {invoice['InvoiceID']} belongs to customer {invoice['CustomerID']}, "
            f"not {customer_id}",
        )
    else:
        targets.append(_Target(field, invoice, amount))


def _refuse_closed_or_overpaid(targets: list[_Target]) -> None:
    for target in targets:  # every "not open" before any "overpayment"
        if target.invoice["Status"] != "Open":
            number = target.invoice["InvoiceID"]
            raise ApiError(
                "invoice_not_open",
                f"invoice {number} is {target.invoice['Status']}, not open",
                {target.field: f"invoice {number} is {target.invoice['Status']}"},
            )
    for target in targets:
        balance = money(target.invoice, "Balance")
        if target.amount > balance:
            number = target.invoice["InvoiceID"]
            raise ApiError(
                "overpayment",
                f"{money_text(target.amount)} is more than the {money_text(balance)} "
                f"still owed on invoice {number}",
                {target.field: f"more than the balance {money_text(balance)}"},
            )


def _touches_invoice(invoice_id: str) -> Predicate:
    def check(doc: Doc) -> bool:
        if same_key(doc.get("InvoiceID") or "", invoice_id):
            return True
        return any(same_key(a["InvoiceID"], invoice_id) for a in doc.get("Applications") or [])

    return check
