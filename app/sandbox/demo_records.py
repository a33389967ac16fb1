"""The demo company as both stand-ins read it: customers (with their PayTrace test card),
open invoices and PayTrace transactions with the ground truth of what each payment pays.
``demo_data.generate_demo_company`` makes one from a seed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

TEST_CARDS: tuple[tuple[str, str], ...] = (
    ("Visa", "4012000098765439"),
    ("Mastercard", "5499740000000057"),
    ("Discover", "6011000993026909"),
    ("Amex", "371449635392376"),
)


@dataclass(frozen=True)
class DemoCustomer:
    customer_id: str
    name: str
    email: str
    phone: str
    street: str
    city: str
    state: str
    zip: str
    paytrace_customer_id: str  # "" when the customer has no vault profile
    card_brand: str
    card_number: str  # a PayTrace test card; never leaves the PayTrace stand-in
    card_last4: str
    exp_month: int
    exp_year: int  # four digits


@dataclass(frozen=True)
class DemoInvoice:
    invoice_id: str
    customer_id: str
    order_number: str
    po_number: str
    invoice_date: date
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class DemoTransaction:
    transaction_id: int
    transaction_type: str  # SALE, AUTHORIZATION, REFUND, VOID, DECLINED (final export state)
    created_local: datetime
    amount: Decimal
    customer: DemoCustomer | None
    invoice_id: str  # as the payer typed it
    customer_reference_id: str
    description: str
    payment_method: str  # "CC" or "ACH"
    settled: bool
    scenario: str
    # Ground truth: (invoice_id, amount). Payments: what the payment applies to. Refunds: the
    # invoice the credit memo goes against. () for on-account or never-post rows.
    expected_applications: tuple[tuple[str, Decimal], ...]
    refund_of: int | None = None


@dataclass(frozen=True)
class DemoCompany:
    seed: int
    today: date
    customers: tuple[DemoCustomer, ...]
    invoices: tuple[DemoInvoice, ...]
    transactions: tuple[DemoTransaction, ...]
