"""The shipped calibration figures (``resources/matching_calibration.json``).

Written by ``scripts/calibrate_matching.py``; read here so the tiers and the Settings page
use measured numbers, never hand-typed ones.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from app.config import Profile
from app.domain.matching import Proposal
from app.domain.matching.tiers import AutoApproveTier, Calibration, tier_refusal
from app.mapping.template import resources_dir


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
