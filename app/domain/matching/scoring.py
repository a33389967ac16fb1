"""Points for each kind of evidence, and how they add up to a confidence.

A proposal's ``score_parts`` are these named points; its confidence is their sum clamped to
0..100. The numbers are chosen so that only a reference plus a fitting amount plus at
least some customer evidence reaches 90, the default auto-approve threshold; amount and
customer alone stay in the 50s-70s however well they fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from app.domain.matching.invoice_book import InvoiceField
from app.domain.matching.model import AmountFit, CustomerEvidence, MatchSettings
from app.domain.matching.references import ReferenceStrength

PART_REFERENCE = "reference"
PART_CUSTOMER = "customer"
PART_AMOUNT = "amount"
PART_DATE = "date"
PART_UNIQUE = "unique"  # the only invoice (or set) of that customer that fits
PART_AMBIGUITY = "ambiguity"  # negative: rivals fit as well
PART_CLOSED = "already_paid"  # negative: the named invoice has nothing left to pay
PART_ON_ACCOUNT = "on_account"  # the customer is known and nothing open fits

HARD_KEY_POINTS: Mapping[InvoiceField, int] = {
    InvoiceField.INVOICE_ID: 60,
    InvoiceField.ORDER_NUMBER: 55,  # order and PO numbers can span several invoices
    InvoiceField.PO_NUMBER: 55,
}
TOKEN_POINTS: Mapping[ReferenceStrength, int] = {
    ReferenceStrength.FIELD_TOKEN: 50,
    ReferenceStrength.TEXT_TOKEN: 45,
}
CUSTOMER_POINTS: Mapping[CustomerEvidence, int] = {
    CustomerEvidence.PAYTRACE_LINK: 20,
    CustomerEvidence.EMAIL: 15,
    CustomerEvidence.BILLING_NAME: 10,
    CustomerEvidence.INVOICE_OWNER: 0,
    CustomerEvidence.NONE: 0,
}
CUSTOMER_MISMATCH_POINTS = -25  # the payer is someone else than the invoice's customer
AMOUNT_POINTS: Mapping[AmountFit, int] = {
    AmountFit.EXACT: 20,
    AmountFit.WITHIN_TOLERANCE: 15,
    AmountFit.PARTIAL: 5,
    AmountFit.OVER: 5,
    AmountFit.NONE: 0,
}
DATE_POINTS = 5
UNIQUE_AMOUNT_POINTS = 15
UNIQUE_SUBSET_POINTS = 10
ON_ACCOUNT_POINTS = 30  # money on the right customer's account is a safe default
AMBIGUITY_POINTS = -40


def reference_points(strength: ReferenceStrength, invoice_field: InvoiceField) -> int:
    if strength is ReferenceStrength.WHOLE_FIELD:
        return HARD_KEY_POINTS[invoice_field]
    return TOKEN_POINTS[strength]


def confidence(parts: Mapping[str, int]) -> int:
    return max(0, min(100, sum(parts.values())))


def amount_fit(payment_cents: int, balance_cents: int, tolerance_cents: int) -> AmountFit:
    if payment_cents == balance_cents:
        return AmountFit.EXACT
    if abs(payment_cents - balance_cents) <= tolerance_cents:
        return AmountFit.WITHIN_TOLERANCE
    return AmountFit.PARTIAL if payment_cents < balance_cents else AmountFit.OVER


def in_date_window(payment_date: date, invoice_date: date, settings: MatchSettings) -> bool:
    """An invoice dated no more than the window before the payment, nor more than the slack
    after it (invoices are sometimes entered after the card was charged)."""
    earliest = payment_date - timedelta(days=settings.date_window_days)
    latest = payment_date + timedelta(days=settings.future_slack_days)
    return earliest <= invoice_date <= latest


def date_points(payment_date: date, invoice_dates: Iterable[date], settings: MatchSettings) -> int:
    inside = all(in_date_window(payment_date, d, settings) for d in invoice_dates)
    return DATE_POINTS if inside else 0
