"""Staged credit memos: the contract's refund credit or applied credit on one invoice, kept
by the bridge until the bookkeeper enters it in Sage Pro with its token as the reference.

Where Sage Pro keeps an entered credit memo is not verified (bridge doc §1.3, §6): the
token is looked for in ARMAST.REFNO (credit memos as documents of the invoice program) and
in the receipts' REFNO (a credit applied like a receipt), so either shape links it.
Against an open invoice the credit lowers its Balance (Paid at zero; more than the Balance
is an ``overpayment``); against a paid invoice it is a refund credit that sets PaymentStatus
``Refunded`` once credits reach the amount paid (more than that is ``validation_failed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.bridge.company import Record
from app.domain.money import format_money
from app.sandbox.sagepro.errors import ApiError
from app.sandbox.sagepro.fields import Body, money_text, refuse_card_data
from app.sandbox.sagepro.store import fold

ZERO = Decimal("0.00")
Staged = list[tuple[str, Record, datetime]]  # (token, record, staged at)


@dataclass
class CreditView:
    memos: list[Record]  # what GET /api/creditmemos answers
    pending: list[Record]  # staged, not yet found in Sage Pro (the overlay)
    late: list[tuple[str, str]]  # (reference, token) waiting longer than the alert threshold


def link(
    staged: Staged,
    invoices: list[Record],
    payments: list[Record],
    now: datetime,
    alert_after: timedelta,
) -> CreditView:
    in_sage = {fold(i["_Reference"]) for i in invoices if i.get("_Reference")}
    in_sage |= {fold(p["PaymentReference"]) for p in payments if p["PaymentReference"]}
    view = CreditView([], [], [])
    for token, record, created in staged:
        if fold(token) in in_sage:
            view.memos.append({**record, "PostingState": "Entered"})
            continue
        view.pending.append(record)
        view.memos.append({**record, "PostingState": "Staged"})
        if now - created >= alert_after:
            view.late.append((record["Reference"], token))
    return view


def overlay(invoices: list[Record], pending: list[Record]) -> list[Record]:
    """Invoices as they will be once the pending credit memos are entered."""
    credits: dict[str, Decimal] = {}
    for memo in pending:
        key = fold(memo["InvoiceID"])
        credits[key] = credits.get(key, ZERO) + Decimal(memo["Amount"])
    return [
        _credited(i, credits[fold(i["InvoiceID"])]) if fold(i["InvoiceID"]) in credits else i
        for i in invoices
    ]


def _credited(invoice: Record, credit: Decimal) -> Record:
    if invoice["Status"] == "Open":
        balance = Decimal(invoice["Balance"]) - credit
        return {
            **invoice,
            "Balance": format_money(balance),
            "Status": "Paid" if balance <= ZERO else "Open",
            "PaymentStatus": "Paid" if balance <= ZERO else invoice["PaymentStatus"],
        }
    if invoice["Status"] == "Paid" and credit >= Decimal(invoice["AmountPaid"]):
        return {**invoice, "PaymentStatus": "Refunded"}
    return invoice


@dataclass(frozen=True)
class CreditMemoRequest:
    reference: str
    customer_id: str
    invoice_id: str
    memo_date: date
    amount: Decimal
    gl_account: str
    reason: str


def parse(
    data: Any,
    customers: set[str],
    active_accounts: set[str],
    invoices: dict[str, Record],
) -> tuple[CreditMemoRequest, Record]:
    """The request checked field by field against the folder; raises ``validation_failed``."""
    refuse_card_data(data)
    body = Body(data)
    reference = body.text("Reference", required=True, max_len=40)
    customer_id = body.text("CustomerID", required=True).upper()
    invoice_id = body.text("InvoiceID", required=True)
    memo_date = body.day("MemoDate", required=True)
    amount = body.money("Amount", required=True, positive=True)
    gl_account = body.text("GLAccountID", required=True)
    reason = body.text("Reason", max_len=200)
    body.check()
    if fold(customer_id) not in customers:
        body.fail("CustomerID", f"customer {customer_id} does not exist")
    if fold(gl_account) not in active_accounts:
        body.fail("GLAccountID", f"GL account {gl_account} does not exist or is inactive")
    invoice = invoices.get(fold(invoice_id))
    if invoice is None:
        body.fail("InvoiceID", f"invoice {invoice_id} does not exist")
    elif fold(invoice["CustomerID"]) != fold(customer_id):
        body.fail(
            "InvoiceID",
            f"invoice {invoice_id} belongs to customer {invoice['CustomerID']}, not {customer_id}",
        )
    body.check()
    assert memo_date is not None and invoice is not None  # required and checked above
    request = CreditMemoRequest(
        reference, customer_id, invoice["InvoiceID"], memo_date, amount, gl_account, reason
    )
    return request, invoice


def refuse_over_credit(request: CreditMemoRequest, invoice: Record, refunded: Decimal) -> None:
    """``refunded``: refund credits already staged on this (paid) invoice."""
    if invoice["Status"] == "Void":
        raise ApiError(
            "invoice_not_open",
            f"invoice {invoice['InvoiceID']} is Void",
            {"InvoiceID": "the invoice is void"},
        )
    if invoice["Status"] == "Open":
        balance = Decimal(invoice["Balance"])
        if request.amount > balance:
            raise ApiError(
                "overpayment",
                f"{money_text(request.amount)} is more than the "
                f"{money_text(balance)} still owed on invoice {invoice['InvoiceID']}",
                {"Amount": f"more than the balance {money_text(balance)}"},
            )
        return
    room = Decimal(invoice["AmountPaid"]) - refunded
    if request.amount > room:
        raise ApiError(
            "validation_failed",
            f"Amount: {money_text(request.amount)} is more than "
            f"the {money_text(room)} paid on invoice {invoice['InvoiceID']} and not "
            "yet credited",
            {"Amount": "more than was paid"},
        )


def record_for(request: CreditMemoRequest, token: str) -> Record:
    return {
        "CreditMemoID": f"STAGED-CM-{token}",
        "Reference": request.reference,
        "CustomerID": request.customer_id,
        "InvoiceID": request.invoice_id,
        "MemoDate": request.memo_date.isoformat(),
        "Amount": money_text(request.amount),
        "GLAccountID": request.gl_account,
        "Reason": request.reason,
        "Token": token,
    }
