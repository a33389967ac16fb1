"""Proposal <-> plain JSON-ready dicts, for storing proposals in SQLite (a JSON column).

Money travels as two-decimal strings (never JSON numbers), enums as their stable values.
``proposal_from_json_dict(proposal_to_json_dict(p)) == p`` for every proposal.
"""

from __future__ import annotations

from typing import Any

from app.domain.matching.model import (
    AmountFit,
    Application,
    Candidate,
    CustomerEvidence,
    MatchRule,
    Proposal,
)
from app.domain.money import format_money, to_money

SCHEMA_VERSION = 1


def _candidate_to_json(candidate: Candidate) -> dict[str, Any]:
    return {
        "invoice_ids": list(candidate.invoice_ids),
        "customer_id": candidate.customer_id,
        "open_balance": format_money(candidate.open_balance),
        "confidence": candidate.confidence,
        "score_parts": dict(candidate.score_parts),
        "reason": candidate.reason,
    }


def proposal_to_json_dict(proposal: Proposal) -> dict[str, Any]:
    """A dict of str/int/list/dict/None only: ``json.dumps`` takes it as is."""
    return {
        "schema": SCHEMA_VERSION,
        "transaction_id": proposal.transaction_id,
        "payment_amount": format_money(proposal.payment_amount),
        "rule": proposal.rule.value,
        "confidence": proposal.confidence,
        "score_parts": dict(proposal.score_parts),
        "reason": proposal.reason,
        "applications": [
            {"invoice_id": a.invoice_id, "amount": format_money(a.amount)}
            for a in proposal.applications
        ],
        "on_account": format_money(proposal.on_account),
        "customer_id": proposal.customer_id,
        "customer_evidence": proposal.customer_evidence.value,
        "amount_fit": proposal.amount_fit.value,
        "candidates": [_candidate_to_json(c) for c in proposal.candidates],
        "warnings": list(proposal.warnings),
    }


def _score_parts(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise ValueError("score_parts must be an object")
    return {str(name): int(points) for name, points in raw.items()}


def _candidate_from_json(raw: Any) -> Candidate:
    if not isinstance(raw, dict):
        raise ValueError("a candidate must be an object")
    return Candidate(
        invoice_ids=tuple(str(i) for i in raw["invoice_ids"]),
        customer_id=str(raw["customer_id"]),
        open_balance=to_money(raw["open_balance"]),
        confidence=int(raw["confidence"]),
        score_parts=_score_parts(raw["score_parts"]),
        reason=str(raw["reason"]),
    )


def proposal_from_json_dict(data: dict[str, Any]) -> Proposal:
    """Rebuild a stored proposal; raises ValueError/KeyError on a malformed document."""
    if data.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"unsupported proposal schema: {data.get('schema')!r}")
    customer_id = data["customer_id"]
    return Proposal(
        transaction_id=int(data["transaction_id"]),
        payment_amount=to_money(data["payment_amount"]),
        rule=MatchRule(data["rule"]),
        confidence=int(data["confidence"]),
        score_parts=_score_parts(data["score_parts"]),
        reason=str(data["reason"]),
        applications=tuple(
            Application(invoice_id=str(a["invoice_id"]), amount=to_money(a["amount"]))
            for a in data["applications"]
        ),
        on_account=to_money(data["on_account"]),
        customer_id=None if customer_id is None else str(customer_id),
        customer_evidence=CustomerEvidence(data["customer_evidence"]),
        amount_fit=AmountFit(data["amount_fit"]),
        candidates=tuple(_candidate_from_json(c) for c in data["candidates"]),
        warnings=tuple(str(w) for w in data["warnings"]),
    )
