"""The grid's detail panel says, for a waiting match, why it was not auto-approved and which
tier would approve it; proposals come from a real sync against the stand-ins."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app.domain.matching.tiers import AutoApproveTier
from app.queries.proposal_detail import load_proposal_detail
from app.store.models import Proposal
from app.sync.cycle import run_cycle
from app.ui.widgets.proposal_detail import ProposalDetailPanel
from tests.support.sync_fixtures import DEMO_TODAY, running_sync_env


def test_waiting_match_explains_itself(qtbot, tmp_path: Path, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with running_sync_env(tmp_path) as env:
        env.profile.policy.auto_approve = True
        env.profile.policy.auto_approve_tier = AutoApproveTier.EXACT_ONLY
        run_cycle(env.context(), since=DEMO_TODAY - timedelta(days=12), auto_approve=False)
        with env.store.read() as session:
            waiting_id = session.execute(
                select(Proposal.id)
                .where(Proposal.status == "proposed", Proposal.rule == "partial")
                .limit(1)
            ).scalar_one()
        detail = load_proposal_detail(env.store, waiting_id, env.profile)
        assert detail is not None
        assert detail.waiting_note.startswith("Not approved automatically (Exact only): ")
        assert "The Recommended tier would approve it (measured: 100.00% right" in (
            detail.waiting_note
        )

        panel = ProposalDetailPanel()
        qtbot.addWidget(panel)
        panel.resize(420, 760)
        panel.show_detail(detail)
        panel.show()
        qtbot.waitExposed(panel)
        note = panel.findChild(QLabel, "waitingNote")
        assert note is not None and note.text() == detail.waiting_note
        path = artifacts_dir / "detail-waiting-note.png"
        assert panel.grab().save(str(path))
