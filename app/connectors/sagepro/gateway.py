"""``SageProGateway``: everything the app asks of Sage Pro, independent of how it is reached
(the REST API service today; a FoxPro data-folder reader later). Qt-free.

Lists return one ``Page`` (see ``iterate_pages`` for all of them); ``get_*`` raise
``NotFoundError``; ``find_*`` return None when the reference is not used. Writes raise the
typed errors of ``errors``; a write that raises ``OutcomeUnknownError`` may have happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Protocol, TypeVar

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
    PaymentDraft,
    PaymentReversal,
    PaymentReversalDraft,
    Period,
    SalesOrder,
    SalesOrderDraft,
)

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000


class SageProGateway(Protocol):
    def health(self) -> Health: ...

    # --- customers
    def list_customers(
        self,
        *,
        customer_id: str | None = None,
        email: str | None = None,
        paytrace_customer_id: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Customer]: ...

    def get_customer(self, customer_id: str) -> Customer: ...

    def create_customer(self, draft: CustomerDraft) -> Customer: ...

    def update_customer(
        self,
        customer_id: str,
        *,
        name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        terms: str | None = None,
        credit_hold: bool | None = None,
        status: str | None = None,
        paytrace_customer_id: str | None = None,
        card_last4: str | None = None,
        card_expiry: str | None = None,
    ) -> Customer: ...

    # --- invoices
    def list_invoices(
        self,
        *,
        status: str = "open",
        customer_id: str | None = None,
        order_number: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Invoice]: ...

    def get_invoice(self, invoice_id: str) -> Invoice: ...

    def update_invoice(
        self,
        invoice_id: str,
        *,
        payment_status: str | None = None,
        due_date: date | None = None,
    ) -> Invoice: ...

    # --- payments, credit memos, journal entries (found by the integration's key)
    def list_payments(
        self,
        *,
        invoice_id: str | None = None,
        customer_id: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Payment]: ...

    def find_payment(self, reference: str) -> Payment | None: ...

    def post_payment(self, draft: PaymentDraft) -> Payment: ...

    def find_payment_reversal(self, reference: str) -> PaymentReversal | None: ...

    def post_payment_reversal(self, draft: PaymentReversalDraft) -> PaymentReversal: ...

    def find_credit_memo(self, reference: str) -> CreditMemo | None: ...

    def post_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo: ...

    def find_journal_entry(self, reference: str) -> JournalEntry | None: ...

    def post_journal_entry(self, draft: JournalEntryDraft) -> JournalEntry: ...

    # --- reference data (small: every page at once)
    def list_gl_accounts(self) -> list[GLAccount]: ...

    def list_periods(self) -> list[Period]: ...

    # --- sales orders
    def list_sales_orders(
        self,
        *,
        customer_id: str | None = None,
        status: str | None = None,
        payment_reference: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[SalesOrder]: ...

    def get_sales_order(self, order_number: str) -> SalesOrder: ...

    def find_sales_order(self, order_number: str) -> SalesOrder | None: ...

    def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder: ...

    def update_sales_order(
        self,
        order_number: str,
        *,
        status: str | None = None,
        payment_status: str | None = None,
        payment_reference: str | None = None,
    ) -> SalesOrder: ...


def iterate_pages(fetch: Callable[[int], Page[T]]) -> Iterator[T]:
    """Every item of a paged list: ``fetch(page_number)`` until the total is reached.

    ``iterate_pages(lambda p: gateway.list_invoices(page=p, modified_since=cursor))``
    """
    number = 1
    while True:
        page = fetch(number)
        yield from page.items
        if not page.items or not page.has_more:
            return
        number += 1
