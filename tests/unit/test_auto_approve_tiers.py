"""Auto-approve tiers on ten seeds of generated messy companies (issue 19's done-when).

Under *Recommended*: every auto-approved proposal is right, at least 95% of matchable
sales are auto-approved, and nothing ambiguous is. The shipped calibration figures must be
what the report command measures today (so the Settings page never shows stale numbers).
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json

import pytest

from app.domain.matching.tiers import TIER_ORDER, AutoApproveTier, Calibration
from app.sync.review.calibration_data import calibration_path, shipped_calibration
from tests.support.calibration import CalibrationRun, report_lines, run_calibration


@pytest.fixture(scope="module")
def measured() -> tuple[CalibrationRun, Calibration]:
    return run_calibration()


def test_recommended_tier_on_ten_seeds(measured: tuple[CalibrationRun, Calibration]) -> None:
    run, calibration = measured
    print("\n" + "\n".join(report_lines(run, calibration)))
    assert len(calibration.seeds) >= 10
    tier = AutoApproveTier.RECOMMENDED
    figures = calibration.tiers[tier]
    assert run.wrong_approvals(tier, calibration) == []
    assert figures.right == figures.approved
    assert figures.coverage is not None and figures.coverage >= 0.95
    assert run.ambiguous_approvals(tier, calibration) == 0


@pytest.mark.parametrize("tier", TIER_ORDER)
def test_no_tier_approves_a_wrong_or_ambiguous_proposal(
    measured: tuple[CalibrationRun, Calibration], tier: AutoApproveTier
) -> None:
    run, calibration = measured
    assert run.wrong_approvals(tier, calibration) == []
    assert run.ambiguous_approvals(tier, calibration) == 0


def test_tiers_widen_in_order(measured: tuple[CalibrationRun, Calibration]) -> None:
    _, calibration = measured
    approved = [calibration.tiers[t].approved for t in TIER_ORDER]
    assert approved == sorted(approved) and approved[0] < approved[1]
    assert not any(
        k.startswith(("on_account", "overpayment"))
        for k in calibration.tier_kinds(AutoApproveTier.RECOMMENDED)
    )
    assert any(
        k.startswith("on_account") for k in calibration.tier_kinds(AutoApproveTier.WITH_ON_ACCOUNT)
    )


def test_shipped_calibration_is_what_the_report_measures(
    measured: tuple[CalibrationRun, Calibration],
) -> None:
    _, calibration = measured
    shipped = json.loads(calibration_path().read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(calibration.to_json_dict())), (
        "resources/matching_calibration.json is stale: run scripts/calibrate_matching.py"
    )
    assert shipped_calibration() == Calibration.from_json_dict(shipped)
