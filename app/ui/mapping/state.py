"""The editor's document, undo stack and derived views (preview, issues, suggestions).

Every change is a ``DocumentCommand`` on the ``QUndoStack`` holding the document before and
after: documents are immutable values, so undo is putting the old one back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QPushButton, QWidget

from app.mapping import (
    MappingContext,
    MappingDocument,
    PreviewRow,
    Suggestion,
    SuggestionMemory,
    TransformStep,
    ValidationIssue,
    accept_suggestion,
    suggest,
)
from app.mapping.checks import MappingCheck, check_mapping
from app.mapping.locked import drop_refusal, locked_targets


class DocumentCommand(QUndoCommand):
    def __init__(
        self,
        state: EditorState,
        before: MappingDocument,
        after: MappingDocument,
        text: str,
        focus: str | None,
    ) -> None:
        super().__init__(text)
        self._state = state
        self._before = before
        self._after = after
        self._focus = focus

    def redo(self) -> None:
        self._state._set_document(self._after, self._focus)

    def undo(self) -> None:
        self._state._set_document(self._before, self._focus)


class EditorState(QObject):
    """One document being edited, with its sample rows and the caller's context."""

    document_changed = Signal()
    focus_requested = Signal(str)  # "Record.Field" the last change was about

    def __init__(
        self,
        document: MappingDocument,
        sample_rows: Sequence[Mapping[str, Any]] = (),
        context: MappingContext | None = None,
        memory: SuggestionMemory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._document = document
        self.sample_rows = list(sample_rows)
        self.context = context or MappingContext()
        self.memory = memory or SuggestionMemory()
        self.undo_stack = QUndoStack(self)
        self._check: MappingCheck | None = None
        self._suggestions: dict[str, list[Suggestion]] | None = None

    @property
    def document(self) -> MappingDocument:
        return self._document

    def _set_document(self, document: MappingDocument, focus: str | None) -> None:
        self._document = document
        self._check = self._suggestions = None
        self.document_changed.emit()
        if focus:
            self.focus_requested.emit(focus)

    def change(self, document: MappingDocument, text: str, focus: str | None = None) -> bool:
        """Make ``document`` current as one undoable step; False when nothing changed."""
        if document == self._document:
            return False
        self.undo_stack.push(DocumentCommand(self, self._document, document, text, focus))
        return True

    def reset(self, document: MappingDocument) -> None:
        """Load another document (e.g. a restored version): history starts again."""
        self.undo_stack.clear()
        self._set_document(document, None)
        self.undo_stack.setClean()

    # -- edits -------------------------------------------------------------------------------
    def can_map(self, target: str) -> bool:
        field = self._document.target_field(target)
        return field is not None and not field.caller_supplied

    def locked_reason(self, target: str) -> str | None:
        """Why ``target`` is locked (shown as its tooltip), or None."""
        return locked_targets().get(target)

    def drop_refusal(self, target: str, source: str) -> str | None:
        """Why mapping ``source`` onto the locked ``target`` is refused, or None."""
        return drop_refusal(self._document, target, source)

    def map_refusal(self, target: str, source: str) -> str | None:
        """Why ``source`` cannot be mapped onto ``target`` (filled by the matcher, or
        locked), in words, or None."""
        if not self.can_map(target):
            return f"{target} is filled by the matcher, not mapped."
        return self.drop_refusal(target, source)

    def map_field(self, target: str, source: str) -> bool:
        if not self.can_map(target) or self._document.source_field(source) is None:
            return False
        if self.drop_refusal(target, source) is not None:
            return False
        self.memory.record(target, source)
        return self.change(
            self._document.with_source(target, source), f"Map {source} → {target}", target
        )

    def unmap(self, target: str) -> bool:
        return self.change(self._document.without_mapping(target), f"Unmap {target}", target)

    def set_transforms(self, target: str, steps: tuple[TransformStep, ...]) -> bool:
        return self.change(
            self._document.with_transforms(target, steps), f"Edit transforms of {target}", target
        )

    def accept(self, suggestion: Suggestion) -> bool:
        document = accept_suggestion(self._document, suggestion, self.memory)
        return self.change(
            document, f"Accept {suggestion.source} → {suggestion.target}", suggestion.target
        )

    def set_record_enabled(self, record: str, enabled: bool) -> bool:
        targets = tuple(
            replace(r, enabled=enabled) if r.name == record else r for r in self._document.targets
        )
        verb = "Turn on" if enabled else "Turn off"
        return self.change(replace(self._document, targets=targets), f"{verb} {record}")

    # -- derived views (computed once per document) ---------------------------------------
    def check(self) -> MappingCheck:
        """The one source of the preview and the Checks list, so they never disagree."""
        if self._check is None:
            self._check = check_mapping(self._document, self.sample_rows, self.context)
        return self._check

    def preview(self) -> list[PreviewRow]:
        return list(self.check().preview)

    def issues(self) -> list[ValidationIssue]:
        return list(self.check().issues)

    def suggestions(self) -> dict[str, list[Suggestion]]:
        if self._suggestions is None:
            self._suggestions = suggest(self._document, self.sample_rows, self.memory)
        return self._suggestions

    def top_suggestion(self, target: str) -> Suggestion | None:
        ranked = self.suggestions().get(target)
        return ranked[0] if ranked else None


def undo_controls(stack: QUndoStack, owner: QWidget) -> tuple[QPushButton, QPushButton]:
    """Undo and Redo buttons that follow ``stack``, and their shortcuts (Ctrl+Z; Ctrl+Y or
    the platform's redo) while focus is anywhere in ``owner``."""
    undo_button, redo_button = QPushButton("Undo"), QPushButton("Redo")
    undo_button.clicked.connect(stack.undo)
    redo_button.clicked.connect(stack.redo)
    stack.canUndoChanged.connect(undo_button.setEnabled)
    stack.canRedoChanged.connect(redo_button.setEnabled)
    undo_button.setEnabled(False)
    redo_button.setEnabled(False)
    undo_action = stack.createUndoAction(owner)
    undo_action.setShortcut(QKeySequence.StandardKey.Undo)
    redo_action = stack.createRedoAction(owner)
    redo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Y")])
    for action in (undo_action, redo_action):
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        owner.addAction(action)
    return undo_button, redo_button
