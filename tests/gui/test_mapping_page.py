"""The Mapping page over a real store: the active version (the template saved as version 1
on a first visit), loaded off the GUI thread, previewed with the customer links; edited and
saved as version 2 by the person at the keyboard, announced as ``data_changed("mapping")``."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.mapping import active_version, list_versions
from app.store.models import AuditEvent
from app.ui.main_window import MainWindow
from app.ui.mapping import MappingPage
from app.ui.mapping import page as page_module
from tests.gui.demo_app import WAIT_MS, wait_idle
from tests.gui.ui_app import make_context, make_window


@pytest.fixture
def ctx(tmp_path: Path):  # type: ignore[no-untyped-def]
    context = make_context(tmp_path)
    yield context
    context.store.dispose()


def _threads(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Record the thread each call of ``page_module.<name>`` runs on."""
    seen: list[int] = []
    real = getattr(page_module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(page_module, name, spy)
    return seen


def _open(qtbot: Any, ctx: Any) -> MappingPage:
    page = MappingPage(ctx)
    qtbot.addWidget(page)
    page.resize(1060, 720)
    page.show()
    qtbot.waitUntil(lambda: page.editor is not None, timeout=WAIT_MS)
    return page


def test_opens_the_active_version_with_customer_links(qtbot, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    loads = _threads(monkeypatch, "load_mapping_inputs")
    page = _open(qtbot, ctx)
    assert loads and loads[0] != threading.get_ident()  # never on the GUI thread
    with ctx.store.read() as s:
        [first] = list_versions(s)
    assert (first.version, first.author, first.comment) == (1, "Paysage", "Default template")
    assert page.data is not None and len(page.data.sample_rows) == 25
    links = page.data.customer_links
    assert links and all(pt.startswith("PT-") for pt in links)
    # Every previewed payment of a linked PayTrace customer shows its Sage Pro CustomerID.
    linked = [
        (row.value("Payment.CustomerID"), links[str(row.source["customer_id"])])
        for row in page.editor.state.preview()
        if row.ok
        and row.result.payload("Payment") is not None  # type: ignore[union-attr]
        and row.source.get("customer_id") in links
    ]
    assert len(linked) > 5 and all(shown == wanted for shown, wanted in linked)
    assert page.sample_values("Payment.CustomerID").count(linked[0][1]) >= 1
    assert "version 1" in page.editor.title_label.text()


def test_save_version_from_the_page(qtbot, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    saves = _threads(monkeypatch, "save_edited")
    page = _open(qtbot, ctx)
    editor = page.editor
    editor.go_to("Payment.Memo")
    qtbot.mouseClick(editor.unmap_button, Qt.MouseButton.LeftButton)
    assert "unsaved changes" in editor.title_label.text()
    editor.comment_edit.setText("No memo on payments")
    with (
        qtbot.waitSignal(
            ctx.signals.data_changed, timeout=WAIT_MS, check_params_cb=lambda e: e == "mapping"
        ),
        qtbot.waitSignal(page.loaded, timeout=WAIT_MS),
    ):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert saves and saves[0] != threading.get_ident()
    with ctx.store.read() as s:
        versions = list_versions(s)
        _id, document = active_version(s)
    assert [(v.version, v.author, v.comment, v.active) for v in versions[:1]] == [
        (2, "maria", "No memo on payments", True)
    ]
    assert document.mapping_for("Payment.Memo") is None
    # The save is in the audit trail: who, which version, the description given.
    with ctx.store.read() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.actor, event.entity_id) == ("mapping_save", "maria", "2")
    assert event.after == {"new_version": 2, "description": "No memo on payments"}
    assert page.editor is not editor  # reopened on the saved version
    assert "version 2" in page.editor.title_label.text()
    assert "unsaved" not in page.editor.title_label.text()
    assert page.editor.status_label.text() == "Saved as version 2."


def test_the_window_shows_the_real_editor(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    window: MainWindow = make_window(qtbot, ctx)
    window.show()
    window.show_page("mapping")
    page = window.page("mapping")
    assert isinstance(page, MappingPage)
    qtbot.waitUntil(lambda: page.editor is not None, timeout=WAIT_MS)
    wait_idle(qtbot)
    assert window.width() == 1280
