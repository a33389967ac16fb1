"""Explainable payment-to-invoice matching (pure: no Qt, no I/O).

Public API::

    match_payments(payments, invoices, customers, settings=None) -> list[Proposal]
    is_auto_approvable(proposal, policy) -> bool
    auto_approval_refusal(proposal, policy) -> str | None
    proposal_to_json_dict(proposal) -> dict / proposal_from_json_dict(dict) -> Proposal
    normalise_reference(text) -> str

Package layout, one idea per module: ``references`` (normalising and finding references),
``customers`` (who paid), ``invoice_book`` (indexes built over columns, and balances
consumed in the run), ``prepared`` (each payment's references and payer, read once per
distinct value), ``scoring`` (points and confidence), ``subset_sum`` (bounded unique subset
search), ``proposals`` (building proposals and their reasons), ``reference_matching``,
``named_invoices`` and ``named_amount`` (tier 1: the invoices the payer named),
``customer_matching`` (tiers 2 and 3: customer and amount), ``settled_keys`` (tier 1's
easy case decided over columns), ``engine`` (the run), ``policy`` (auto-approval),
``serialisation`` (JSON for SQLite), ``model`` (the public values).
"""

from app.domain.matching.engine import match_payments
from app.domain.matching.model import (
    AmountFit,
    Application,
    Candidate,
    CustomerEvidence,
    MatchRule,
    MatchSettings,
    Proposal,
)
from app.domain.matching.policy import AutoApprovePolicy, auto_approval_refusal, is_auto_approvable
from app.domain.matching.references import normalise_reference
from app.domain.matching.serialisation import proposal_from_json_dict, proposal_to_json_dict

__all__ = [
    "AmountFit",
    "Application",
    "AutoApprovePolicy",
    "Candidate",
    "CustomerEvidence",
    "MatchRule",
    "MatchSettings",
    "Proposal",
    "auto_approval_refusal",
    "is_auto_approvable",
    "match_payments",
    "normalise_reference",
    "proposal_from_json_dict",
    "proposal_to_json_dict",
]
