"""Drafts from stored payloads: an outbox row keeps the Sage Pro fields it will send
(PascalCase, money as text); these read them back into typed drafts. Floats are refused —
money in a payload is text or Decimal, never a binary fraction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.money import MoneyError, to_money
from app.domain.sagepro_records import (
    CreditMemoDraft,
    JournalEntryDraft,
    JournalLine,
    PaymentApplication,
    PaymentDraft,
    PaymentReversalDraft,
    SalesOrderDraft,
    SalesOrderLine,
)


class PayloadError(ValueError):
    """A stored payload cannot become a Sage Pro draft; says which field and why."""


def _money(fields: Mapping[str, Any], name: str, default: str | None = None) -> Decimal:
    value = fields.get(name, default)
    if isinstance(value, float):
        raise PayloadError(f'{name} is a float; money must be text like "125.00"')
    try:
        return to_money(value)
    except MoneyError as exc:
        raise PayloadError(f"{name}: {exc}") from None


def _date(fields: Mapping[str, Any], name: str) -> date:
    value = fields.get(name)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PayloadError(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


def _text(fields: Mapping[str, Any], name: str, default: str = "") -> str:
    value = fields.get(name)
    return default if value is None else str(value).strip()


def _objects(fields: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = fields.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise PayloadError(f"{name} must be a list of objects")
    return value


def payment_draft(fields: Mapping[str, Any]) -> PaymentDraft:
    return PaymentDraft(
        reference=_text(fields, "PaymentReference"),
        payment_date=_date(fields, "PaymentDate"),
        amount=_money(fields, "Amount"),
        customer_id=_text(fields, "CustomerID"),
        gl_account_id=_text(fields, "GLAccountID"),
        method_code=_text(fields, "PaymentMethodCode", "CC"),
        invoice_id=_text(fields, "InvoiceID") or None,
        applications=tuple(
            PaymentApplication(_text(a, "InvoiceID"), _money(a, "Amount"))
            for a in _objects(fields, "Applications")
        ),
        status=_text(fields, "PaymentStatus", "Paid"),
        memo=_text(fields, "Memo"),
        currency=_text(fields, "Currency").upper(),
        exchange_rate=_rate(fields, "ExchangeRate"),
        base_amount=_money(fields, "BaseAmount") if fields.get("BaseAmount") else None,
    )


def _rate(fields: Mapping[str, Any], name: str) -> Decimal | None:
    value = fields.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, float):
        raise PayloadError(f'{name} is a float; a rate must be text like "1.3650"')
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"{name} is not a number: {value!r}") from None
    if not rate.is_finite() or rate <= 0:
        raise PayloadError(f"{name} must be more than zero, not {value!r}")
    return rate


def credit_memo_draft(fields: Mapping[str, Any]) -> CreditMemoDraft:
    return CreditMemoDraft(
        reference=_text(fields, "Reference"),
        customer_id=_text(fields, "CustomerID"),
        invoice_id=_text(fields, "InvoiceID"),
        memo_date=_date(fields, "MemoDate"),
        amount=_money(fields, "Amount"),
        gl_account_id=_text(fields, "GLAccountID"),
        reason=_text(fields, "Reason"),
    )


def payment_reversal_draft(fields: Mapping[str, Any]) -> PaymentReversalDraft:
    return PaymentReversalDraft(
        reference=_text(fields, "Reference"),
        payment_id=_text(fields, "PaymentID"),
        reversal_date=_date(fields, "ReversalDate"),
        reason=_text(fields, "Reason"),
    )


def journal_entry_draft(fields: Mapping[str, Any]) -> JournalEntryDraft:
    return JournalEntryDraft(
        reference=_text(fields, "Reference"),
        entry_date=_date(fields, "EntryDate"),
        description=_text(fields, "Description"),
        lines=tuple(
            JournalLine(
                gl_account_id=_text(line, "GLAccountID"),
                debit=_money(line, "Debit", "0"),
                credit=_money(line, "Credit", "0"),
                memo=_text(line, "Memo"),
            )
            for line in _objects(fields, "Lines")
        ),
    )


def sales_order_draft(fields: Mapping[str, Any]) -> SalesOrderDraft:
    lines = []
    for line in _objects(fields, "Lines"):
        quantity = line.get("Quantity")
        if isinstance(quantity, float):
            raise PayloadError("Quantity is a float; send an integer or decimal text")
        try:
            amount = Decimal(str(quantity))
        except InvalidOperation:
            raise PayloadError(f"Quantity {quantity!r} is not a number") from None
        lines.append(
            SalesOrderLine(
                item_id=_text(line, "ItemID"),
                quantity=amount,
                unit_price=_money(line, "UnitPrice"),
                description=_text(line, "Description"),
            )
        )
    return SalesOrderDraft(
        order_number=_text(fields, "OrderNumber"),
        customer_id=_text(fields, "CustomerID"),
        order_date=_date(fields, "OrderDate"),
        lines=tuple(lines),
        status=_text(fields, "Status", "Open"),
        payment_status=_text(fields, "PaymentStatus", "Unpaid"),
        payment_reference=_text(fields, "PaymentReference"),
    )
