"""The editor widget driven like a user: mouse drags, clicks on lines and messages, the
keyboard path, the transform panel, undo/redo, saving off the GUI thread, a screenshot."""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

from app.mapping import (
    MappingContext,
    MappingDocument,
    TransformStep,
    load_default_template,
    locked_targets,
)
from app.ui.mapping import MappingEditor
from tests.unit.test_mapping_samples import LINKS, sample_rows


@dataclass(frozen=True)
class Saved:
    version: int


def make_editor(qtbot, document: MappingDocument | None = None, save=None) -> MappingEditor:  # type: ignore[no-untyped-def]
    editor = MappingEditor(
        document or load_default_template(),
        sample_rows(),
        MappingContext(customer_links=LINKS),
        save=save,
    )
    qtbot.addWidget(editor)
    editor.resize(1280, 800)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    return editor


def source_point(editor: MappingEditor, path: str) -> QPoint:
    index = editor.source_model.index(editor.source_model.row_of(path), 0)
    editor.source_view.scrollTo(index)
    return editor.source_view.visualRect(index).center()


def target_point(editor: MappingEditor, key: str) -> QPoint:
    index = editor.target_model.index(editor.target_model.row_of(key), 0)
    editor.target_view.scrollTo(index)
    return editor.target_view.visualRect(index).center()


def drop_on_target(editor: MappingEditor, key: str):  # type: ignore[no-untyped-def]
    """A drag runner that carries the drag's data to ``key``'s row, as the window system
    would: enter, move, drop events on the target list's viewport."""

    def run(drag: QDrag) -> Qt.DropAction:
        viewport = editor.target_view.viewport()
        point = target_point(editor, key)
        mime = drag.mimeData()
        actions = Qt.DropAction.CopyAction
        buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        with warnings.catch_warnings():
            # PySide marks the QPoint constructors deprecated but offers no other one.
            warnings.simplefilter("ignore", DeprecationWarning)
            enter = QDragEnterEvent(point, actions, mime, buttons, mods)
            move = QDragMoveEvent(point, actions, mime, buttons, mods)
        QApplication.sendEvent(viewport, enter)
        QApplication.sendEvent(viewport, move)
        drop = QDropEvent(QPointF(point), actions, mime, buttons, mods)
        QApplication.sendEvent(viewport, drop)
        return drop.dropAction() if drop.isAccepted() else Qt.DropAction.IgnoreAction

    return run


def mouse_drag_source(qtbot, editor: MappingEditor, path: str) -> None:  # type: ignore[no-untyped-def]
    viewport = editor.source_view.viewport()
    start = source_point(editor, path)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in (10, 25, 45):
        end = QPointF(start.x() + step, start.y())
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            end,
            viewport.mapToGlobal(end),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, move)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start)


def test_mouse_drag_from_source_to_target_maps_and_draws_a_line(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot, load_default_template().without_mapping("Payment.Memo"))
    editor.source_view.drag_runner = drop_on_target(editor, "Payment.Memo")
    mouse_drag_source(qtbot, editor, "customer_reference_id")
    mapping = editor.state.document.mapping_for("Payment.Memo")
    assert mapping is not None and mapping.source == "customer_reference_id"
    assert "Payment.Memo" in {line.target for line in editor.connector.lines()}
    editor.state.undo_stack.undo()
    assert editor.state.document.mapping_for("Payment.Memo") is None


def test_drag_onto_a_matcher_field_is_refused(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot)
    before = editor.state.document
    editor.source_view.drag_runner = drop_on_target(editor, "Payment.Applications")
    mouse_drag_source(qtbot, editor, "amount")
    assert editor.state.document == before


def test_keyboard_path_select_select_enter_then_delete_and_undo(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot, load_default_template().without_mapping("Payment.Memo"))
    qtbot.mouseClick(
        editor.source_view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=source_point(editor, "description"),
    )
    qtbot.mouseClick(
        editor.target_view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=target_point(editor, "Payment.Memo"),
    )
    assert editor.selected_target() == "Payment.Memo"
    qtbot.keyClick(editor.target_view, Qt.Key.Key_Return)
    assert editor.state.document.mapping_for("Payment.Memo").source == "description"  # type: ignore[union-attr]
    assert "Mapped description → Payment.Memo" in editor.status_label.text()
    qtbot.keyClick(editor.target_view, Qt.Key.Key_Delete)
    assert editor.state.document.mapping_for("Payment.Memo") is None
    qtbot.keyClick(editor.target_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.state.document.mapping_for("Payment.Memo") is not None
    qtbot.mouseClick(editor.redo_button, Qt.MouseButton.LeftButton)
    assert editor.state.document.mapping_for("Payment.Memo") is None
    qtbot.mouseClick(editor.map_button, Qt.MouseButton.LeftButton)
    assert editor.state.document.mapping_for("Payment.Memo") is not None


def test_clicking_a_line_selects_its_mapping_for_the_transform_panel(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot)
    line = next(ln for ln in editor.connector.lines() if ln.target == "Payment.Amount")
    middle = line.path().pointAtPercent(0.5).toPoint()
    qtbot.mouseClick(editor.connector, Qt.MouseButton.LeftButton, pos=middle)
    assert editor.selected_target() == "Payment.Amount"
    assert editor.transform_panel.title.text() == "Payment.Amount"
    assert editor.transform_panel.origin.text() == "From: amount"


def test_validation_message_click_goes_to_the_field(qtbot) -> None:  # type: ignore[no-untyped-def]
    document = load_default_template().without_mapping("CreditMemo.InvoiceID")
    editor = make_editor(qtbot, document)
    item = editor.issues_list.item(0)
    assert "CreditMemo field InvoiceID is required" in item.text()
    rect = editor.issues_list.visualItemRect(item)
    qtbot.mouseClick(editor.issues_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.target_model.record == "CreditMemo"
    assert editor.selected_target() == "CreditMemo.InvoiceID"
    assert editor.transform_panel.target == "CreditMemo.InvoiceID"


def test_transform_panel_adds_edits_moves_and_removes_steps(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot)
    editor.go_to("Payment.Memo")
    panel = editor.transform_panel
    panel.choice.setCurrentIndex(panel.choice.findData("upper"))
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    chain = editor.state.document.mapping_for("Payment.Memo").transforms  # type: ignore[union-attr]
    assert chain == (TransformStep("trim"), TransformStep("upper"))
    assert panel.steps.count() == 2
    qtbot.mouseClick(panel.up_button, Qt.MouseButton.LeftButton)
    chain = editor.state.document.mapping_for("Payment.Memo").transforms  # type: ignore[union-attr]
    assert [s.name for s in chain] == ["upper", "trim"]
    panel.steps.setCurrentRow(1)
    editor_widget = panel.form.itemAt(0, panel.form.ItemRole.FieldRole).widget()
    editor_widget.setText("#")  # type: ignore[attr-defined]
    editor_widget.editingFinished.emit()  # type: ignore[attr-defined]
    chain = editor.state.document.mapping_for("Payment.Memo").transforms  # type: ignore[union-attr]
    assert chain[1] == TransformStep("trim", {"chars": "#"})
    panel.steps.setCurrentRow(0)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    chain = editor.state.document.mapping_for("Payment.Memo").transforms  # type: ignore[union-attr]
    assert chain == (TransformStep("trim", {"chars": "#"}),)
    assert editor.state.undo_stack.count() == 4
    assert "First sample:" in panel.sample.text()


def test_accepting_a_suggestion_from_its_badge(qtbot) -> None:  # type: ignore[no-untyped-def]
    template = load_default_template()
    document = replace(
        template, mappings=tuple(m for m in template.mappings if m.record != "Payment")
    )
    editor = make_editor(qtbot, document)
    editor.go_to("Payment.Amount")
    assert editor.accept_button.isEnabled()
    qtbot.mouseClick(editor.accept_button, Qt.MouseButton.LeftButton)
    assert editor.state.document.mapping_for("Payment.Amount").source == "amount"  # type: ignore[union-attr]
    assert "Accepted amount → Payment.Amount" in editor.status_label.text()
    # A double click on an unmapped field with a badge accepts its suggestion too. (QTest
    # needs the single click first for the view to see a double click on the same item.)
    point = target_point(editor, "Payment.PaymentStatus")
    qtbot.mouseClick(editor.target_view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(editor.target_view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert editor.state.document.mapping_for("Payment.PaymentStatus").source == "status"  # type: ignore[union-attr]


def test_save_runs_the_callback_off_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[MappingDocument, str, int]] = []

    def save(document: MappingDocument, comment: str) -> Saved:
        calls.append((document, comment, threading.get_ident()))
        return Saved(7)

    editor = make_editor(qtbot, save=save)
    editor.state.unmap("Payment.Memo")
    assert "unsaved changes" in editor.title_label.text()
    editor.comment_edit.setText("Memo no longer sent")
    with qtbot.waitSignal(editor.saved, timeout=5000) as blocker:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [Saved(7)]
    ((document, comment, thread_id),) = calls
    assert comment == "Memo no longer sent"
    assert document.mapping_for("Payment.Memo") is None
    assert thread_id != threading.get_ident()
    assert editor.status_label.text() == "Saved as version 7."
    assert editor.state.undo_stack.isClean()


def test_save_is_refused_while_there_are_errors_and_failures_are_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def failing(document: MappingDocument, comment: str) -> None:
        calls.append(comment)
        raise RuntimeError("database is locked")

    editor = make_editor(qtbot, save=failing)
    editor.state.unmap("Payment.CustomerID")
    assert not editor.save_version("x")
    assert calls == []
    assert editor.selected_target() == "Payment.CustomerID"
    assert "Not saved: 1 problem" in editor.status_label.text()
    editor.state.undo_stack.undo()
    with qtbot.waitSignal(editor.save_failed, timeout=5000) as blocker:
        assert editor.save_version("try")
    assert blocker.args == ["database is locked"]
    assert editor.status_label.text() == "Not saved: database is locked"
    assert editor.save_button.isEnabled()


def test_record_switch_and_turning_a_record_on(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot)
    editor.record_combo.setCurrentIndex(2)
    assert editor.target_model.record == "Customer"
    assert not editor.enabled_box.isChecked()
    editor.enabled_box.setChecked(True)
    assert editor.state.document.record("Customer").enabled  # type: ignore[union-attr]
    assert editor.record_combo.itemText(2) == "Customer  (posted)"
    editor.state.undo_stack.undo()
    assert not editor.enabled_box.isChecked()


@pytest.mark.parametrize("record", ["Payment"])
def test_screenshot_of_the_default_mapping(qtbot, artifacts_dir: Path, record: str) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot)
    editor.go_to(f"{record}.PaymentDate")
    qtbot.wait(50)
    path = artifacts_dir / "mapping_editor.png"
    assert editor.grab().save(str(path))
    assert path.stat().st_size > 20_000
    assert len(editor.connector.lines()) >= 7


def test_save_version_needs_a_description(qtbot) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    editor = make_editor(qtbot, save=lambda _document, comment: calls.append(comment))
    editor.state.unmap("Payment.Memo")
    editor.comment_edit.setText("   ")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not calls and "say in a few words what changed" in editor.status_label.text()


def test_drag_onto_a_locked_field_is_refused_with_the_reason(qtbot, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot)
    before = editor.state.document
    editor.source_view.drag_runner = drop_on_target(editor, "Payment.PaymentReference")
    mouse_drag_source(qtbot, editor, "customer_reference_id")
    assert editor.state.document == before
    reason = locked_targets()["Payment.PaymentReference"]
    assert editor.status_label.text() == f"Payment.PaymentReference is locked: {reason}"
    # The keyboard path says the same.
    editor.source_view.setCurrentIndex(
        editor.source_model.index(editor.source_model.row_of("amount"), 0)
    )
    editor.go_to("Payment.PaymentReference")
    assert not editor.map_selected() and editor.state.document == before
    qtbot.wait(50)
    path = artifacts_dir / "mapping_editor_locked.png"
    assert editor.grab().save(str(path))


def test_a_locked_field_cannot_be_unmapped(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = make_editor(qtbot)
    before = editor.state.document
    editor.go_to("Payment.Amount")
    assert not editor.unmap_button.isEnabled()
    qtbot.keyClick(editor.target_view, Qt.Key.Key_Delete)
    assert editor.state.document == before
    reason = locked_targets()["Payment.Amount"]
    assert editor.status_label.text() == f"Payment.Amount is locked: {reason}"
    editor.go_to("Payment.Memo")
    assert editor.unmap_button.isEnabled()
