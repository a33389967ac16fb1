"""Calibrated confidence (issue 19): a proposal's confidence is the precision measured for
proposals of its kind and raw-score bucket on the calibration seeds, shrunk toward caution
by the Wilson lower bound, never above what was measured."""

from __future__ import annotations

import pytest

from app.domain.matching.calibrated_confidence import (
    calibrated_confidence,
    confidence_bucket,
    proposal_confidence,
    wilson_lower_bound,
)
from app.domain.matching.tiers import (
    EMPTY_CALIBRATION,
    Calibration,
    KindFigures,
    proposal_kind,
)
from app.sync.review.calibration_data import shipped_calibration
from tests.support.calibration import CalibrationRun, run_calibration

SMALL_SAMPLE = 100


@pytest.fixture(scope="module")
def measured() -> tuple[CalibrationRun, Calibration]:
    return run_calibration()


def _with_cell(kind: str, bucket: str, proposals: int, right: int) -> Calibration:
    return Calibration(
        seeds=(1,), kinds={}, tiers={}, buckets={kind: {bucket: KindFigures(proposals, right)}}
    )


@pytest.mark.parametrize(
    ("raw", "bucket"), [(0, "0-9"), (9, "0-9"), (55, "50-59"), (99, "90-99"), (100, "100")]
)
def test_buckets_are_the_reports(raw: int, bucket: str) -> None:
    assert confidence_bucket(raw) == bucket


@pytest.mark.parametrize(
    ("right", "proposals", "bound"),
    [(1, 1, 0.2065), (10, 10, 0.7225), (50, 100, 0.4038), (0, 20, 0.0), (617, 617, 0.9938)],
)
def test_wilson_lower_bound_known_values(right: int, proposals: int, bound: float) -> None:
    assert wilson_lower_bound(right, proposals) == pytest.approx(bound, abs=5e-5)


def test_small_samples_are_shrunk_large_ones_barely() -> None:
    def shown(proposals: int, right: int) -> int:
        cell = _with_cell("partial/email", "80-89", proposals, right)
        return calibrated_confidence("partial/email", 85, cell)

    assert shown(3, 3) == 43
    assert shown(1000, 1000) == 99  # never 100: a lower bound, rounded down
    assert shown(20, 0) == 0


@pytest.mark.parametrize(
    ("calibration", "raw", "shown"),
    [
        (EMPTY_CALIBRATION, 100, 99),  # nothing measured is called certain
        (EMPTY_CALIBRATION, 73, 73),
        (_with_cell("partial/email", "80-89", 50, 50), 95, 95),  # other bucket unmeasured
        (_with_cell("hard_key/email", "80-89", 50, 50), 85, 85),  # other kind unmeasured
    ],
)
def test_unmeasured_falls_back_to_raw_score_below_100(
    calibration: Calibration, raw: int, shown: int
) -> None:
    assert calibrated_confidence("partial/email", raw, calibration) == shown


def test_a_calibration_file_without_buckets_still_loads() -> None:
    old = Calibration.from_json_dict({"seeds": [1], "kinds": {}, "tiers": {}})
    assert old.buckets == {}
    assert calibrated_confidence("hard_key/email", 100, old) == 99


def test_calibrated_confidence_never_exceeds_measured_precision(
    measured: tuple[CalibrationRun, Calibration],
) -> None:
    run, calibration = measured
    assert len(calibration.seeds) >= 10
    for _, proposal, _ in run.rows:
        cell = calibration.buckets[proposal_kind(proposal)][confidence_bucket(proposal.confidence)]
        shown = proposal_confidence(proposal, calibration)
        precision = cell.right / cell.proposals
        bound = wilson_lower_bound(cell.right, cell.proposals)
        assert shown <= precision * 100 and shown <= bound * 100, (proposal_kind(proposal), cell)
        if cell.proposals < SMALL_SAMPLE and cell.right:
            assert shown < precision * 100  # a small sample never claims its full share


def test_shipped_buckets_are_the_measured_ones(
    measured: tuple[CalibrationRun, Calibration],
) -> None:
    _, calibration = measured
    assert shipped_calibration().buckets == calibration.buckets
