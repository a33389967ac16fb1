"""Sage Pro JSON ↔ typed records: PascalCase fields, money as two-decimal strings, dates
as ``YYYY-MM-DD``. A record that cannot be read raises ``WireFormatError``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from app.domain.exchange import currency_code
from app.domain.money import MoneyError, format_money, to_money
from app.domain.records import Customer, Invoice
from app.domain.sagepro_records import (
    CreditMemo,
    CreditMemoDraft,
    CustomerDraft,
    GLAccount,
    Health,
    InvoiceDraft,
    JournalEntry,
    JournalEntryDraft,
    JournalLine,
    Page,
    Payment,
    PaymentApplication,
    PaymentDraft,
    PaymentReversal,
    PaymentReversalDraft,
    Period,
    SalesOrder,
    SalesOrderDraft,
    SalesOrderLine,
)

T = TypeVar("T")
Json = dict[str, Any]


class WireFormatError(ValueError):
    """A Sage Pro answer (or a stored payload) lacks a field or holds a bad value."""


def _get(data: Mapping[str, Any], field: str) -> Any:
    if field not in data:
        raise WireFormatError(f"{field} is missing")
    return data[field]


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return "" if value is None else str(value)


def _money(data: Mapping[str, Any], field: str) -> Decimal:
    try:
        return to_money(_get(data, field))
    except MoneyError as exc:
        raise WireFormatError(f"{field}: {exc}") from None


def _date(data: Mapping[str, Any], field: str) -> date:
    value = _get(data, field)
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise WireFormatError(f"{field}: {value!r} is not a date") from None


def _optional_date(data: Mapping[str, Any], field: str) -> date | None:
    return _date(data, field) if data.get(field) else None


def _list(data: Mapping[str, Any], field: str) -> list[Mapping[str, Any]]:
    value = data.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise WireFormatError(f"{field} must be a list of objects")
    return value


def parse_page(data: Any, parse: Callable[[Mapping[str, Any]], T]) -> Page[T]:
    if not isinstance(data, Mapping):
        raise WireFormatError("a list answer must be a JSON object")
    items = _get(data, "items")
    if not isinstance(items, list):
        raise WireFormatError("items must be a list")
    try:
        return Page(
            items=tuple(parse(_object(item)) for item in items),
            page=int(_get(data, "page")),
            page_size=int(_get(data, "page_size")),
            total=int(_get(data, "total")),
        )
    except (TypeError, ValueError, OverflowError) as exc:
        raise WireFormatError(str(exc)) from None


def _object(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise WireFormatError("a record must be a JSON object")
    return data


def parse_customer(data: Mapping[str, Any]) -> Customer:
    return Customer(
        customer_id=str(_get(data, "CustomerID")),
        name=_text(data, "Name"),
        email=_text(data, "Email"),
        phone=_text(data, "Phone"),
        status=_text(data, "Status") or "Active",
        credit_hold=bool(data.get("CreditHold", False)),
        balance=_money(data, "Balance"),
        paytrace_customer_id=_text(data, "PayTraceCustomerID"),
        card_last4=_text(data, "CardLast4"),
        card_expiry=_text(data, "CardExpiry"),
    )


def parse_invoice(data: Mapping[str, Any]) -> Invoice:
    return Invoice(
        invoice_id=str(_get(data, "InvoiceID")),
        customer_id=str(_get(data, "CustomerID")),
        amount=_money(data, "Amount"),
        balance=_money(data, "Balance"),
        invoice_date=_date(data, "InvoiceDate"),
        amount_paid=_money(data, "AmountPaid"),
        due_date=_optional_date(data, "DueDate"),
        order_number=_text(data, "OrderNumber"),
        po_number=_text(data, "PONumber"),
        status=str(_get(data, "Status")),
        payment_status=_text(data, "PaymentStatus") or "Unpaid",
        # Unverified shape: single-currency companies may send no, null, blank or lower-case
        # Currency; blank means the company's own (base) currency.
        currency=currency_code(_text(data, "Currency")),
    )


def parse_payment(data: Mapping[str, Any]) -> Payment:
    return Payment(
        payment_id=str(_get(data, "PaymentID")),
        reference=str(_get(data, "PaymentReference")),
        payment_date=_date(data, "PaymentDate"),
        amount=_money(data, "Amount"),
        customer_id=str(_get(data, "CustomerID")),
        gl_account_id=_text(data, "GLAccountID"),
        method_code=_text(data, "PaymentMethodCode"),
        invoice_id=_text(data, "InvoiceID") or None,
        applications=tuple(
            PaymentApplication(str(_get(a, "InvoiceID")), _money(a, "Amount"))
            for a in _list(data, "Applications")
        ),
        status=_text(data, "PaymentStatus") or "Paid",
        memo=_text(data, "Memo"),
        reversed=data.get("Reversed") is True,
        reversal_id=_text(data, "ReversalID"),
        posting_state=_text(data, "PostingState"),
        posting_token=_posting_token(data),
    )


def parse_credit_memo(data: Mapping[str, Any]) -> CreditMemo:
    return CreditMemo(
        credit_memo_id=str(_get(data, "CreditMemoID")),
        reference=str(_get(data, "Reference")),
        customer_id=str(_get(data, "CustomerID")),
        invoice_id=str(_get(data, "InvoiceID")),
        memo_date=_date(data, "MemoDate"),
        amount=_money(data, "Amount"),
        gl_account_id=_text(data, "GLAccountID"),
        reason=_text(data, "Reason"),
        posting_state=_text(data, "PostingState"),
        posting_token=_posting_token(data),
    )


def parse_payment_reversal(data: Mapping[str, Any]) -> PaymentReversal:
    return PaymentReversal(
        reversal_id=str(_get(data, "ReversalID")),
        reference=str(_get(data, "Reference")),
        payment_id=str(_get(data, "PaymentID")),
        reversal_date=_date(data, "ReversalDate"),
        amount=_money(data, "Amount"),
        reason=_text(data, "Reason"),
        posting_state=_text(data, "PostingState"),
        posting_token=_posting_token(data),
        customer_id=_text(data, "CustomerID"),
    )


def _posting_token(data: Mapping[str, Any]) -> str:
    """The bridge's token to type (``Token``; the field is not in the contract yet, so
    ``PostingToken`` is read too). "" when the server names none."""
    return _text(data, "Token").strip() or _text(data, "PostingToken").strip()


def _journal_line(data: Mapping[str, Any]) -> JournalLine:
    return JournalLine(
        gl_account_id=str(_get(data, "GLAccountID")),
        debit=_money(data, "Debit"),
        credit=_money(data, "Credit"),
        memo=_text(data, "Memo"),
    )


def parse_journal_entry(data: Mapping[str, Any]) -> JournalEntry:
    return JournalEntry(
        journal_id=str(_get(data, "JournalID")),
        reference=str(_get(data, "Reference")),
        entry_date=_date(data, "EntryDate"),
        lines=tuple(_journal_line(line) for line in _list(data, "Lines")),
        description=_text(data, "Description"),
        status=_text(data, "Status") or "Unposted",
        posting_state=_text(data, "PostingState"),
    )


def _order_line(data: Mapping[str, Any]) -> SalesOrderLine:
    try:
        quantity = Decimal(str(_get(data, "Quantity")))
    except ArithmeticError:
        raise WireFormatError("Quantity is not a number") from None
    return SalesOrderLine(
        item_id=str(_get(data, "ItemID")),
        quantity=quantity,
        unit_price=_money(data, "UnitPrice"),
        description=_text(data, "Description"),
    )


def parse_sales_order(data: Mapping[str, Any]) -> SalesOrder:
    return SalesOrder(
        order_number=str(_get(data, "OrderNumber")),
        customer_id=str(_get(data, "CustomerID")),
        order_date=_date(data, "OrderDate"),
        lines=tuple(_order_line(line) for line in _list(data, "Lines")),
        total=_money(data, "Total"),
        status=_text(data, "Status") or "Open",
        payment_status=_text(data, "PaymentStatus") or "Unpaid",
        payment_reference=_text(data, "PaymentReference"),
    )


def parse_gl_account(data: Mapping[str, Any]) -> GLAccount:
    return GLAccount(
        gl_account_id=str(_get(data, "GLAccountID")),
        description=_text(data, "Description"),
        type=_text(data, "Type"),
        active=bool(data.get("Active", True)),
    )


def parse_period(data: Mapping[str, Any]) -> Period:
    try:
        year, number = int(_get(data, "Year")), int(_get(data, "Period"))
    except (TypeError, ValueError, OverflowError):
        raise WireFormatError("Year and Period must be whole numbers") from None
    return Period(
        year=year,
        period=number,
        start=_date(data, "Start"),
        end=_date(data, "End"),
        locked=bool(data.get("Locked", False)),
    )


def parse_health(data: Mapping[str, Any]) -> Health:
    return Health(status=str(_get(data, "status")), company=_text(data, "company"))


# --- requests ------------------------------------------------------------------------


def customer_json(draft: CustomerDraft) -> Json:
    body: Json = {
        "CustomerID": draft.customer_id,
        "Name": draft.name,
        "Email": draft.email,
        "Phone": draft.phone,
        "Terms": draft.terms,
        "CreditHold": draft.credit_hold,
        "Status": draft.status,
        "PayTraceCustomerID": draft.paytrace_customer_id,
        "CardLast4": draft.card_last4,
        "CardExpiry": draft.card_expiry,
    }
    if draft.address is not None:
        a = draft.address
        body["BillingAddress"] = {
            "Street": a.street,
            "City": a.city,
            "State": a.state,
            "Zip": a.zip,
            "Country": a.country,
        }
    return body


def invoice_json(draft: InvoiceDraft) -> Json:
    body: Json = {
        "CustomerID": draft.customer_id,
        "InvoiceDate": draft.invoice_date.isoformat(),
        "Amount": format_money(draft.amount),
        "OrderNumber": draft.order_number,
        "PONumber": draft.po_number,
    }
    if draft.invoice_id:
        body["InvoiceID"] = draft.invoice_id
    if draft.due_date is not None:
        body["DueDate"] = draft.due_date.isoformat()
    return body


def payment_json(draft: PaymentDraft) -> Json:
    body: Json = {
        "PaymentReference": draft.reference,
        "PaymentDate": draft.payment_date.isoformat(),
        "Amount": format_money(draft.amount),
        "CustomerID": draft.customer_id,
        "GLAccountID": draft.gl_account_id,
        "PaymentMethodCode": draft.method_code,
        "PaymentStatus": draft.status,
        "Memo": draft.memo,
    }
    if draft.invoice_id:
        body["InvoiceID"] = draft.invoice_id
    if draft.applications:
        body["Applications"] = [
            {"InvoiceID": a.invoice_id, "Amount": format_money(a.amount)}
            for a in draft.applications
        ]
    if draft.currency:  # only foreign-currency payments carry these
        body["Currency"] = draft.currency
        if draft.exchange_rate is not None:
            body["ExchangeRate"] = str(draft.exchange_rate)
        if draft.base_amount is not None:
            body["BaseAmount"] = format_money(draft.base_amount)
    return body


def credit_memo_json(draft: CreditMemoDraft) -> Json:
    return {
        "Reference": draft.reference,
        "CustomerID": draft.customer_id,
        "InvoiceID": draft.invoice_id,
        "MemoDate": draft.memo_date.isoformat(),
        "Amount": format_money(draft.amount),
        "Reason": draft.reason,
        "GLAccountID": draft.gl_account_id,
    }


def payment_reversal_json(draft: PaymentReversalDraft) -> Json:
    return {
        "Reference": draft.reference,
        "PaymentID": draft.payment_id,
        "ReversalDate": draft.reversal_date.isoformat(),
        "Reason": draft.reason,
    }


def journal_entry_json(draft: JournalEntryDraft) -> Json:
    return {
        "Reference": draft.reference,
        "EntryDate": draft.entry_date.isoformat(),
        "Description": draft.description,
        "Lines": [
            {
                "GLAccountID": line.gl_account_id,
                "Debit": format_money(line.debit),
                "Credit": format_money(line.credit),
                "Memo": line.memo,
            }
            for line in draft.lines
        ],
    }


def sales_order_json(draft: SalesOrderDraft) -> Json:
    body: Json = {
        "CustomerID": draft.customer_id,
        "OrderDate": draft.order_date.isoformat(),
        "Lines": [
            {
                "ItemID": line.item_id,
                "Description": line.description,
                "Quantity": str(line.quantity),
                "UnitPrice": format_money(line.unit_price),
            }
            for line in draft.lines
        ],
        "Status": draft.status,
        "PaymentStatus": draft.payment_status,
        "PaymentReference": draft.payment_reference,
    }
    if draft.order_number:
        body["OrderNumber"] = draft.order_number
    return body
