"""An approval refused after the click names the payment as the bookkeeper knows it (its
PayTrace id and payer), never the program's record number ("Proposal 9")."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from app.store.models import Proposal
from app.ui.widgets import notices
from tests.gui.demo_app import WAIT_MS, wait_idle
from tests.gui.ui_app import make_context, make_window, page_loaded
from tests.gui.ui_words import Reading, developer_terms


def test_a_refused_approval_names_the_payment(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    window = make_window(qtbot, ctx)
    window.show()
    window.show_page("reconciliation")
    page = window.page("reconciliation")
    qtbot.waitUntil(lambda: page_loaded(page), timeout=WAIT_MS)
    page.grid.select_only(0)
    row = page.model.row_dict(0)
    assert row is not None
    with ctx.store.write() as s:  # decided elsewhere meanwhile (another workstation)
        s.execute(update(Proposal).where(Proposal.id == row["_key"]).values(status="rejected"))
    page.approve_ids([int(row["_key"])])
    qtbot.waitUntil(lambda: bool(notices.open_notices), timeout=WAIT_MS)
    text = notices.open_notices[-1].text()
    assert f"PayTrace {row['paytrace_id']} ({row['customer']})" in text, text
    reading = Reading()
    reading.add("notice", text)
    assert developer_terms(reading) == [], text
    for box in list(notices.open_notices):
        box.close()
    wait_idle(qtbot)
    ctx.store.dispose()
