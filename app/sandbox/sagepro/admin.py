"""Sandbox controls under ``/_sandbox/`` (no API key): what a person inside Sage Pro would
do between two syncs, and counts for tests.

- ``GET  /_sandbox/counts`` → ``{"customers": n, "invoices": n, "payments": n, ...}``
- ``POST /_sandbox/periods/lock`` ``{"Year": 2025, "Period": 2, "Locked": true}`` or
  ``{"Date": "2025-02-10", "Locked": false}`` → the period
- ``POST /_sandbox/invoices/{InvoiceID}/void`` → the voided invoice
- ``POST /_sandbox/invoices/{InvoiceID}/pay`` ``{"Amount"?, "PaymentDate"?,
  "PaymentReference"?}`` → the payment (whole balance, today, ``SAGE-n`` by default)
- ``POST /_sandbox/staged/enter`` ``{"Reference": "PT-1-PAY"}`` → the staged payment, credit
  memo or reversal with that reference, now ``PostingState: Entered`` (staged mode: a
  bookkeeper entered it in Sage Pro)
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import unquote

from app.sandbox.http_base import SandboxRequest, SandboxResponse
from app.sandbox.sagepro.books import (
    INVOICES,
    PERIODS,
    STAGED_KINDS,
    Books,
    period_id,
    public,
)
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.errors import ApiError, invalid, not_found
from app.sandbox.sagepro.invoices import void_invoice
from app.sandbox.sagepro.listing import Query
from app.sandbox.sagepro.payments import create_payment

_INVOICE_ACTION = re.compile(r"^/_sandbox/invoices/(?P<id>[^/]+)/(?P<action>void|pay)/?$")
OFFICE_BANK_ACCOUNT = "1010"


def handle(books: Books, request: SandboxRequest) -> SandboxResponse:
    if request.path.rstrip("/") == "/_sandbox/counts" and request.method == "GET":
        return SandboxResponse(200, books.store.counts())
    if request.method != "POST":
        raise ApiError("not_found", f"there is no sandbox control {request.method} {request.path}")
    try:
        body = request.json()
    except ValueError:
        raise ApiError("validation_failed", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError("validation_failed", "the request body must be a JSON object")
    if request.path.rstrip("/") == "/_sandbox/periods/lock":
        return _lock_period(books, body)
    if request.path.rstrip("/") == "/_sandbox/staged/enter":
        return _enter_staged(books, body)
    match = _INVOICE_ACTION.match(request.path)
    if match is None:
        raise ApiError("not_found", f"there is no sandbox control {request.path}")
    invoice = books.invoice(unquote(match["id"]))
    if invoice is None:
        raise not_found("Invoice", unquote(match["id"]))
    if invoice["Status"] != "Open":
        raise ApiError("invoice_not_open", f"invoice {invoice['InvoiceID']} is {invoice['Status']}")
    if match["action"] == "void":
        void_invoice(books, invoice)
        return SandboxResponse(200, public(books.store.get(INVOICES, invoice["InvoiceID"]) or {}))
    return _pay_inside_sage(books, invoice, body)


def _lock_period(books: Books, body: dict[str, Any]) -> SandboxResponse:
    locked = body.get("Locked", True)
    if not isinstance(locked, bool):
        raise invalid("Locked", "must be true or false")
    if "Date" in body:
        try:
            day = date.fromisoformat(str(body["Date"]))
        except ValueError:
            raise invalid("Date", "must be a date as YYYY-MM-DD") from None
        period = next(
            (
                p
                for p in books.store.all(PERIODS)
                if date.fromisoformat(p["Start"]) <= day <= date.fromisoformat(p["End"])
            ),
            None,
        )
    else:
        year, number = body.get("Year"), body.get("Period")
        if not isinstance(year, int) or not isinstance(number, int):
            raise invalid("Period", "send Year and Period as whole numbers, or a Date")
        period = books.store.get(PERIODS, period_id(year, number))
    if period is None:
        raise ApiError("not_found", "no fiscal period matches")
    period["Locked"] = locked
    books.save(PERIODS, period_id(period["Year"], period["Period"]), period)
    return SandboxResponse(200, public(period))


def _enter_staged(books: Books, body: dict[str, Any]) -> SandboxResponse:
    reference = str(body.get("Reference") or "").strip()
    if not reference:
        raise invalid("Reference", "is required")
    for kind, id_field in STAGED_KINDS.items():
        doc = books.store.find_by_ref(kind, reference)
        if doc is not None:
            doc["PostingState"] = "Entered"
            books.save(kind, str(doc[id_field]), doc, reference)
            return SandboxResponse(200, public(doc))
    raise ApiError("not_found", f"no payment, credit memo or reversal has reference {reference}")


def _pay_inside_sage(
    books: Books, invoice: dict[str, Any], body: dict[str, Any]
) -> SandboxResponse:
    """A cash receipt keyed in Sage Pro itself, going through the same rules as the API."""
    number = books.store.next_number("office_receipts", 1)
    payment = {
        "PaymentReference": body.get("PaymentReference") or f"SAGE-{number}",
        "PaymentDate": body.get("PaymentDate") or books.now().date().isoformat(),
        "Amount": body.get("Amount") or invoice["Balance"],
        "CustomerID": invoice["CustomerID"],
        "InvoiceID": invoice["InvoiceID"],
        "GLAccountID": OFFICE_BANK_ACCOUNT,
        "PaymentMethodCode": "ACH",
        "Memo": "Received in the office",
    }
    created = create_payment(books, Call(Query({}), payment))
    if books.staged_posting and created.status == 201:  # keyed in Sage Pro: entered already
        return _enter_staged(books, {"Reference": payment["PaymentReference"]})
    return created
