"""Calibrated confidence: the engine's raw score turned into the precision measured for
proposals like it.

"Like it" means the same kind (``tiers.proposal_kind``) and the same raw-score bucket on
the calibration seeds. The measured share right is shrunk toward caution by taking the
Wilson lower bound at 95%, so a bucket seen three times never claims what one seen a
thousand times does. Where the calibration saw no proposal of that kind and bucket, the
raw score stands, capped below 100 (nothing unmeasured is called certain).
"""

from __future__ import annotations

import math

from app.domain.matching.model import Proposal
from app.domain.matching.tiers import Calibration, KindFigures, proposal_kind

WILSON_Z = 1.96  # 95% two-sided
UNMEASURED_CAP = 99


def confidence_bucket(raw_score: int) -> str:
    """The calibration report's bucket for a raw score: "0-9" … "90-99", and "100"."""
    if raw_score >= 100:
        return "100"
    low = max(0, raw_score) // 10 * 10
    return f"{low}-{low + 9}"


def wilson_lower_bound(right: int, proposals: int, z: float = WILSON_Z) -> float:
    """Lower end of the Wilson score interval for ``right`` successes in ``proposals``."""
    if proposals <= 0:
        raise ValueError("the Wilson bound needs at least one proposal")
    share = right / proposals
    z2 = z * z
    centre = share + z2 / (2 * proposals)
    spread = z * math.sqrt(share * (1 - share) / proposals + z2 / (4 * proposals * proposals))
    return max(0.0, (centre - spread) / (1 + z2 / proposals))


def calibrated_percent(figures: KindFigures) -> int:
    """A measured cell as a whole percent, rounded down so it never exceeds the bound."""
    return math.floor(wilson_lower_bound(figures.right, figures.proposals) * 100)


def calibrated_confidence(kind: str, raw_score: int, calibration: Calibration) -> int:
    """Confidence shown for a proposal of ``kind`` scored ``raw_score`` by the engine."""
    figures = calibration.buckets.get(kind, {}).get(confidence_bucket(raw_score))
    if figures is None or figures.proposals <= 0:
        return max(0, min(raw_score, UNMEASURED_CAP))
    return calibrated_percent(figures)


def proposal_confidence(proposal: Proposal, calibration: Calibration) -> int:
    return calibrated_confidence(proposal_kind(proposal), proposal.confidence, calibration)
