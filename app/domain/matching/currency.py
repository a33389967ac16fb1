"""Invoices in a foreign currency are never matched automatically: a proposal that
would apply a payment to one becomes a review item saying why, and keeps the invoice named
so the person sees which one. Matching it needs an explicit rate, by hand."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from app.domain.exchange import currency_code, is_foreign
from app.domain.matching.model import AmountFit, MatchRule, Proposal
from app.domain.records import Invoice


def foreign_currencies(invoices: Sequence[Invoice], base_currency: str) -> dict[str, str]:
    """InvoiceID → currency, for the invoices that are not in ``base_currency``."""
    return {
        i.invoice_id: currency_code(i.currency)
        for i in invoices
        if is_foreign(i.currency, base_currency)
    }


def hold_foreign(proposal: Proposal, foreign: Mapping[str, str], base_currency: str) -> Proposal:
    named = [a.invoice_id for a in proposal.applications if a.invoice_id in foreign]
    if not named:
        return proposal
    listed = ", ".join(f"{i} is in {foreign[i]}" for i in named)
    reason = (
        f"waits for you: invoice {listed}, the payment in {currency_code(base_currency)}; "
        "invoices in another currency are never matched automatically. Match it by hand "
        "and enter the exchange rate."
    )
    return dataclasses.replace(
        proposal,
        rule=MatchRule.REVIEW_FOREIGN_CURRENCY,
        reason=reason,
        amount_fit=AmountFit.NONE,
        warnings=(*proposal.warnings, reason),
    )
