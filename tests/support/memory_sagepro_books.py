"""The books behind ``MemorySagePro`` (tests/support/memory_sagepro.py): what a person set up
in Sage Pro (customers, invoices, GL accounts, fiscal periods) and the contract's rules a
posting must pass, with balances in exact ``Decimal``."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from app.connectors.sagepro.errors import (
    DuplicateReferenceError,
    InvoiceNotOpenError,
    OutcomeUnknownError,
    OverpaymentError,
    PeriodClosedError,
    ValidationFailedError,
)
from app.domain.records import Customer, Invoice
from app.domain.sagepro_records import (
    CreditMemo,
    GLAccount,
    JournalEntry,
    Payment,
    PaymentApplication,
    PaymentDraft,
    PaymentReversal,
    Period,
    SalesOrder,
)

ZERO = Decimal("0.00")
R = TypeVar("R")


def _payment_status(invoice: Invoice) -> str:
    if invoice.balance == ZERO:
        return "Paid"
    return "Partial" if invoice.amount_paid > ZERO else "Unpaid"


class MemoryBooks:
    """One company's books in dicts keyed by upper-case id or reference."""

    def __init__(self, *, company: str = "Memory Co") -> None:
        self.company = company
        self.customers: dict[str, Customer] = {}
        self.invoices: dict[str, Invoice] = {}
        self.payments: dict[str, Payment] = {}  # by PaymentReference
        self.reversals: dict[str, PaymentReversal] = {}
        self.credit_memos: dict[str, CreditMemo] = {}
        self.journal_entries: dict[str, JournalEntry] = {}
        self.sales_orders: dict[str, SalesOrder] = {}
        self.gl_accounts: dict[str, GLAccount] = {}
        self.periods: list[Period] = []
        self.writes: list[str] = []  # every write that changed the books, by reference
        self.calls: list[str] = []  # "find_payment PT-1-PAY", "post_payment PT-1-PAY", ...
        self.lose_answers = 0  # the next n writes happen, then their answer is lost
        self._next_id = 1000

    # --- setting the books up (what a person did in Sage Pro) --------------------------

    def add_customer(self, customer_id: str, name: str) -> Customer:
        customer = Customer(customer_id=customer_id.upper(), name=name)
        self.customers[customer.customer_id] = customer
        return customer

    def add_invoice(self, invoice_id: str, customer_id: str, amount: str, day: date) -> Invoice:
        money = Decimal(amount)
        invoice = Invoice(invoice_id, customer_id.upper(), money, money, day)
        self.invoices[invoice_id.upper()] = invoice
        self._change_customer_balance(invoice.customer_id, money)
        return invoice

    def add_gl_account(self, gl_account_id: str, kind: str = "Asset", active: bool = True) -> None:
        self.gl_accounts[gl_account_id.upper()] = GLAccount(
            gl_account_id, gl_account_id, kind, active
        )

    def add_period(
        self, year: int, month: int, start: date, end: date, locked: bool = False
    ) -> None:
        self.periods.append(Period(year, month, start, end, locked))

    def lock_period(self, year: int, month: int) -> None:
        self.periods = [
            dataclasses.replace(p, locked=True) if (p.year, p.period) == (year, month) else p
            for p in self.periods
        ]

    # --- rules ------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        self._next_id += 1
        return f"{prefix}{self._next_id}"

    def _unique(self, table: dict[str, Any], reference: str, noun: str) -> None:
        if not reference.strip():
            raise ValidationFailedError(f"{noun} reference is required", code="validation_failed")
        if reference.upper() in table:
            raise DuplicateReferenceError(
                f"{noun} reference {reference} is already used", code="duplicate_reference"
            )

    def _open_period(self, day: date, field: str) -> None:
        period = next((p for p in self.periods if p.contains(day)), None)
        if period is None:
            raise ValidationFailedError(
                f"{day} is outside every fiscal period",
                code="validation_failed",
                fields={field: "outside every fiscal period"},
            )
        if period.locked:
            raise PeriodClosedError(
                f"Period {period.period}/{period.year} is closed",
                code="period_closed",
                fields={field: "in a closed period"},
            )

    def _account(self, gl_account_id: str) -> None:
        account = self.gl_accounts.get(gl_account_id.upper())
        if account is None or not account.active:
            raise ValidationFailedError(
                f"GL account {gl_account_id} does not exist or is inactive",
                code="validation_failed",
                fields={"GLAccountID": "unknown or inactive"},
            )

    def _committed(self, reference: str, record: R) -> R:
        """The write happened; its answer may still be lost on the way back."""
        self.writes.append(reference)
        if self.lose_answers > 0:
            self.lose_answers -= 1
            raise OutcomeUnknownError("The connection dropped before Sage Pro answered")
        return record

    def _change_customer_balance(self, customer_id: str, by: Decimal) -> None:
        customer = self.customers[customer_id]
        self.customers[customer_id] = dataclasses.replace(customer, balance=customer.balance + by)

    def _apply_to_invoice(self, invoice_id: str, amount: Decimal) -> None:
        """Positive pays the invoice, negative gives the money back (a reversal)."""
        invoice = self.invoices[invoice_id.upper()]
        paid = invoice.amount_paid + amount
        balance = invoice.amount - paid
        changed = dataclasses.replace(
            invoice, amount_paid=paid, balance=balance, status="Paid" if balance == ZERO else "Open"
        )
        self.invoices[invoice_id.upper()] = dataclasses.replace(
            changed, payment_status=_payment_status(changed)
        )

    def _applications(self, draft: PaymentDraft) -> tuple[PaymentApplication, ...]:
        if draft.invoice_id and draft.applications:
            raise ValidationFailedError(
                "InvoiceID and Applications together", code="validation_failed"
            )
        if draft.invoice_id:
            return (PaymentApplication(draft.invoice_id, draft.amount),)
        return draft.applications

    def _check_payment(self, draft: PaymentDraft, apps: tuple[PaymentApplication, ...]) -> None:
        if draft.amount <= ZERO:
            raise ValidationFailedError("Amount must be more than zero", code="validation_failed")
        if draft.customer_id.upper() not in self.customers:
            raise ValidationFailedError(
                f"Customer {draft.customer_id} does not exist",
                code="validation_failed",
                fields={"CustomerID": "unknown customer"},
            )
        self._account(draft.gl_account_id)
        if sum((a.amount for a in apps), ZERO) > draft.amount:
            raise ValidationFailedError(
                "Applications add up to more than Amount", code="validation_failed"
            )
        for app in apps:
            invoice = self.invoices.get(app.invoice_id.upper())
            if invoice is None or invoice.customer_id != draft.customer_id.upper():
                raise ValidationFailedError(
                    f"Invoice {app.invoice_id} is not one of {draft.customer_id}'s",
                    code="validation_failed",
                    fields={"InvoiceID": "unknown for this customer"},
                )
            if not invoice.is_open:
                raise InvoiceNotOpenError(
                    f"Invoice {app.invoice_id} is not open", code="invoice_not_open"
                )
            if app.amount > invoice.balance:
                raise OverpaymentError(
                    f"{app.amount} is more than invoice {app.invoice_id} balance {invoice.balance}",
                    code="overpayment",
                )
        self._open_period(draft.payment_date, "PaymentDate")
