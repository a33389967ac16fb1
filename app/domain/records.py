"""Typed records the whole app speaks: PayTrace transactions, batches and vault profiles
as normalised from the API, and Sage Pro customers and invoices as cached locally.

Parsing (PayTrace quirks, Sage Pro JSON) lives in the connectors; these are the results.
Every free-text field here has already passed the card-number redactor.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class TransactionType(StrEnum):
    """PayTrace ``transaction_type`` values as they appear in exports."""

    SALE = "SALE"
    AUTHORIZATION = "AUTHORIZATION"
    REFUND = "REFUND"
    VOID = "VOID"
    DECLINED = "DECLINED"
    FORCE = "STR/FWD"
    OTHER = "OTHER"  # a type PayTrace may add later; kept, never posted

    @classmethod
    def parse(cls, text: str) -> TransactionType:
        member = cls._value2member_map_.get((text or "").strip().upper())  # one per export row
        return member if isinstance(member, cls) else cls.OTHER


class PaymentMethod(StrEnum):
    CARD = "CC"
    ACH = "ACH"


@dataclass(frozen=True)
class Transaction:
    """One PayTrace transaction as exported, normalised."""

    transaction_id: int
    transaction_type: TransactionType
    amount: Decimal  # positive, as PayTrace reports it (refunds too)
    created_local: datetime  # merchant-local wall clock, no zone (PayTrace gives none)
    created_text: str  # the source text, kept because it had no zone
    payment_method: PaymentMethod
    invoice_id: str = ""
    customer_reference_id: str = ""
    description: str = ""
    customer_id: str = ""  # PayTrace vault customer id ("" when keyed)
    billing_name: str = ""
    email: str = ""
    card_brand: str = ""
    card_last4: str = ""  # card or bank account last 4
    card_exp_month: int | None = None
    card_exp_year: int | None = None  # four digits
    tax_amount: Decimal | None = None
    approval_code: str = ""
    approval_message: str = ""
    status_code: str = ""
    settled_local: datetime | None = None
    batch_number: int | None = None
    discretionary_data: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_checked_fields(cls, fields: dict[str, Any]) -> Transaction:
        """A transaction from every field already read and checked (a parser's fast path).

        Skips the frozen dataclass ``__init__``, which sets each of the 23 fields through
        ``object.__setattr__``: at 50,000 export rows that is a quarter of the parse. The
        instance is the same as ``Transaction(**fields)``: same fields, still frozen.
        """
        # A count, not a key-set comparison (a per-row cost); the fast parser's tests check
        # its names against the general parser's results.
        if len(fields) != len(_TRANSACTION_FIELDS):
            raise TypeError(f"fields differ from Transaction's: {sorted(fields)}")
        transaction = cls.__new__(cls)
        object.__setattr__(transaction, "__dict__", fields)
        return transaction

    @property
    def is_settled(self) -> bool:
        return self.settled_local is not None

    @property
    def merchant_date(self) -> date:
        """The date the ERP sees: the merchant-local calendar date."""
        return self.created_local.date()


_TRANSACTION_FIELDS = frozenset(field.name for field in dataclasses.fields(Transaction))


@dataclass(frozen=True)
class SettlementBatch:
    number: int
    created_local: datetime | None  # None for the pending batch
    transaction_count: int
    sales_count: int
    sales_amount: Decimal
    refund_count: int
    refund_amount: Decimal
    net_amount: Decimal


@dataclass(frozen=True)
class CustomerProfile:
    """A PayTrace vault profile: the token plus what may be stored about its card."""

    customer_id: str
    billing_name: str = ""
    email: str = ""
    phone: str = ""
    card_brand: str = ""
    card_last4: str = ""
    card_exp_month: int | None = None
    card_exp_year: int | None = None


@dataclass(frozen=True)
class Customer:
    """A Sage Pro customer."""

    customer_id: str
    name: str
    email: str = ""
    phone: str = ""
    status: str = "Active"
    credit_hold: bool = False
    balance: Decimal = Decimal("0.00")
    paytrace_customer_id: str = ""
    card_last4: str = ""
    card_expiry: str = ""  # MM/YY


@dataclass(frozen=True)
class Invoice:
    """A Sage Pro invoice."""

    invoice_id: str
    customer_id: str
    amount: Decimal
    balance: Decimal
    invoice_date: date
    amount_paid: Decimal = Decimal("0.00")
    due_date: date | None = None
    order_number: str = ""
    po_number: str = ""
    status: str = "Open"  # Open / Paid / Void
    payment_status: str = "Unpaid"
    currency: str = "USD"

    @property
    def is_open(self) -> bool:
        return self.status == "Open"


@dataclass(frozen=True)
class ParseError:
    """A record that could not be parsed: which one, which field, why. Never dropped."""

    transaction_id: str  # as text: the id itself may be what is broken
    field: str
    message: str
    raw: dict[str, Any] = dataclasses.field(default_factory=dict)  # redacted
