"""``MemorySagePro``: the ``SageProGateway`` protocol held in memory, for fast unit tests of
the sync services (no sockets, no server thread).

It keeps the Sage Pro API contract's rules that matter for posting (the same rules the
HTTP stand-in in app/sandbox enforces): every reference is unique without regard to case
and the duplicate check comes first; a payment must name a known customer and that
customer's open invoices, and never apply more than an invoice's balance; a date in a
locked period is ``period_closed`` and a date outside every period ``validation_failed``;
journal entries balance on active accounts; a reversal puts the payment's money back on its
invoices. Balances are exact ``Decimal`` cents. ``lose_answers`` makes the next writes
happen but lose their answer (``OutcomeUnknownError``), as a timeout after the server
committed would; ``calls`` lists the lookups and posts in order.

What the HTTP stand-in adds on top (wire format, paging over HTTP, auth, rate limits) is
tested against the stand-in itself in tests/integration.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from app.connectors.sagepro.errors import (
    NotFoundError,
    OverpaymentError,
    ValidationFailedError,
)
from app.connectors.sagepro.gateway import DEFAULT_PAGE_SIZE
from app.domain.records import Customer, Invoice
from app.domain.sagepro_records import (
    CreditMemo,
    CreditMemoDraft,
    CustomerDraft,
    GLAccount,
    Health,
    JournalEntry,
    JournalEntryDraft,
    Page,
    Payment,
    PaymentApplication,
    PaymentDraft,
    PaymentReversal,
    PaymentReversalDraft,
    Period,
    SalesOrder,
    SalesOrderDraft,
)
from tests.support.memory_sagepro_books import ZERO, MemoryBooks

T = TypeVar("T")


def _page(items: Iterable[T], page: int, page_size: int) -> Page[T]:
    every = list(items)
    start = (page - 1) * page_size
    return Page(tuple(every[start : start + page_size]), page, page_size, len(every))


class MemorySagePro(MemoryBooks):
    """The gateway protocol over ``MemoryBooks``: writes check the rules, then change the
    books in one step; reads filter without regard to case."""

    # --- the gateway protocol: writes --------------------------------------------------

    def post_payment(self, draft: PaymentDraft) -> Payment:
        self.calls.append(f"post_payment {draft.reference}")
        self._unique(self.payments, draft.reference, "Payment")
        apps = self._applications(draft)
        self._check_payment(draft, apps)
        payment = Payment(
            payment_id=self._new_id("PMT"),
            reference=draft.reference,
            payment_date=draft.payment_date,
            amount=draft.amount,
            customer_id=draft.customer_id.upper(),
            gl_account_id=draft.gl_account_id,
            method_code=draft.method_code,
            invoice_id=draft.invoice_id,
            applications=draft.applications,
            status=draft.status,
            memo=draft.memo,
            posting_state="Posted",
        )
        if draft.status != "Failed":  # a failed attempt is recorded and changes no balance
            for app in apps:
                self._apply_to_invoice(app.invoice_id, app.amount)
            self._change_customer_balance(payment.customer_id, -draft.amount)
        self.payments[draft.reference.upper()] = payment
        return self._committed(draft.reference, payment)

    def post_payment_reversal(self, draft: PaymentReversalDraft) -> PaymentReversal:
        self.calls.append(f"post_payment_reversal {draft.reference}")
        self._unique(self.reversals, draft.reference, "Payment reversal")
        payment = next(
            (p for p in self.payments.values() if p.payment_id == draft.payment_id), None
        )
        if payment is None:
            raise ValidationFailedError(
                f"Payment {draft.payment_id} does not exist", code="validation_failed"
            )
        if payment.reversed or payment.status == "Failed":
            why = "already reversed" if payment.reversed else "a Failed payment"
            raise ValidationFailedError(
                f"Payment {payment.payment_id} is {why}", code="validation_failed"
            )
        self._open_period(draft.reversal_date, "ReversalDate")
        apps = payment.applications or (
            (PaymentApplication(payment.invoice_id, payment.amount),) if payment.invoice_id else ()
        )
        for app in apps:
            self._apply_to_invoice(app.invoice_id, -app.amount)
        self._change_customer_balance(payment.customer_id, payment.amount)
        reversal = PaymentReversal(
            reversal_id=self._new_id("REV"),
            reference=draft.reference,
            payment_id=payment.payment_id,
            reversal_date=draft.reversal_date,
            amount=payment.amount,
            reason=draft.reason,
            posting_state="Posted",
        )
        self.payments[payment.reference.upper()] = dataclasses.replace(
            payment, reversed=True, reversal_id=reversal.reversal_id
        )
        self.reversals[draft.reference.upper()] = reversal
        return self._committed(draft.reference, reversal)

    def post_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo:
        self._unique(self.credit_memos, draft.reference, "Credit memo")
        invoice = self.invoices.get(draft.invoice_id.upper())
        if invoice is None or invoice.customer_id != draft.customer_id.upper():
            raise ValidationFailedError(
                f"Invoice {draft.invoice_id} is unknown", code="validation_failed"
            )
        self._account(draft.gl_account_id)
        if invoice.is_open and draft.amount > invoice.balance:
            raise OverpaymentError(f"{draft.amount} is more than the balance", code="overpayment")
        self._open_period(draft.memo_date, "MemoDate")
        if invoice.is_open:
            self._apply_to_invoice(invoice.invoice_id, draft.amount)
        self._change_customer_balance(invoice.customer_id, -draft.amount)
        memo = CreditMemo(
            self._new_id("CM"),
            draft.reference,
            invoice.customer_id,
            invoice.invoice_id,
            draft.memo_date,
            draft.amount,
            draft.gl_account_id,
            draft.reason,
            posting_state="Posted",
        )
        self.credit_memos[draft.reference.upper()] = memo
        return self._committed(draft.reference, memo)

    def post_journal_entry(self, draft: JournalEntryDraft) -> JournalEntry:
        self._unique(self.journal_entries, draft.reference, "Journal entry")
        if len(draft.lines) < 2:
            raise ValidationFailedError("A journal entry needs two lines", code="validation_failed")
        for line in draft.lines:
            if (line.debit > ZERO) == (line.credit > ZERO):
                raise ValidationFailedError(
                    "Each line has a debit or a credit", code="validation_failed"
                )
            self._account(line.gl_account_id)
        debits = sum((line.debit for line in draft.lines), ZERO)
        if debits != sum((line.credit for line in draft.lines), ZERO):
            raise ValidationFailedError("Debits and credits differ", code="validation_failed")
        self._open_period(draft.entry_date, "EntryDate")
        entry = JournalEntry(
            self._new_id("JE"),
            draft.reference,
            draft.entry_date,
            draft.lines,
            draft.description,
            posting_state="Entered",
        )
        self.journal_entries[draft.reference.upper()] = entry
        return self._committed(draft.reference, entry)

    def create_customer(self, draft: CustomerDraft) -> Customer:
        self._unique(self.customers, draft.customer_id, "Customer")
        customer = Customer(draft.customer_id.upper(), draft.name, draft.email, draft.phone)
        self.customers[customer.customer_id] = customer
        return self._committed(draft.customer_id, customer)

    def update_customer(self, customer_id: str, **changes: Any) -> Customer:
        customer = self.get_customer(customer_id)
        fields = {name: value for name, value in changes.items() if value is not None}
        self.customers[customer.customer_id] = dataclasses.replace(customer, **fields)
        return self._committed(customer_id, self.customers[customer.customer_id])

    def update_invoice(
        self, invoice_id: str, *, payment_status: str | None = None, due_date: date | None = None
    ) -> Invoice:
        invoice = self.get_invoice(invoice_id)
        changed = dataclasses.replace(
            invoice,
            payment_status=payment_status or invoice.payment_status,
            due_date=due_date or invoice.due_date,
        )
        self.invoices[invoice_id.upper()] = changed
        return self._committed(invoice_id, changed)

    def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        number = draft.order_number or self._new_id("SO")
        self._unique(self.sales_orders, number, "Sales order")
        total = sum((line.quantity * line.unit_price for line in draft.lines), ZERO)
        order = SalesOrder(
            number,
            draft.customer_id.upper(),
            draft.order_date,
            draft.lines,
            total.quantize(ZERO),
            draft.status,
            draft.payment_status,
            draft.payment_reference,
        )
        self.sales_orders[number.upper()] = order
        return self._committed(number, order)

    def update_sales_order(self, order_number: str, **changes: Any) -> SalesOrder:
        order = self.get_sales_order(order_number)
        fields = {name: value for name, value in changes.items() if value is not None}
        self.sales_orders[order_number.upper()] = dataclasses.replace(order, **fields)
        return self._committed(order_number, self.sales_orders[order_number.upper()])

    # --- the gateway protocol: reads ---------------------------------------------------

    def health(self) -> Health:
        return Health("ok", self.company)

    def get_customer(self, customer_id: str) -> Customer:
        return _get(self.customers, customer_id, "Customer")

    def get_invoice(self, invoice_id: str) -> Invoice:
        return _get(self.invoices, invoice_id, "Invoice")

    def get_sales_order(self, order_number: str) -> SalesOrder:
        return _get(self.sales_orders, order_number, "Sales order")

    def find_payment(self, reference: str) -> Payment | None:
        self.calls.append(f"find_payment {reference}")
        return self.payments.get(reference.upper())

    def find_payment_reversal(self, reference: str) -> PaymentReversal | None:
        self.calls.append(f"find_payment_reversal {reference}")
        return self.reversals.get(reference.upper())

    def find_credit_memo(self, reference: str) -> CreditMemo | None:
        return self.credit_memos.get(reference.upper())

    def find_journal_entry(self, reference: str) -> JournalEntry | None:
        return self.journal_entries.get(reference.upper())

    def find_sales_order(self, order_number: str) -> SalesOrder | None:
        return self.sales_orders.get(order_number.upper())

    def list_customers(
        self,
        *,
        customer_id: str | None = None,
        email: str | None = None,
        paytrace_customer_id: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Customer]:
        del modified_since  # nothing here is dated: every customer counts as changed
        wanted = _filters(
            customer_id=customer_id, email=email, paytrace_customer_id=paytrace_customer_id
        )
        return _page((c for c in self.customers.values() if wanted(c)), page, page_size)

    def list_invoices(
        self,
        *,
        status: str = "open",
        customer_id: str | None = None,
        order_number: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Invoice]:
        del modified_since
        wanted = _filters(customer_id=customer_id, order_number=order_number)
        matching = (
            i for i in self.invoices.values() if wanted(i) and status in ("all", i.status.lower())
        )
        return _page(matching, page, page_size)

    def list_payments(
        self,
        *,
        invoice_id: str | None = None,
        customer_id: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Payment]:
        def wanted(p: Payment) -> bool:
            invoices = {a.invoice_id.upper() for a in p.applications} | {
                (p.invoice_id or "").upper()
            }
            return (
                (invoice_id is None or invoice_id.upper() in invoices)
                and (customer_id is None or p.customer_id == customer_id.upper())
                and (date_from is None or p.payment_date >= date_from)
                and (date_to is None or p.payment_date <= date_to)
            )

        return _page(filter(wanted, self.payments.values()), page, page_size)

    def list_sales_orders(
        self,
        *,
        customer_id: str | None = None,
        status: str | None = None,
        payment_reference: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[SalesOrder]:
        del modified_since
        wanted = _filters(
            customer_id=customer_id, status=status, payment_reference=payment_reference
        )
        return _page(filter(wanted, self.sales_orders.values()), page, page_size)

    def list_gl_accounts(self) -> list[GLAccount]:
        return list(self.gl_accounts.values())

    def list_periods(self) -> list[Period]:
        return list(self.periods)


def _get(table: dict[str, T], key: str, noun: str) -> T:
    try:
        return table[key.upper()]
    except KeyError:
        raise NotFoundError(f"{noun} {key} does not exist", code="not_found", status=404) from None


def _filters(**wanted: str | None) -> Callable[[Any], bool]:
    """Equality on each given attribute, without regard to case (as the contract's filters)."""
    given = {name: value.upper() for name, value in wanted.items() if value is not None}
    return lambda record: all(str(getattr(record, n)).upper() == v for n, v in given.items())
