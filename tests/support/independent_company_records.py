"""Records of the independent company (see independent_company.py): customers with their
cards, invoices, PayTrace rows, and the ground truth of every row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# Truth kinds. Only INVOICES is "matchable": a careful bookkeeper names the invoice(s) from
# the data alone. ON_ACCOUNT and OVERPAYMENT are clear too, but the house policy keeps them
# with a person unless the bookkeeper opts in; PERSON is truly ambiguous; NEVER is not a
# payment at all (declines, voids, uncaptured authorizations, refunds).
INVOICES, ON_ACCOUNT, OVERPAYMENT, PERSON, NEVER = (
    "invoices",
    "on_account",
    "overpayment",
    "person",
    "never",
)


@dataclass
class Card:
    number: str  # a Luhn-valid number; only the PayTrace stand-in ever holds it
    exp_month: int
    exp_year: int

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass
class Customer:
    customer_id: str
    name: str
    email: str
    phone: str
    street: str
    city: str
    state: str
    zip: str
    cards: list[Card]
    linked_vault: str = ""  # PayTraceCustomerID in Sage Pro (vault profile on cards[0])
    extra_vault: str = ""  # a second vault profile Sage Pro does not know (on cards[-1])
    family: str = ""  # customers with similar names share a family key
    shared_email: bool = False


@dataclass
class Invoice:
    invoice_id: str
    customer_id: str
    amount: Decimal
    invoice_date: date
    po_number: str = ""
    order_number: str = ""
    late: bool = False  # keyed in Sage Pro only after the first sync has run
    paid_in_office: bool = False  # already paid in Sage Pro before the sync
    partial_paid: Decimal = Decimal("0.00")  # what a partial payment in this month pays


@dataclass(frozen=True)
class Truth:
    kind: str
    scenario: str
    customer_id: str = ""
    applications: tuple[tuple[str, Decimal], ...] = ()

    @property
    def matchable(self) -> bool:
        return self.kind == INVOICES


@dataclass
class Row:
    """One PayTrace transaction as the payer and PayTrace left it."""

    kind: str  # SALE, AUTHORIZATION, DECLINED, REFUND
    amount: Decimal
    created: datetime
    truth: Truth
    card: Card | None = None
    ach: bool = False
    vault_id: str = ""
    email: str = ""
    billing_name: str = ""
    invoice_field: str = ""
    description: str = ""
    customer_reference: str = ""
    voided: bool = False
    captured: bool = False
    refund_of: Row | None = None
    transaction_id: int = 0
    settled: bool = False
    identified_as: str = ""  # vault / email / name / stranger: how the payer can be known


@dataclass
class IndependentCompany:
    seed: int
    month_start: date
    today: date
    customers: list[Customer]
    invoices: list[Invoice]
    rows: list[Row] = field(default_factory=list)

    def truth_by_id(self) -> dict[int, Truth]:
        return {row.transaction_id: row.truth for row in self.rows}
