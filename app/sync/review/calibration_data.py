"""The shipped calibration figures (``resources/matching_calibration.json``) and the
profile's auto-approve tier applied to proposals, live or stored.

The figures are written by ``scripts/calibrate_matching.py``; read here so the tiers, the
Settings page and the grid use measured numbers, never hand-typed ones.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from app.config import Profile
from app.domain.matching import Proposal, proposal_from_json_dict
from app.domain.matching.serialisation import SCHEMA_VERSION
from app.domain.matching.tiers import (
    AutoApproveTier,
    Calibration,
    tier_refusal,
    waiting_explanation,
)
from app.domain.money import from_cents
from app.mapping.template import resources_dir
from app.store.models import Proposal as StoredProposal

# Key in a stored proposal's details holding the engine's raw score; the row's confidence
# column holds the calibrated one the grid shows.
RAW_SCORE_DETAIL = "raw_score"


def calibration_path() -> Path:
    return resources_dir() / "matching_calibration.json"


@cache
def shipped_calibration() -> Calibration:
    """The figures shipped with the app. A missing or broken file is an installation
    fault: it raises rather than silently approving nothing (or everything)."""
    path = calibration_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"the matching calibration file {path} cannot be read: {exc}") from exc
    return Calibration.from_json_dict(data)


def profile_tier(profile: Profile) -> AutoApproveTier:
    """The tier auto-approval uses for ``profile`` (Recommended unless set otherwise)."""
    return profile.policy.auto_approve_tier


def profile_refusal(proposal: Proposal, profile: Profile) -> str | None:
    """Why the profile's tier would not auto-approve ``proposal`` (None: it would)."""
    return tier_refusal(
        proposal,
        profile_tier(profile),
        shipped_calibration(),
        exact_threshold=profile.policy.auto_approve_threshold,
    )


def effective_tier(profile: Profile) -> AutoApproveTier:
    """What runs on the schedule: Off while auto-approval is off, else the profile's tier."""
    return profile_tier(profile) if profile.policy.auto_approve else AutoApproveTier.OFF


def stored_raw_score(row: StoredProposal) -> int:
    """The engine's raw score of a stored proposal; rows stored before calibrated
    confidence (and simple proposals: refunds, declines) hold it in ``confidence``."""
    details = row.details if isinstance(row.details, dict) else {}
    raw = details.get(RAW_SCORE_DETAIL)
    return raw if isinstance(raw, int) else row.confidence


def stored_match(row: StoredProposal) -> Proposal | None:
    """The matcher's proposal rebuilt from its stored row (None for refunds, declines,
    reversals and other kinds the matching tiers do not decide)."""
    if row.kind != "payment":
        return None
    details = row.details if isinstance(row.details, dict) else {}
    data = {
        "schema": SCHEMA_VERSION,
        "transaction_id": row.transaction_id,
        "payment_amount": "0.00",  # not needed to judge a tier
        "rule": row.rule,
        "confidence": stored_raw_score(row),  # the tiers judge the engine's own score
        "score_parts": row.score_parts or {},
        "reason": row.reason,
        "applications": [
            {"invoice_id": a.invoice_id, "amount": str(from_cents(a.amount_cents))}
            for a in row.applications
        ],
        "on_account": str(from_cents(row.on_account_cents)),
        "customer_id": row.customer_id or None,
        "customer_evidence": details.get("customer_evidence", "none"),
        "amount_fit": details.get("amount_fit", "none"),
        "candidates": row.candidates or [],
        "warnings": details.get("warnings", []),
    }
    try:
        return proposal_from_json_dict(data)
    except (KeyError, TypeError, ValueError):
        return None  # a row stored by an older version: no explanation rather than a wrong one


def waiting_sentence(row: StoredProposal, profile: Profile) -> str | None:
    """Why a waiting payment proposal was not auto-approved and which tier would approve
    it; None when the row is not a waiting payment proposal."""
    if row.status not in ("proposed", "review"):
        return None
    match = stored_match(row)
    if match is None:
        return None
    return waiting_explanation(
        match,
        effective_tier(profile),
        shipped_calibration(),
        exact_threshold=profile.policy.auto_approve_threshold,
    )
