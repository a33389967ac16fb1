"""A real sync against the stand-ins stores each payment proposal's calibrated confidence
(issue 19) and keeps the engine's raw score, which its score parts add up to; the tiers and
the detail panel still judge by the raw score, so what auto-approves does not change."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app.domain.matching.calibrated_confidence import calibrated_confidence
from app.domain.matching.tiers import proposal_kind
from app.queries.proposal_detail import load_proposal_detail
from app.store.models import Proposal
from app.sync.cycle import run_cycle
from app.sync.review.calibration_data import (
    RAW_SCORE_DETAIL,
    profile_refusal,
    shipped_calibration,
    stored_match,
)
from tests.support.sync_fixtures import DEMO_TODAY, running_sync_env


def test_stored_confidence_is_calibrated_and_raw_score_kept(tmp_path: Path) -> None:
    with running_sync_env(tmp_path) as env:
        result = run_cycle(env.context(), since=DEMO_TODAY - timedelta(days=12), auto_approve=False)
        assert result.errors == 0, result.notes
        with env.store.read() as session:
            rows = list(
                session.execute(select(Proposal).where(Proposal.kind == "payment")).scalars()
            )
            assert rows
            differs = 0
            for row in rows:
                raw = row.details[RAW_SCORE_DETAIL]
                assert raw == max(0, min(100, sum(row.score_parts.values())))
                match = stored_match(row)
                assert match is not None and match.confidence == raw
                kind = proposal_kind(match)
                assert row.confidence == calibrated_confidence(kind, raw, shipped_calibration())
                assert row.confidence <= 99
                # The tier decision is taken on the raw score, stored or live.
                assert row.auto_approvable == (profile_refusal(match, env.profile) is None)
                differs += row.confidence != raw
            assert differs  # calibration changed what is shown for some of them

            row = next(r for r in rows if r.score_parts)
            row_id, shown, raw = row.id, row.confidence, row.details[RAW_SCORE_DETAIL]
        detail = load_proposal_detail(env.store, row_id, env.profile)
        assert detail is not None
        assert (detail.confidence, detail.raw_score) == (shown, raw)
        assert sum(points for _, points in detail.score_parts) == raw or raw in (0, 100)
