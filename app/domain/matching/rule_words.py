"""The words a bookkeeper reads for each rule that decided a proposal. The codes are stored
in SQLite and stay as they are; this is the one place that turns them into a phrase."""

from __future__ import annotations

from app.domain.matching.model import MatchRule
from app.domain.matching.scoring import (
    PART_AMBIGUITY,
    PART_AMOUNT,
    PART_CLOSED,
    PART_CUSTOMER,
    PART_DATE,
    PART_ON_ACCOUNT,
    PART_REFERENCE,
    PART_UNIQUE,
)

RULE_WORDS: dict[str, str] = {
    MatchRule.HARD_KEY: "The reference is the invoice or order number",
    MatchRule.REFERENCE_TOKEN: "The reference or description names the invoice",
    MatchRule.CUSTOMER_AMOUNT: "Known customer, one open invoice with this amount",
    MatchRule.SUBSET_SUM: "Known customer, invoices that add up to the payment",
    MatchRule.PARTIAL: "Pays part of the invoice",
    MatchRule.OVERPAYMENT: "Pays the invoice in full, the rest goes on account",
    MatchRule.ON_ACCOUNT: "Known customer, no invoice fits: goes on account",
    MatchRule.REVIEW_AMBIGUOUS: "Several invoices fit equally: you decide",
    MatchRule.REVIEW_UNKNOWN_CUSTOMER: "Nothing says who paid: you decide",
    MatchRule.REVIEW_ALREADY_PAID: "The invoice named is already paid",
    MatchRule.REVIEW_FOREIGN_CURRENCY: "The invoice is in another currency",
    MatchRule.REFUSED_NOT_A_SALE: "Not a sale, so not matched to an invoice",
    MatchRule.REFUSED_INVALID: "The payment's amount or number cannot be used",
    # Rules the sync and the review grid give their own proposals.
    "manual": "Chosen by hand",
    "unreconciled": "Unreconciled by hand",
    "order_reference": "The reference is a sales order number",
    "unknown_payer_order": "Sales order for an unknown payer",
    "refund_of_sale": "Refund of a sale already matched",
    "refund_unlinked": "Refund not linked to a sale",
    "decline_hard_key": "Declined payment naming an invoice",
    "decline_after_posting": "Declined after it was posted",
    "void_after_posting": "Voided after it was posted",
}


def rule_words(code: str) -> str:
    """The phrase for ``code``; an unknown code still reads as words, never as a code."""
    words = RULE_WORDS.get(code)
    if words is not None:
        return words
    return code.replace("_", " ").strip().capitalize() or "No rule recorded"


SCORE_PART_WORDS: dict[str, str] = {
    PART_REFERENCE: "Reference",
    PART_CUSTOMER: "Customer",
    PART_AMOUNT: "Amount",
    PART_DATE: "Invoice date",
    PART_UNIQUE: "Only fit",
    PART_AMBIGUITY: "Rivals fit too",
    PART_CLOSED: "Already paid",
    PART_ON_ACCOUNT: "On account",
}


def score_part_words(code: str) -> str:
    return SCORE_PART_WORDS.get(code) or code.replace("_", " ").strip().capitalize()
