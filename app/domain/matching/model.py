"""The matcher's vocabulary: rules, settings, and the proposal it hands to the review grid.

Everything here is a frozen value. Money is ``Decimal`` quantised to cents; the engine works
in integer cents internally and converts only at this boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0.00")


class MatchRule(StrEnum):
    """The rule that decided a proposal. Values are stable: they are stored in SQLite."""

    HARD_KEY = "hard_key"  # a reference field, normalised, equals an invoice key
    REFERENCE_TOKEN = "reference_token"  # a token in a list or free text names the invoice(s)
    CUSTOMER_AMOUNT = "customer_amount"  # known customer, one open invoice with that amount
    SUBSET_SUM = "subset_sum"  # known customer, a unique set of open invoices sums to it
    PARTIAL = "partial"  # the named (or only) invoice is paid in part
    OVERPAYMENT = "overpayment"  # named invoice(s) paid in full, the rest on account
    ON_ACCOUNT = "on_account"  # known customer, no invoice fits
    REVIEW_AMBIGUOUS = "review_ambiguous"  # several answers fit equally: a person decides
    REVIEW_UNKNOWN_CUSTOMER = "review_unknown_customer"  # nothing names the payer
    REVIEW_ALREADY_PAID = "review_already_paid"  # named invoice closed or used up this run
    REVIEW_FOREIGN_CURRENCY = "review_foreign_currency"  # invoice not in the base currency
    REFUSED_NOT_A_SALE = "refused_not_a_sale"  # only SALE rows are matched to invoices
    REFUSED_INVALID = "refused_invalid"  # non-positive amount or a repeated transaction id

    @property
    def needs_review(self) -> bool:
        return self.value.startswith(("review_", "refused_"))

    @property
    def is_refusal(self) -> bool:
        return self.value.startswith("refused_")


class AmountFit(StrEnum):
    """How the payment amount relates to what it is applied to."""

    EXACT = "exact"
    WITHIN_TOLERANCE = "within_tolerance"
    PARTIAL = "partial"  # less than the balance(s)
    OVER = "over"  # more than the balance(s): the rest goes on account
    NONE = "none"  # nothing applied (on account, review, refused)

    @property
    def fits(self) -> bool:
        return self in (AmountFit.EXACT, AmountFit.WITHIN_TOLERANCE)


class CustomerEvidence(StrEnum):
    """What tied the payment to its Sage Pro customer."""

    PAYTRACE_LINK = "paytrace_link"  # Customer.paytrace_customer_id == Transaction.customer_id
    EMAIL = "email"
    BILLING_NAME = "billing_name"  # fuzzy, with ties rejected
    INVOICE_OWNER = "invoice_owner"  # nothing about the payer: the named invoice's customer
    NONE = "none"


@dataclass(frozen=True)
class Application:
    """Part of a payment applied to one invoice."""

    invoice_id: str
    amount: Decimal


@dataclass(frozen=True)
class Candidate:
    """An answer the engine considered: the chosen one's rivals, or the options of a review."""

    invoice_ids: tuple[str, ...]
    customer_id: str
    open_balance: Decimal  # sum of the invoices' balances still open at this point of the run
    confidence: int
    score_parts: dict[str, int] = field(hash=False)
    reason: str


@dataclass(frozen=True)
class Proposal:
    """What the engine proposes for one payment, with everything needed to explain it."""

    transaction_id: int
    payment_amount: Decimal
    rule: MatchRule
    confidence: int  # 0..100
    score_parts: dict[str, int] = field(hash=False)  # named parts; confidence = clamp(sum)
    reason: str = ""
    applications: tuple[Application, ...] = ()
    on_account: Decimal = ZERO  # remainder left unapplied on the customer's account
    customer_id: str | None = None  # the Sage Pro customer the payment is posted for
    customer_evidence: CustomerEvidence = CustomerEvidence.NONE
    amount_fit: AmountFit = AmountFit.NONE
    candidates: tuple[Candidate, ...] = ()  # alternatives for the review panel, best first
    warnings: tuple[str, ...] = ()  # things a person must look at; block auto-approval

    @property
    def needs_review(self) -> bool:
        return self.rule.needs_review

    @property
    def applied_total(self) -> Decimal:
        return sum((a.amount for a in self.applications), ZERO)


@dataclass(frozen=True)
class MatchSettings:
    """Knobs of one matching run. Defaults are what a cautious bookkeeper would choose."""

    # A payment within this much of a balance counts as paying it (card fees, rounding).
    amount_tolerance: Decimal = ZERO
    # Amount-only matches consider invoices dated up to this many days before the payment...
    date_window_days: int = 365
    # ...and up to this many days after it (invoice entered after the card was charged).
    future_slack_days: int = 7
    # A normalised reference shorter than this is never a key ("1" would name anything).
    min_reference_length: int = 3
    # Fuzzy billing-name match: best score needed, and the lead it must have over the next.
    name_match_threshold: int = 88
    name_tie_margin: int = 4
    # Subset-sum is bounded: too many invoices, too many parts or too much search = ambiguous.
    max_subset_invoices: int = 40
    max_subset_size: int = 6
    subset_search_budget: int = 20_000
    # How many alternatives a proposal lists for the review panel.
    max_candidates: int = 5
    # The profile's currency; invoices in any other are only ever matched by hand.
    base_currency: str = "USD"

    def __post_init__(self) -> None:
        if self.amount_tolerance < 0:
            raise ValueError("amount_tolerance must not be negative")
        if self.date_window_days < 0 or self.future_slack_days < 0:
            raise ValueError("date window days must not be negative")
        if self.min_reference_length < 1:
            raise ValueError("min_reference_length must be at least 1")
        if not 0 <= self.name_match_threshold <= 100:
            raise ValueError("name_match_threshold must be within 0..100")
        if self.max_subset_size < 2 or self.max_subset_invoices < 2:
            raise ValueError("subset bounds must allow at least two invoices")
        if self.subset_search_budget < 1 or self.max_candidates < 0:
            raise ValueError("subset_search_budget must be positive, max_candidates >= 0")
