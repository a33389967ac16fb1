"""Drag and drop through the models: mimeData out of the source list, dropMimeData into a
target field, undo and redo of the result."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QMimeData, QModelIndex, Qt

from app.mapping import MappingContext, load_default_template, locked_targets
from app.mapping.locked import fixed_mapping
from app.ui.mapping.field_models import (
    BADGE_KIND_ROLE,
    BADGE_ROLE,
    LOCKED_ROLE,
    SOURCE_MIME,
    SourceFieldsModel,
    TargetFieldsModel,
)
from app.ui.mapping.preview_panel import IssuesList, PreviewTableModel
from app.ui.mapping.state import EditorState
from tests.unit.test_mapping_samples import LINKS, export_row, sample_rows


def make_state(document=None) -> EditorState:  # type: ignore[no-untyped-def]
    return EditorState(
        document or load_default_template(), sample_rows(), MappingContext(customer_links=LINKS)
    )


def test_source_rows_drag_out_as_their_path(qapp) -> None:  # type: ignore[no-untyped-def]
    state = make_state()
    model = SourceFieldsModel(state)
    row = model.row_of("billing_address.name")
    index = model.index(row, 0)
    mime = model.mimeData([index])
    assert mime.hasFormat(SOURCE_MIME)
    assert bytes(mime.data(SOURCE_MIME).data()) == b"billing_address.name"
    assert model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.mimeTypes() == [SOURCE_MIME]
    assert "Kevin" in model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_dropping_a_source_on_a_target_maps_it_undoably(qapp) -> None:  # type: ignore[no-untyped-def]
    state = make_state()
    sources = SourceFieldsModel(state)
    targets = TargetFieldsModel(state, "Payment")
    memo_row = targets.row_of("Payment.Memo")
    mime = sources.mimeData([sources.index(sources.row_of("customer_reference_id"), 0)])
    parent = targets.index(memo_row, 0)
    assert targets.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, parent)
    assert targets.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, parent)
    assert state.document.mapping_for("Payment.Memo").source == "customer_reference_id"  # type: ignore[union-attr]
    assert state.memory.count("Payment.Memo", "customer_reference_id") == 1
    assert targets.data(targets.index(memo_row, 0), BADGE_ROLE) == "customer_reference_id +1"
    state.undo_stack.undo()
    assert state.document.mapping_for("Payment.Memo").source == "description"  # type: ignore[union-attr]
    state.undo_stack.redo()
    assert state.document.mapping_for("Payment.Memo").source == "customer_reference_id"  # type: ignore[union-attr]
    # A drop between rows names no field and changes nothing.
    amount_row = targets.row_of("Payment.Amount")
    assert not targets.dropMimeData(mime, Qt.DropAction.CopyAction, amount_row, 0, QModelIndex())
    assert state.document.mapping_for("Payment.Amount").source == "amount"  # type: ignore[union-attr]


def test_drops_that_cannot_map_are_refused(qapp) -> None:  # type: ignore[no-untyped-def]
    state = make_state()
    targets = TargetFieldsModel(state, "Payment")
    good = QMimeData()
    good.setData(SOURCE_MIME, b"amount")
    caller = targets.index(targets.row_of("Payment.Applications"), 0)
    assert not targets.canDropMimeData(good, Qt.DropAction.CopyAction, -1, -1, caller)
    assert not targets.flags(caller) & Qt.ItemFlag.ItemIsDropEnabled
    text_only = QMimeData()
    text_only.setText("amount")
    amount = targets.index(targets.row_of("Payment.Amount"), 0)
    assert not targets.dropMimeData(text_only, Qt.DropAction.CopyAction, -1, -1, amount)
    unknown = QMimeData()
    unknown.setData(SOURCE_MIME, b"no.such.field")
    assert not targets.dropMimeData(unknown, Qt.DropAction.CopyAction, -1, -1, amount)
    assert not targets.dropMimeData(good, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    assert state.undo_stack.count() == 0


def test_target_badges_show_suggestions_and_problems(qapp) -> None:  # type: ignore[no-untyped-def]
    template = load_default_template()
    document = replace(
        template, mappings=tuple(m for m in template.mappings if m.target != "Payment.Amount")
    )
    state = make_state(document)
    targets = TargetFieldsModel(state, "Payment")
    amount = targets.index(targets.row_of("Payment.Amount"), 0)
    assert targets.data(amount, BADGE_KIND_ROLE) == "error"
    assert "Payment field Amount is required" in targets.data(amount, Qt.ItemDataRole.ToolTipRole)
    assert "Suggested: amount" in targets.data(amount, Qt.ItemDataRole.ToolTipRole)
    memo_state = make_state(template.without_mapping("Payment.Memo"))
    memo_targets = TargetFieldsModel(memo_state, "Payment")
    memo = memo_targets.index(memo_targets.row_of("Payment.Memo"), 0)
    assert memo_targets.data(memo, BADGE_KIND_ROLE) == "suggestion"
    assert memo_targets.data(memo, BADGE_ROLE).startswith("★ description")


def test_preview_model_shows_values_and_row_errors(qapp) -> None:  # type: ignore[no-untyped-def]
    state = EditorState(
        load_default_template(),
        [export_row(), export_row(customer_id="PT-NOPE")],
        MappingContext(customer_links=LINKS),
    )
    model = PreviewTableModel(state, "Payment")
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:4] == ["Transaction", "Type", "Result", "PaymentReference"]
    assert "Applications" not in headers
    customer = headers.index("CustomerID")
    assert model.data(model.index(0, customer)) == "C00012"
    assert model.data(model.index(0, 2)) == "OK"
    assert model.data(model.index(1, 2)) == "1 problem"
    assert "customer links" in model.data(model.index(1, customer))
    assert model.data(model.index(1, customer), Qt.ItemDataRole.BackgroundRole) is not None


def test_locked_targets_show_a_lock_and_refuse_a_drop_with_the_reason(qapp) -> None:  # type: ignore[no-untyped-def]
    state = make_state()
    sources = SourceFieldsModel(state)
    targets = TargetFieldsModel(state, "Payment")
    refused: list[str] = []
    targets.drop_refused.connect(refused.append)
    amount = targets.index(targets.row_of("Payment.Amount"), 0)
    memo = targets.index(targets.row_of("Payment.Memo"), 0)
    assert targets.data(amount, LOCKED_ROLE) and not targets.data(memo, LOCKED_ROLE)
    reason = locked_targets()["Payment.Amount"]
    assert reason in targets.data(amount, Qt.ItemDataRole.ToolTipRole)
    assert "Locked" not in targets.data(memo, Qt.ItemDataRole.ToolTipRole)
    assert "locked" in targets.data(amount, Qt.ItemDataRole.AccessibleTextRole)
    mime = sources.mimeData([sources.index(sources.row_of("customer_reference_id"), 0)])
    assert not targets.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, amount)
    assert not targets.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, amount)
    assert refused and refused[-1] == f"Payment.Amount is locked: {reason}"
    assert state.document.mapping_for("Payment.Amount").source == "amount"  # type: ignore[union-attr]
    assert state.undo_stack.count() == 0
    # The same drop on a field that is not locked maps it.
    assert targets.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, memo)


def test_a_locked_field_that_lost_its_mapping_takes_back_the_shipped_one(qapp) -> None:  # type: ignore[no-untyped-def]
    state = make_state(load_default_template().without_mapping("Payment.Amount"))
    sources = SourceFieldsModel(state)
    targets = TargetFieldsModel(state, "Payment")
    amount = targets.index(targets.row_of("Payment.Amount"), 0)
    wrong = sources.mimeData([sources.index(sources.row_of("customer_reference_id"), 0)])
    assert not targets.dropMimeData(wrong, Qt.DropAction.CopyAction, -1, -1, amount)
    right = sources.mimeData([sources.index(sources.row_of("amount"), 0)])
    assert targets.dropMimeData(right, Qt.DropAction.CopyAction, -1, -1, amount)
    assert state.document.mapping_for("Payment.Amount") == fixed_mapping("Payment.Amount")


def _checks_texts(state: EditorState) -> list[str]:
    issues = IssuesList(state)
    return [issues.item(row).text() for row in range(issues.count())]


def _preview_cells(model: PreviewTableModel, row: int, column: str) -> tuple[str, str]:
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    result = model.data(model.index(row, 2))
    return result, model.data(model.index(row, headers.index(column)))


def test_preview_and_checks_show_a_sample_rows_problem_alike(qapp) -> None:  # type: ignore[no-untyped-def]
    rows = [export_row(), export_row(customer_id="PT-NOPE")]
    state = EditorState(load_default_template(), rows, MappingContext(customer_links=LINKS))
    model = PreviewTableModel(state, "Payment")
    result, cell = _preview_cells(model, 1, "CustomerID")
    assert result == "1 problem" and cell.startswith("⚠ ") and "customer links" in cell
    [check] = [t for t in _checks_texts(state) if "Payment.CustomerID" in t]
    assert "fails on 1 of 2 sample rows" in check and cell.removeprefix("⚠ ") in check
    assert _preview_cells(model, 0, "CustomerID") == ("OK", "C00012")


def test_preview_and_checks_show_a_document_error_alike(qapp) -> None:  # type: ignore[no-untyped-def]
    # A locked field mapped away: Paysage still posts the shipped amount, so each row would
    # map; the preview must not say "OK" while Checks refuses the version.
    document = load_default_template().with_source("Payment.Amount", "tax_amount")
    state = EditorState(document, [export_row()], MappingContext(customer_links=LINKS))
    model = PreviewTableModel(state, "Payment")
    result, cell = _preview_cells(model, 0, "Amount")
    [check] = [t for t in _checks_texts(state) if "Payment.Amount" in t]
    assert result == "1 problem"
    assert cell.removeprefix("⚠ ") in check and "locked" in cell
    assert check.startswith("✖")
