"""Mutating operations answer what they changed (``Changed``), and ``run_mutation`` announces
exactly those areas app-wide, so pages refresh from the operation's answer."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from app.store.models import Proposal
from app.ui import services
from app.ui.changes import EVERYTHING, NOTHING, Changed, Changes
from app.ui.ops import run_mutation
from app.ui.signals import ALL_ENTITIES, app_signals
from tests.gui.ui_app import make_context


def _heard(qtbot, work, **kwargs):  # type: ignore[no-untyped-def]
    """The entities announced while ``work`` ran through ``run_mutation``, and the op."""
    heard: list[str] = []
    app_signals().data_changed.connect(heard.append)
    try:
        op = run_mutation(work, label="test", **kwargs)
        qtbot.waitUntil(lambda: op.done, timeout=20_000)
    finally:
        app_signals().data_changed.disconnect(heard.append)
    return heard, op


def test_changes_name_their_entities() -> None:
    assert NOTHING.entities == () and not NOTHING
    both = Changes(outbox=True) | Changes(audit_events=True)
    assert both.entities == ("outbox", "audit_events") and both
    assert EVERYTHING.entities == ALL_ENTITIES


def test_a_mutation_announces_what_it_changed_then_hands_over_its_value(qtbot) -> None:  # type: ignore[no-untyped-def]
    got: list[int] = []
    heard, op = _heard(
        qtbot, lambda: Changed(7, Changes(exceptions=True, outbox=True)), on_done=got.append
    )
    assert heard == ["outbox", "exceptions"] and got == [7]
    assert op.error is None


def test_a_failed_mutation_announces_nothing_and_says_why(qtbot) -> None:  # type: ignore[no-untyped-def]
    words: list[str] = []

    def refuse() -> Changed[int]:
        raise services.SyncFatalError("Sage Pro refused the key")

    heard, _op = _heard(qtbot, refuse, on_error=words.append)
    assert heard == [] and words == ["Sage Pro refused the key"]


def test_changes_are_announced_even_when_the_asking_page_is_gone(qtbot) -> None:  # type: ignore[no-untyped-def]
    page = QWidget()
    got: list[int] = []

    def work() -> Changed[int]:
        return Changed(1, Changes(proposals=True))

    heard: list[str] = []
    app_signals().data_changed.connect(heard.append)
    op = run_mutation(work, label="test", on_done=got.append, owner=page)
    shiboken6.delete(page)  # closed before the answer arrives
    qtbot.waitUntil(lambda: op.done, timeout=20_000)
    app_signals().data_changed.disconnect(heard.append)
    assert heard == ["proposals"]  # other pages still show the change
    assert got == []  # the page that asked is not called back after it was destroyed


def test_review_services_say_a_refused_approval_changed_nothing(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    with ctx.store.read() as session:
        missing = (session.scalar(select(Proposal.id).order_by(Proposal.id.desc())) or 0) + 1
    refused = services.approve_proposals(ctx.store, [missing], user="amy", profile=ctx.profile)
    assert refused.value.refused and refused.changes == NOTHING
