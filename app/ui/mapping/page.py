"""The Mapping page: the active mapping version in the drag-and-drop editor, previewed on the
newest PayTrace rows with the real customer links, saved as a new version.

Everything that touches the database runs off the GUI thread: loading through ``run_call``,
saving through the editor's own worker. Saving announces ``data_changed("mapping")``; the
next sync posts with the new version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.mapping import MappingContext, MappingDocument, VersionInfo
from app.mapping.version_actions import save_edited
from app.queries.mapping_inputs import MappingInputs, load_mapping_inputs
from app.store import Store
from app.ui.context import UiContext
from app.ui.mapping.editor import MappingEditor
from app.ui.mapping.versions_panel import VersionsPanel
from app.ui.ops import run_call
from app.ui.signals import announce_changed, subscribe

MAPPING = "mapping"  # the entity announced through data_changed when a version is saved


def version_saver(store: Store, user: str) -> Callable[[MappingDocument, str], VersionInfo]:
    """The editor's ``save(document, comment)``; runs on the editor's worker thread."""

    def save(document: MappingDocument, comment: str) -> VersionInfo:
        return save_edited(store, document, user, comment)

    return save


class MappingPage(QWidget):
    page_key = "mapping"
    title = "Mapping"
    loaded = Signal()  # a (new) editor is on the page

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editor: MappingEditor | None = None
        self.data: MappingInputs | None = None  # what the editor was opened with
        self._after_load = ""  # status to show on the next editor (e.g. "Saved as …")
        # Two tabs: the editor, and the versions (history, diff, restore, export, import).
        self.tabs = QTabWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.tabs)
        editor_tab = QWidget()
        self._layout = QVBoxLayout(editor_tab)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(editor_tab, "Editor")
        self.versions = VersionsPanel(ctx)
        self.versions.version_added.connect(self._version_added)
        self.tabs.addTab(self.versions, "Versions")
        self.message = QLabel("Loading the active mapping…")
        self.message.setObjectName("hint")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.retry_button = QPushButton("Try again")
        self.retry_button.clicked.connect(self.reload)
        self.retry_button.hide()
        self._layout.addStretch(1)
        self._layout.addWidget(self.message)
        self._layout.addWidget(self.retry_button, alignment=Qt.AlignmentFlag.AlignCenter)
        self._layout.addStretch(2)
        subscribe(self, ctx.signals.sync_finished, lambda _ok, _words: self._after_sync())
        self.reload()

    def reload(self) -> None:
        self.retry_button.hide()
        run_call(
            load_mapping_inputs,
            self.ctx.store,
            label="Loading the mapping",
            on_done=self._show,
            on_error=self._failed,
            owner=self,
        )

    def _failed(self, words: str) -> None:
        if self.editor is None:
            self.message.setText(f"The mapping could not be loaded. {words}")
            self.retry_button.show()
        else:
            self.editor.show_status(f"Could not reload the mapping: {words}")
        self.ctx.signals.status_message.emit(words)

    def _show(self, inputs: MappingInputs) -> None:
        record = self.editor.record_combo.currentIndex() if self.editor is not None else -1
        editor = MappingEditor(
            inputs.document,
            inputs.sample_rows,
            MappingContext(customer_links=inputs.customer_links),
            save=version_saver(self.ctx.store, self.ctx.user),
            memory=inputs.memory,
            parent=self,
        )
        editor.saved.connect(self._saved)
        # In the window the page is about 1060 px wide at 1280: the header's labels wrap
        # rather than force the whole window wider.
        for label in (editor.title_label, editor.status_label):
            label.setWordWrap(True)
        if 0 <= record < editor.record_combo.count():
            editor.record_combo.setCurrentIndex(record)
        if self._after_load:
            editor.show_status(self._after_load)
            self._after_load = ""
        if self.editor is None:
            # First editor: the loading message and its stretches make way.
            while self._layout.count():
                item = self._layout.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
            self._layout.addWidget(editor)
        else:
            self._layout.replaceWidget(self.editor, editor)
            self.editor.deleteLater()
        self.editor, self.data = editor, inputs
        self.loaded.emit()

    def _saved(self, info: VersionInfo) -> None:
        version = info.version
        words = f"Mapping saved as version {version}; the next sync posts with it."
        self.ctx.signals.status_message.emit(words)
        announce_changed(MAPPING)
        # Reopen the saved version: its number in the title, and suggestions learn from it.
        self._after_load = f"Saved as version {version}."
        self.reload()

    def _version_added(self, info: VersionInfo) -> None:
        """Restored or imported in the Versions tab: the editor opens the new active one."""
        self._after_load = f"Version {info.version} is now active."
        self.reload()

    def _after_sync(self) -> None:
        """A first sync brings the sample rows the preview was waiting for."""
        if self.editor is None or self.data is None or self.data.sample_rows:
            return
        if self.editor.state.undo_stack.isClean():
            self.reload()

    def sample_values(self, target: str) -> list[Any]:
        """What the preview shows for ``Record.Field`` on each sample row (tests, support)."""
        if self.editor is None:
            return []
        return [row.value(target) for row in self.editor.state.preview()]
