"""Staged cash receipts: the contract's rules for ``POST /api/payments``, the record the
bridge keeps until the bookkeeper enters it, and what a staged receipt does to the invoices
it applies to (the overlay). ``staging`` ties this to the folder and the staged store, as it
does ``credit_memos`` and ``reversals`` for the other kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.bridge.company import Record
from app.domain.money import format_money
from app.sandbox.sagepro.errors import ApiError
from app.sandbox.sagepro.fields import Body, money_text, refuse_card_data
from app.sandbox.sagepro.store import fold

ZERO = Decimal("0.00")
Target = tuple[Record, Decimal, str]  # (invoice, amount applied, the body field naming it)


@dataclass(frozen=True)
class PaymentBody:
    """A payment body whose fields have the contract's shapes (the books not yet asked)."""

    body: Body  # collects the errors the books add
    reference: str
    payment_date: date
    amount: Decimal
    customer_id: str
    gl_account: str
    method: str
    memo: str
    invoice_id: str  # "" when the body sends Applications
    wanted: list[tuple[str, Decimal, str]]  # (invoice number, amount, field)


def read(data: Any) -> PaymentBody:
    """The shape rules; ``validation_failed`` naming every field that breaks one."""
    refuse_card_data(data)
    body = Body(data)
    reference = body.text("PaymentReference", required=True, max_len=40)
    payment_date = body.day("PaymentDate", required=True)
    amount = body.money("Amount", required=True, positive=True)
    customer_id = body.text("CustomerID", required=True).upper()
    gl_account = body.text("GLAccountID", required=True)
    method = body.choice("PaymentMethodCode", ("CC", "ACH"), "")
    if not method and "PaymentMethodCode" not in body.errors:
        body.fail("PaymentMethodCode", "is required")
    if body.choice("PaymentStatus", ("Paid", "Failed"), "Paid") == "Failed":
        body.fail("PaymentStatus", "a failed attempt is not entered in Sage Pro")
    memo = body.text("Memo", max_len=200)
    invoice_id = body.text("InvoiceID")
    wanted = [(invoice_id, amount, "InvoiceID")] if invoice_id else []
    for index, child in enumerate(body.children("Applications")):
        wanted.append(
            (
                child.text("InvoiceID", required=True),
                child.money("Amount", required=True, positive=True),
                f"Applications[{index}].InvoiceID",
            )
        )
    if invoice_id and len(wanted) > 1:
        body.fail("Applications", "send either InvoiceID or Applications, not both")
    body.check()
    assert payment_date is not None  # required above
    return PaymentBody(
        body,
        reference,
        payment_date,
        amount,
        customer_id,
        gl_account,
        method,
        memo,
        invoice_id,
        wanted,
    )


def resolve(
    payment: PaymentBody,
    customers: set[str],
    accounts: dict[str, Record],
    invoices: dict[str, Record],
) -> list[Target]:
    """The invoices the payment applies to, checked against the books (keys folded);
    ``validation_failed`` for an unknown customer, account or invoice, or one of another
    customer."""
    body, customer_id = payment.body, payment.customer_id
    applied = sum((amt for _, amt, _ in payment.wanted), ZERO)
    if applied > payment.amount:
        body.fail(
            "Applications",
            f"the applications add up to {money_text(applied)}, "
            f"more than the payment Amount {money_text(payment.amount)}",
        )
    if fold(customer_id) not in customers:
        body.fail("CustomerID", f"customer {customer_id} does not exist")
    account = accounts.get(fold(payment.gl_account))
    if account is None or not account["Active"]:
        body.fail("GLAccountID", f"GL account {payment.gl_account} does not exist or is inactive")
    targets: list[Target] = []
    for number, amt, field in payment.wanted:
        invoice = invoices.get(fold(number))
        if invoice is None:
            body.fail(field, f"invoice {number} does not exist")
        elif fold(invoice["CustomerID"]) != fold(customer_id):
            body.fail(
                field,
                f"invoice {number} belongs to customer {invoice['CustomerID']}, not {customer_id}",
            )
        else:
            targets.append((invoice, amt, field))
    body.check()
    return targets


def record_for(payment: PaymentBody, targets: list[Target], token: str) -> Record:
    """The contract record the bridge keeps and answers for a staged receipt."""
    return {
        "PaymentID": f"STAGED-{token}",
        "PaymentReference": payment.reference,
        "PaymentDate": payment.payment_date.isoformat(),
        "Amount": money_text(payment.amount),
        "CustomerID": payment.customer_id,
        "InvoiceID": targets[0][0]["InvoiceID"] if payment.invoice_id else None,
        "Applications": [
            {"InvoiceID": inv["InvoiceID"], "Amount": money_text(amt)} for inv, amt, _ in targets
        ],
        "GLAccountID": payment.gl_account,
        "PaymentMethodCode": payment.method,
        "PaymentStatus": "Paid",
        "Memo": payment.memo,
        "Token": token,
    }


def refuse_closed_or_overpaid(targets: list[Target]) -> None:
    for invoice, _, field in targets:  # every "not open" before any "overpayment"
        if invoice["Status"] != "Open":
            raise ApiError(
                "invoice_not_open",
                f"invoice {invoice['InvoiceID']} is {invoice['Status']}, not open",
                {field: f"invoice {invoice['InvoiceID']} is {invoice['Status']}"},
            )
    for invoice, amount, field in targets:
        balance = Decimal(invoice["Balance"])
        if amount > balance:
            raise ApiError(
                "overpayment",
                f"{money_text(amount)} is more than the {money_text(balance)} "
                f"still owed on invoice {invoice['InvoiceID']}",
                {field: f"more than the balance {money_text(balance)}"},
            )


def applied_by_invoice(pending: list[Record]) -> dict[str, Decimal]:
    """What the staged receipts apply to each invoice (folded id)."""
    applied: dict[str, Decimal] = {}
    for record in pending:
        for application in record["Applications"] or []:
            key = fold(application["InvoiceID"])
            applied[key] = applied.get(key, ZERO) + Decimal(application["Amount"])
        if record.get("InvoiceID") and not record["Applications"]:
            key = fold(record["InvoiceID"])
            applied[key] = applied.get(key, ZERO) + Decimal(record["Amount"])
    return applied


def lowered(invoice: Record, staged: Decimal) -> Record:
    """The invoice as it will be once ``staged`` more is entered against it."""
    if staged == ZERO or invoice["Status"] == "Void":
        return invoice
    paid = Decimal(invoice["AmountPaid"]) + staged
    balance = Decimal(invoice["Balance"]) - staged
    return {
        **invoice,
        "AmountPaid": format_money(paid),
        "Balance": format_money(balance),
        "Status": "Open" if balance > ZERO else "Paid",
        "PaymentStatus": "Paid" if balance <= ZERO else "Partial",
    }
