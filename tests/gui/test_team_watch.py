"""Team mode in the window: another workstation on the same store shows in the status bar,
and its changes refresh this window's grids."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.config import Settings
from app.domain.display_time import show_local
from app.queries.proposal_detail import ProposalDetail
from app.store import audit, open_store
from app.store.models import Workstation
from app.store.presence import WorkstationIdentity, heartbeat
from app.ui.app import ensure_application
from app.ui.context import UiContext
from app.ui.signals import AUDIT, OUTBOX, PROPOSALS, TRANSACTIONS, app_signals
from app.ui.team_watch import AlsoConnectedLabel, TeamWatch, entities_to_refresh
from app.ui.widgets.proposal_detail import decided_line

ME = WorkstationIdentity("maria", "PC-1")
AMY = WorkstationIdentity("amy", "PC-2")


@pytest.fixture
def ctx(tmp_path: Path) -> UiContext:
    ensure_application()
    settings = Settings()
    return UiContext(
        store=open_store(tmp_path / "x.db"),
        settings=settings,
        profile=settings.profile("Sandbox"),
        user="maria",
        persist_settings=False,
    )


def test_other_workstation_shows_in_the_status_label_and_changes_refresh(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    watch = TeamWatch(ctx, interval_ms=100, me=ME)
    label = AlsoConnectedLabel(watch)
    qtbot.addWidget(label)
    with qtbot.waitSignal(watch.others_changed, timeout=20_000):
        heartbeat(ctx.store, AMY)
        watch.start()
    qtbot.waitUntil(lambda: label.text() == "Also connected: amy@PC-2", timeout=20_000)
    assert not label.isHidden()
    with ctx.store.read() as s:  # this workstation's own heartbeat went in too
        assert s.get(Workstation, ME.id) is not None

    # Amy approves something: this window announces the grids to refresh.
    seen: list[str] = []
    app_signals().data_changed.connect(seen.append)
    try:
        with (
            qtbot.waitSignal(
                app_signals().data_changed,
                timeout=20_000,
                check_params_cb=lambda entity: entity == AUDIT,
            ),
            ctx.store.write() as s,
        ):
            audit.record(s, "approve", "proposal", 1, actor="amy")
        assert {PROPOSALS, OUTBOX, AUDIT} <= set(seen)
        assert TRANSACTIONS not in seen
    finally:
        app_signals().data_changed.disconnect(seen.append)

    # A clean exit removes this workstation from everyone's list; Amy leaving hides the label.
    watch.stop()
    with ctx.store.read() as s:
        assert s.get(Workstation, ME.id) is None
    label.show_others([])
    assert label.isHidden()


def test_alone_the_label_stays_hidden_and_nothing_is_announced(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    watch = TeamWatch(ctx, interval_ms=50, me=ME)
    label = AlsoConnectedLabel(watch)
    qtbot.addWidget(label)
    seen: list[str] = []
    app_signals().data_changed.connect(seen.append)
    try:
        watch.start()
        qtbot.waitUntil(lambda: watch.token is not None, timeout=20_000)
        qtbot.wait(300)  # several more polls with nothing new
    finally:
        app_signals().data_changed.disconnect(seen.append)
        watch.stop()
    assert label.isHidden() and label.text() == ""
    assert seen == []


def test_entity_mapping() -> None:
    assert entities_to_refresh({"paytrace_day"}) == [TRANSACTIONS, AUDIT]
    assert entities_to_refresh({"outbox", "proposal"}) == [PROPOSALS, OUTBOX, AUDIT]
    assert entities_to_refresh({"something_new"}) == [AUDIT]


def _detail(status: str, by: str | None, at: datetime | None) -> ProposalDetail:
    from decimal import Decimal

    return ProposalDetail(
        1,
        status,
        "exact",
        100,
        "",
        "Harbor",
        7,
        Decimal("1.00"),
        "",
        "",
        "",
        [],
        100,
        [],
        Decimal("0"),
        [],
        decided_by=by,
        decided_at=at,
    )


def test_decided_line_names_who_and_when() -> None:
    at = datetime(2025, 11, 18, 14, 5)
    shown = show_local(at)  # the one date and time style, in local time
    assert decided_line(_detail("approved", "amy", at)) == f"Approved by amy at {shown}"
    assert decided_line(_detail("rejected", "bob", None)) == "Rejected by bob"
