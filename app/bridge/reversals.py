"""Staged payment reversals: the contract's ``POST /api/paymentreversals``, kept by the bridge
until the bookkeeper voids the receipt in Sage Pro (the AR module's "void cash receipt").

How an entered void shows in ARCASH is not verified (bridge doc §6): the bridge takes it as
the negative receipt rows Sage Pro's void leaves, with the reversal's token typed in REFNO,
so a receipt whose reference is the token links it (whatever its sign). Until then the
overlay puts the payment's applications back on its invoices and its amount back on the
customer's balance; the reversed payment shows ``Reversed`` and its ``ReversalID`` from the
moment the reversal is staged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.bridge.company import Record
from app.domain.money import format_money
from app.sandbox.sagepro.fields import Body, refuse_card_data
from app.sandbox.sagepro.store import fold

ZERO = Decimal("0.00")
Staged = list[tuple[str, Record, datetime]]  # (token, record, staged at)


@dataclass
class ReversalView:
    reversals: list[Record]  # what GET /api/paymentreversals answers
    pending: list[Record]  # staged, not yet found in Sage Pro (the overlay)
    late: list[tuple[str, str]]  # (reference, token) waiting longer than the alert threshold
    tokens: set[str]  # folded tokens of every staged reversal, entered or not


def link(
    staged: Staged, sage_payments: list[Record], now: datetime, alert_after: timedelta
) -> ReversalView:
    in_sage = {fold(p["PaymentReference"]) for p in sage_payments if p["PaymentReference"]}
    view = ReversalView([], [], [], set())
    for token, record, created in staged:
        view.tokens.add(fold(token))
        if fold(token) in in_sage:
            view.reversals.append({**record, "PostingState": "Entered"})
            continue
        view.pending.append(record)
        view.reversals.append({**record, "PostingState": "Staged"})
        if now - created >= alert_after:
            view.late.append((record["Reference"], token))
    return view


@dataclass(frozen=True)
class ReversalRequest:
    reference: str
    payment: Record  # the payment as the bridge answers it (Sage Pro's or a staged one)
    reversal_date: date
    reason: str


def parse(data: Any, payments: list[Record], reversed_ids: set[str]) -> ReversalRequest:
    """The request checked in the contract's order (fields, then the payment); raises
    ``validation_failed``. ``reversed_ids``: folded PaymentIDs with a staged reversal."""
    refuse_card_data(data)
    body = Body(data)
    reference = body.text("Reference", required=True, max_len=40)
    payment_id = body.text("PaymentID", required=True)
    reversal_date = body.day("ReversalDate", required=True)
    reason = body.text("Reason", required=True, max_len=200)
    body.check()
    payment = next((p for p in payments if fold(p["PaymentID"]) == fold(payment_id)), None)
    if payment is None:
        body.fail("PaymentID", f"payment {payment_id} does not exist")
    elif fold(payment["PaymentID"]) in reversed_ids:
        body.fail("PaymentID", f"payment {payment['PaymentID']} is already reversed")
    elif payment.get("PaymentStatus") == "Failed":
        body.fail(
            "PaymentID", f"payment {payment['PaymentID']} is a Failed attempt and moved no money"
        )
    body.check()
    assert payment is not None and reversal_date is not None  # checked above
    return ReversalRequest(reference, payment, reversal_date, reason)


def record_for(request: ReversalRequest, token: str) -> Record:
    payment = request.payment
    return {
        "ReversalID": f"STAGED-RV-{token}",
        "Reference": request.reference,
        "PaymentID": payment["PaymentID"],
        "ReversalDate": request.reversal_date.isoformat(),
        "Amount": payment["Amount"],
        "Reason": request.reason,
        # beyond the contract: what the bookkeeper needs to void the right receipt
        "CustomerID": payment["CustomerID"],
        # the Check/Reference No. the receipt carries in Sage Pro (a staged one: its token)
        "ReceiptReference": payment.get("Token") or payment["PaymentReference"],
        "Applications": applications(payment),
        "Token": token,
    }


def applications(payment: Record) -> list[Record]:
    """What the payment put on each invoice (the rest was on account)."""
    if payment.get("Applications"):
        return [
            {"InvoiceID": a["InvoiceID"], "Amount": a["Amount"]} for a in payment["Applications"]
        ]
    if payment.get("InvoiceID"):
        return [{"InvoiceID": payment["InvoiceID"], "Amount": payment["Amount"]}]
    return []


def overlay(invoices: list[Record], pending: list[Record]) -> list[Record]:
    """Invoices as they will be once the pending voids are entered: applications put back."""
    restored: dict[str, Decimal] = {}
    for reversal in pending:
        for application in reversal["Applications"]:
            key = fold(application["InvoiceID"])
            restored[key] = restored.get(key, ZERO) + Decimal(application["Amount"])
    return [
        _restored(i, restored[fold(i["InvoiceID"])]) if fold(i["InvoiceID"]) in restored else i
        for i in invoices
    ]


def _restored(invoice: Record, amount: Decimal) -> Record:
    if invoice["Status"] == "Void":
        return invoice
    paid = Decimal(invoice["AmountPaid"]) - amount
    balance = Decimal(invoice["Balance"]) + amount
    return {
        **invoice,
        "AmountPaid": format_money(paid),
        "Balance": format_money(balance),
        "Status": "Open" if balance > ZERO else "Paid",
        "PaymentStatus": "Paid" if balance <= ZERO else ("Partial" if paid > ZERO else "Unpaid"),
    }


def marked(payments: list[Record], view: ReversalView) -> list[Record]:
    """The payments with ``Reversed``/``ReversalID`` for each staged reversal, and without
    the void's own (negative) receipt rows once it is entered."""
    by_payment = {fold(r["PaymentID"]): r["ReversalID"] for r in view.reversals}
    return [
        {**p, "Reversed": True, "ReversalID": by_payment[fold(p["PaymentID"])]}
        if fold(p["PaymentID"]) in by_payment
        else p
        for p in payments
        if fold(p["PaymentReference"] or "") not in view.tokens
    ]
