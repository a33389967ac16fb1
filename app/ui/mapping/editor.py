"""The mapping editor page: PayTrace fields (left) → lines → Sage Pro fields (right), the
transform panel, the live preview and the validation messages.

Every drag has a keyboard path: select a PayTrace field, select a Sage Pro field, press
Enter (or Map). Delete unmaps; Ctrl+Z / Ctrl+Y undo and redo. Saving calls the injected
``save(document, comment)`` on a worker thread, so database work never blocks the GUI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.mapping import MappingContext, MappingDocument, SuggestionMemory
from app.mapping.validation import errors_of
from app.ui.mapping import palette
from app.ui.mapping.connector import ConnectorWidget
from app.ui.mapping.field_models import KEY_ROLE, SourceFieldsModel, TargetFieldsModel
from app.ui.mapping.field_views import SourceListView, TargetListView
from app.ui.mapping.panel_frame import titled_panel
from app.ui.mapping.preview_and_checks import PreviewAndChecks
from app.ui.mapping.preview_panel import PreviewTableModel
from app.ui.mapping.save_worker import SaveCallback, SavedVersion, SaveWorker
from app.ui.mapping.state import EditorState, undo_controls
from app.ui.mapping.transform_panel import TransformPanel


class MappingEditor(QWidget):
    """Drag-and-drop editor of one mapping document.

    ``save(document, comment)`` is called on a worker thread when the user saves; its
    return value (e.g. a ``VersionInfo``) is passed on in ``saved``; an exception becomes
    ``save_failed`` with its message.
    """

    saved = Signal(object)
    save_failed = Signal(str)

    def __init__(
        self,
        document: MappingDocument,
        sample_rows: Sequence[Mapping[str, Any]] = (),
        context: MappingContext | None = None,
        save: SaveCallback | None = None,
        memory: SuggestionMemory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MappingEditor")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(palette.STYLE_SHEET)
        self.state = EditorState(document, sample_rows, context, memory, self)
        self._save = save
        self._workers: list[SaveWorker] = []
        records = [r.name for r in document.targets]
        first = next((r.name for r in document.targets if r.enabled), records[0])
        self.source_model = SourceFieldsModel(self.state)
        self.target_model = TargetFieldsModel(self.state, first)
        self.preview_model = PreviewTableModel(self.state, first)

        root = QVBoxLayout(self)
        root.setContentsMargins(14, 12, 14, 12)
        root.setSpacing(10)
        root.addLayout(self._build_header())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_fields(records, first))
        splitter.addWidget(self._build_bottom())
        splitter.setSizes([540, 230])
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        root.addWidget(splitter, 1)

        self.state.document_changed.connect(self._on_document_changed)
        self.state.focus_requested.connect(self.go_to)
        self.state.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._on_document_changed()

    # -- building --------------------------------------------------------------------------
    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title_label = QLabel()
        self.title_label.setObjectName("DocTitle")
        self.status_label = QLabel(
            "Drag a PayTrace field onto a Sage Pro field, or select both and press Enter."
        )
        self.status_label.setObjectName("Status")
        self.status_label.setWordWrap(True)  # a long refusal wraps; it never widens the window
        titles.addWidget(self.title_label)
        titles.addWidget(self.status_label)
        row.addLayout(titles, 1)

        self.undo_button, self.redo_button = undo_controls(self.state.undo_stack, self)

        self.map_button = QPushButton("Map  ⏎")
        self.map_button.setToolTip("Map the selected PayTrace field to the selected Sage Pro field")
        self.map_button.clicked.connect(self.map_selected)
        self.unmap_button = QPushButton("Unmap")
        self.unmap_button.setToolTip("Remove the selected Sage Pro field's mapping (Delete)")
        self.unmap_button.clicked.connect(self.unmap_selected)
        self.accept_button = QPushButton("Accept suggestion")
        self.accept_button.clicked.connect(self.accept_selected_suggestion)
        self.comment_edit = QLineEdit()
        self.comment_edit.setPlaceholderText("What changed? (version comment)")
        self.comment_edit.setMinimumWidth(230)
        self.comment_edit.returnPressed.connect(self.save_version)
        self.save_button = QPushButton("Save version")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save_version)
        for widget in (
            self.undo_button,
            self.redo_button,
            self.map_button,
            self.unmap_button,
            self.accept_button,
            self.comment_edit,
            self.save_button,
        ):
            row.addWidget(widget)
        return row

    def _build_fields(self, records: list[str], first: str) -> QWidget:
        host = QWidget()
        row = QHBoxLayout(host)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)

        source_panel, source_layout = titled_panel(
            "PayTrace fields", "Sample values from real rows"
        )
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter fields…")
        self.filter_edit.textChanged.connect(self._filter_sources)
        filter_row = QHBoxLayout()
        filter_row.setContentsMargins(10, 0, 10, 4)
        filter_row.addWidget(self.filter_edit)
        source_layout.addLayout(filter_row)
        self.source_view = SourceListView()
        self.source_view.setModel(self.source_model)
        self.source_view.setAccessibleName("PayTrace source fields")
        self.source_view.activated.connect(self._focus_targets)
        source_layout.addWidget(self.source_view, 1)

        target_panel, target_layout = titled_panel("Sage Pro fields", "● required   ★ suggestion")
        tabs_row = QHBoxLayout()
        tabs_row.setContentsMargins(10, 0, 10, 0)
        record_label = QLabel("Record")
        self.record_combo = QComboBox()
        self.record_combo.setAccessibleName("Sage Pro record")
        for name in records:
            self.record_combo.addItem(name, name)
        self.record_combo.setCurrentIndex(records.index(first))
        self.record_combo.currentIndexChanged.connect(self._on_record_changed)
        record_label.setBuddy(self.record_combo)
        tabs_row.addWidget(record_label)
        tabs_row.addWidget(self.record_combo, 1)
        self.enabled_box = QCheckBox("Post this record")
        self.enabled_box.setToolTip("Create this Sage Pro record for matching transactions")
        self.enabled_box.toggled.connect(self._on_enabled_toggled)
        # The record list gives way first: the check box's words are never cut.
        self.enabled_box.setMinimumWidth(self.enabled_box.sizeHint().width())
        tabs_row.addWidget(self.enabled_box)
        target_layout.addLayout(tabs_row)
        self.target_view = TargetListView()
        self.target_view.setModel(self.target_model)
        self.target_model.drop_refused.connect(self.show_status)
        self.target_view.setAccessibleName("Sage Pro target fields")
        self.target_view.map_requested.connect(self.map_selected)
        self.target_view.unmap_requested.connect(self.unmap_selected)
        self.target_view.doubleClicked.connect(lambda _i: self.accept_selected_suggestion())
        self.target_view.selectionModel().currentChanged.connect(self._on_target_selected)
        self.target_model.modelReset.connect(self._restore_target_selection)
        target_layout.addWidget(self.target_view, 1)

        self.connector = ConnectorWidget(
            self.state, self.source_view, self.source_model, self.target_view, self.target_model
        )
        self.connector.line_clicked.connect(self.go_to)

        transform_frame, transform_layout = titled_panel("")
        transform_layout.setContentsMargins(1, 0, 1, 1)
        self.transform_panel = TransformPanel(self.state)
        transform_layout.addWidget(self.transform_panel)
        transform_frame.setMinimumWidth(300)
        transform_frame.setMaximumWidth(360)

        row.addWidget(source_panel, 5)
        row.addWidget(self.connector)
        row.addWidget(target_panel, 5)
        row.addSpacing(12)
        row.addWidget(transform_frame, 4)
        return host

    def _build_bottom(self) -> QWidget:
        self.bottom = PreviewAndChecks(self.state, self.preview_model)
        self.preview_view = self.bottom.preview_view
        self.issues_list = self.bottom.issues_list
        self.issues_list.issue_activated.connect(self.go_to)
        return self.bottom

    # -- reacting --------------------------------------------------------------------------
    def _on_clean_changed(self, _clean: bool) -> None:
        # The stack says "clean" once more while it is being destroyed with the editor.
        if isValid(self.state.undo_stack) and isValid(self.title_label):
            self._update_title()

    def _update_title(self) -> None:
        document = self.state.document
        version = f"  ·  version {document.version}" if document.version else ""
        dirty = "  ·  unsaved changes" if not self.state.undo_stack.isClean() else ""
        self.title_label.setText(f"{document.name}{version}{dirty}")

    def _on_document_changed(self) -> None:
        self._update_title()
        record = self.state.document.record(self.target_model.record)
        self.enabled_box.blockSignals(True)
        self.enabled_box.setChecked(bool(record and record.enabled))
        self.enabled_box.blockSignals(False)
        for index, target in enumerate(self.state.document.targets):
            state = "posted" if target.enabled else "off"
            self.record_combo.setItemText(index, f"{target.name}  ({state})")
        self.bottom.fit_columns()
        self._update_buttons()

    def _update_buttons(self) -> None:
        key = self.selected_target()
        mapped = key is not None and self.state.document.mapping_for(key) is not None
        self.unmap_button.setEnabled(mapped and self.state.locked_reason(key or "") is None)
        self.accept_button.setEnabled(
            key is not None and not mapped and self.state.top_suggestion(key) is not None
        )
        self.save_button.setEnabled(self._save is not None)

    def _on_record_changed(self, index: int) -> None:
        name = self.state.document.targets[index].name
        self.target_model.set_record(name)
        self.preview_model.set_record(name)
        self.transform_panel.set_target(None)
        self.connector.set_selected(None)
        self._on_document_changed()

    def _on_enabled_toggled(self, checked: bool) -> None:
        self.state.set_record_enabled(self.target_model.record, checked)

    def _focus_targets(self, _index: Any) -> None:
        self.target_view.setFocus()

    def _on_target_selected(self, current: Any, _previous: Any) -> None:
        key = str(current.data(KEY_ROLE)) if current.isValid() else None
        self._selected_key = key
        self.transform_panel.set_target(key)
        self.connector.set_selected(key)
        mapping = self.state.document.mapping_for(key) if key else None
        source_row = self.source_model.row_of(mapping.source) if mapping and mapping.source else -1
        if source_row >= 0:
            # Bring the source into view so the selected line is drawn whole.
            self.source_view.scrollTo(self.source_model.index(source_row, 0))
        self._update_buttons()

    def _restore_target_selection(self) -> None:
        key = getattr(self, "_selected_key", None)
        if key and key.split(".", 1)[0] == self.target_model.record:
            row = self.target_model.row_of(key)
            if row >= 0:
                self.target_view.setCurrentIndex(self.target_model.index(row, 0))

    def _filter_sources(self, text: str) -> None:
        needle = text.strip().casefold()
        for row, field in enumerate(self.state.document.source_fields):
            hidden = bool(needle) and needle not in f"{field.label} {field.path}".casefold()
            self.source_view.setRowHidden(row, hidden)
        self.connector.update()

    # -- actions (also the keyboard path) -------------------------------------------------
    def selected_source(self) -> str | None:
        index = self.source_view.currentIndex()
        return str(index.data(KEY_ROLE)) if index.isValid() else None

    def selected_target(self) -> str | None:
        index = self.target_view.currentIndex()
        return str(index.data(KEY_ROLE)) if index.isValid() else None

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def map_selected(self) -> bool:
        source, target = self.selected_source(), self.selected_target()
        if source is None or target is None:
            self.show_status("Select a PayTrace field and a Sage Pro field first.")
            return False
        refusal = self.state.map_refusal(target, source)
        if refusal is not None:
            self.show_status(refusal)
            return False
        if self.state.map_field(target, source):
            self.show_status(f"Mapped {source} → {target}.")
            return True
        return False

    def unmap_selected(self) -> bool:
        target = self.selected_target()
        if target is None or self.state.document.mapping_for(target) is None:
            return False
        reason = self.state.locked_reason(target)
        if reason is not None:  # Delete on a locked field: say why instead of nothing
            self.show_status(f"{target} is locked: {reason}")
            return False
        self.state.unmap(target)
        self.show_status(f"Removed the mapping of {target}.")
        return True

    def accept_selected_suggestion(self) -> bool:
        target = self.selected_target()
        top = self.state.top_suggestion(target) if target else None
        if target is None or top is None or self.state.document.mapping_for(target):
            return False
        self.state.accept(top)
        self.show_status(f"Accepted {top.source} → {target} ({'; '.join(top.reasons)}).")
        return True

    def go_to(self, target: str) -> None:
        """Show ``Record.Field``: its record tab, its row selected, the transform panel."""
        record = target.split(".", 1)[0]
        names = [r.name for r in self.state.document.targets]
        if record not in names:
            return
        if self.record_combo.currentIndex() != names.index(record):
            self.record_combo.setCurrentIndex(names.index(record))
        row = self.target_model.row_of(target)
        if row < 0:
            return
        index = self.target_model.index(row, 0)
        self.target_view.setCurrentIndex(index)
        self.target_view.scrollTo(index)
        self.target_view.setFocus()
        self.connector.update()

    def save_version(self, comment: str | None = None) -> bool:
        """Validate, then hand the document to ``save`` on a worker thread."""
        text = (comment if isinstance(comment, str) else self.comment_edit.text()).strip()
        if not text:  # every version says why it exists: the history is read by people
            self.show_status("Not saved: say in a few words what changed, beside Save version.")
            self.comment_edit.setFocus()
            return False
        problems = errors_of(self.state.issues())
        if problems:
            self.show_status(
                f"Not saved: {len(problems)} problem{'s' if len(problems) > 1 else ''} to fix "
                "first (see Checks)."
            )
            if problems[0].target:
                self.go_to(problems[0].target)
            return False
        if self._save is None:
            self.show_status("Saving is not available here.")
            return False
        self.save_button.setEnabled(False)
        self.show_status("Saving…")
        worker = SaveWorker(self._save, self.state.document, text)
        worker.signals.done.connect(self._on_saved)
        worker.signals.failed.connect(self._on_save_failed)
        self._workers.append(worker)
        QThreadPool.globalInstance().start(worker)
        return True

    def _on_saved(self, result: SavedVersion) -> None:
        self._workers = [w for w in self._workers if w.signals is not self.sender()]
        self.state.undo_stack.setClean()
        self.comment_edit.clear()
        self.show_status(f"Saved as version {result.version}.")
        self.save_button.setEnabled(True)
        self._update_title()
        self.saved.emit(result)

    def _on_save_failed(self, message: str) -> None:
        self._workers = [w for w in self._workers if w.signals is not self.sender()]
        self.save_button.setEnabled(True)
        self.show_status(f"Not saved: {message}")
        self.save_failed.emit(message)
