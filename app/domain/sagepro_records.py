"""Typed Sage Pro records beyond customers and invoices (those live in ``records``):
payments, credit memos, journal entries, sales orders and reference data, plus the
*drafts* the app sends to create them.

A draft is what the app intends; a record is what Sage Pro holds (with the ids it
assigned). Money is ``Decimal`` quantised to cents; dates are merchant-local dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a Sage Pro list: ``items`` plus where it sits in the whole."""

    items: tuple[T, ...]
    page: int
    page_size: int
    total: int

    @property
    def has_more(self) -> bool:
        return self.page * self.page_size < self.total


@dataclass(frozen=True)
class BillingAddress:
    street: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "US"


@dataclass(frozen=True)
class CustomerDraft:
    """A customer to create (``Balance`` is Sage Pro's to compute)."""

    customer_id: str
    name: str
    email: str = ""
    phone: str = ""
    address: BillingAddress | None = None
    terms: str = ""
    credit_hold: bool = False
    status: str = "Active"
    paytrace_customer_id: str = ""
    card_last4: str = ""
    card_expiry: str = ""  # MM/YY


@dataclass(frozen=True)
class InvoiceDraft:
    """An invoice to create; ``invoice_id`` empty lets Sage Pro assign the next number."""

    customer_id: str
    invoice_date: date
    amount: Decimal
    invoice_id: str = ""
    due_date: date | None = None
    order_number: str = ""
    po_number: str = ""


@dataclass(frozen=True)
class PaymentApplication:
    invoice_id: str
    amount: Decimal


@dataclass(frozen=True)
class PaymentDraft:
    """A payment to post: one invoice (``invoice_id``), several (``applications``; any
    remainder stays on account), or neither (all on account)."""

    reference: str
    payment_date: date
    amount: Decimal
    customer_id: str
    gl_account_id: str
    method_code: str = "CC"  # CC / ACH
    invoice_id: str | None = None
    applications: tuple[PaymentApplication, ...] = ()
    status: str = "Paid"  # Paid / Failed
    memo: str = ""
    # A payment of an invoice in another currency: Amount and the applications
    # are in ``currency``; ``base_amount`` is what the card paid in the base currency and
    # ``exchange_rate`` is "1 base = rate currency". Empty for base-currency payments.
    currency: str = ""
    exchange_rate: Decimal | None = None
    base_amount: Decimal | None = None


@dataclass(frozen=True)
class Payment:
    payment_id: str
    reference: str
    payment_date: date
    amount: Decimal
    customer_id: str
    gl_account_id: str
    method_code: str
    invoice_id: str | None = None
    applications: tuple[PaymentApplication, ...] = ()
    status: str = "Paid"  # Paid / Failed / Refunded
    memo: str = ""
    reversed: bool = False  # contract v1.1: a payment reversal took it back
    reversal_id: str = ""
    posting_state: str = ""  # v1.1: Staged / Entered / Posted ("" = not said); all "exist"
    posting_token: str = ""  # bridge: what the bookkeeper types as Check/Reference No.


@dataclass(frozen=True)
class CreditMemoDraft:
    reference: str
    customer_id: str
    invoice_id: str
    memo_date: date
    amount: Decimal
    gl_account_id: str
    reason: str = ""


@dataclass(frozen=True)
class CreditMemo:
    credit_memo_id: str
    reference: str
    customer_id: str
    invoice_id: str
    memo_date: date
    amount: Decimal
    gl_account_id: str
    reason: str = ""
    posting_state: str = ""
    posting_token: str = ""


@dataclass(frozen=True)
class JournalLine:
    """One line; exactly one of ``debit``/``credit`` is above zero."""

    gl_account_id: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    memo: str = ""


@dataclass(frozen=True)
class JournalEntryDraft:
    reference: str
    entry_date: date
    lines: tuple[JournalLine, ...]
    description: str = ""


@dataclass(frozen=True)
class JournalEntry:
    journal_id: str
    reference: str
    entry_date: date
    lines: tuple[JournalLine, ...]
    description: str = ""
    status: str = "Unposted"
    posting_state: str = ""


@dataclass(frozen=True)
class PaymentReversalDraft:
    """Contract v1.1: take a posted payment back off every invoice it paid."""

    reference: str  # PT-<id>-REVERSAL (the key)
    payment_id: str
    reversal_date: date
    reason: str


@dataclass(frozen=True)
class PaymentReversal:
    reversal_id: str
    reference: str
    payment_id: str
    reversal_date: date
    amount: Decimal
    reason: str = ""
    posting_state: str = ""
    posting_token: str = ""  # a bridge's token to type in Sage Pro (see Payment)
    customer_id: str = ""  # a bridge names it (for its worklist); the contract does not


@dataclass(frozen=True)
class SalesOrderLine:
    item_id: str
    quantity: Decimal
    unit_price: Decimal
    description: str = ""


@dataclass(frozen=True)
class SalesOrderDraft:
    """A sales order to create; ``order_number`` empty lets Sage Pro assign one."""

    customer_id: str
    order_date: date
    lines: tuple[SalesOrderLine, ...]
    order_number: str = ""
    status: str = "Open"  # Open / Shipped / Closed
    payment_status: str = "Unpaid"
    payment_reference: str = ""


@dataclass(frozen=True)
class SalesOrder:
    order_number: str
    customer_id: str
    order_date: date
    lines: tuple[SalesOrderLine, ...]
    total: Decimal
    status: str = "Open"
    payment_status: str = "Unpaid"
    payment_reference: str = ""


@dataclass(frozen=True)
class GLAccount:
    gl_account_id: str
    description: str
    type: str  # Asset / Liability / Income / Expense / Equity
    active: bool = True


@dataclass(frozen=True)
class Period:
    year: int
    period: int
    start: date
    end: date
    locked: bool = False

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Health:
    status: str
    company: str
