"""`run_cycle(auto_approve=True)` — what `paysage sync --once --auto-approve` does — posts by
itself exactly what the profile's tier approves (issue 19), over real sockets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app.config import Profile
from app.domain.matching.tiers import AutoApproveTier
from app.store.models import Proposal
from app.sync.cycle import run_cycle
from tests.support.sync_fixtures import DEMO_TODAY, running_sync_env

SINCE = DEMO_TODAY - timedelta(days=12)
# Rules the "exact only" tier never approves by score (they score below its threshold).
AMOUNT_ONLY_RULES = {"customer_amount", "subset_sum", "partial"}


def _sync(folder: Path, tier: AutoApproveTier | None) -> tuple[int, list[Proposal]]:
    with running_sync_env(folder) as env:
        if tier is not None:
            env.profile.policy.auto_approve_tier = tier
        result = run_cycle(env.context(), since=SINCE, auto_approve=True)
        assert result.errors == 0, result.notes
        with env.store.read() as session:
            auto = list(
                session.execute(
                    select(Proposal).where(Proposal.decided_by == "auto-approve")
                ).scalars()
            )
            session.expunge_all()
        return result.auto_approved, auto


def test_the_profile_tier_decides_what_posts_by_itself(tmp_path: Path) -> None:
    assert Profile().policy.auto_approve_tier is AutoApproveTier.RECOMMENDED  # when none set
    recommended, rec_rows = _sync(tmp_path / "recommended", None)
    exact, exact_rows = _sync(tmp_path / "exact", AutoApproveTier.EXACT_ONLY)
    off, _ = _sync(tmp_path / "off", AutoApproveTier.OFF)

    assert off == 0
    assert 0 < exact < recommended
    assert not {p.rule for p in exact_rows} & AMOUNT_ONLY_RULES
    assert {p.rule for p in rec_rows} & AMOUNT_ONLY_RULES
    assert all(p.auto_approvable for p in rec_rows)
    assert not {p.rule for p in rec_rows} & {"on_account", "overpayment"}
