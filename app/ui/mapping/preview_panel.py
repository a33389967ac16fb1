"""Bottom of the editor: the live preview table and the validation messages."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from app.mapping import MappingError
from app.mapping.transforms.registry import as_text
from app.ui.mapping import palette
from app.ui.mapping.state import EditorState

Index = QModelIndex | QPersistentModelIndex
FIXED_COLUMNS = ("Transaction", "Type", "Result")


class PreviewTableModel(QAbstractTableModel):
    """Sample rows × the fields of one record, or the row's error."""

    def __init__(self, state: EditorState, record: str) -> None:
        super().__init__(state)
        self._state = state
        self._record = record
        state.document_changed.connect(self._refresh)

    def set_record(self, record: str) -> None:
        self.beginResetModel()
        self._record = record
        self.endResetModel()

    def _refresh(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _fields(self) -> list[str]:
        record = self._state.document.record(self._record)
        return [f.name for f in record.fields if not f.caller_supplied] if record else []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._state.preview())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIXED_COLUMNS) + len(self._fields())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        names = [*FIXED_COLUMNS, *self._fields()]
        return names[section] if section < len(names) else None

    def _result_text(self, row: int) -> tuple[str, str]:
        preview = self._state.preview()[row]
        count = len(self._state.check().row_problems(row))
        if count:
            return f"{count} problem{'s' if count > 1 else ''}", "error"
        if isinstance(preview.result, MappingError) or self._record not in preview.result.payloads:
            return f"no {self._record}", "muted"
        return "OK", "ok"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        preview = self._state.preview()[index.row()]
        column = index.column()
        field = (
            f"{self._record}.{self._fields()[column - len(FIXED_COLUMNS)]}"
            if column >= len(FIXED_COLUMNS)
            else None
        )
        problems = self._state.check().row_problems(index.row())
        problem = problems.get(field) if field else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return as_text(preview.source.get("transaction_id"))
            if column == 1:
                return as_text(preview.source.get("transaction_type"))
            if column == 2:
                return self._result_text(index.row())[0]
            if problem:
                return "⚠ " + problem
            return as_text(preview.value(field)) if field else None
        if role == Qt.ItemDataRole.ForegroundRole:
            kind = self._result_text(index.row())[1] if column == 2 else None
            if problem or kind == "error":
                return QBrush(palette.ERROR)
            if kind == "ok":
                return QBrush(palette.OK)
            if kind == "muted":
                return QBrush(palette.MUTED)
            return None
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return QBrush(palette.ERROR_SOFT)
        if role == Qt.ItemDataRole.ToolTipRole:
            if problem:
                return problem
            if column == 2 and problems:
                return "\n".join(f"{target}: {words}" for target, words in problems.items())
        return None


class IssuesList(QListWidget):
    """Validation messages; clicking one with a field emits ``issue_activated``."""

    issue_activated = Signal(str)

    def __init__(self, state: EditorState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.setWordWrap(True)
        self.setAccessibleName("Validation messages")
        self.setSpacing(2)
        self.itemClicked.connect(self._activate)
        self.itemActivated.connect(self._activate)
        state.document_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        issues = self._state.issues()
        if not issues:
            item = QListWidgetItem("✓  No problems: this mapping is ready to save.")
            item.setForeground(QBrush(palette.OK))
            self.addItem(item)
            return
        for issue in sorted(issues, key=lambda i: i.severity != "error"):
            marker = "✖" if issue.severity == "error" else "▲"
            item = QListWidgetItem(f"{marker}  {issue.message}")
            item.setForeground(
                QBrush(palette.ERROR if issue.severity == "error" else palette.WARNING)
            )
            item.setData(Qt.ItemDataRole.UserRole, issue.target or "")
            item.setToolTip("Click to go to the field" if issue.target else issue.message)
            self.addItem(item)

    def _activate(self, item: QListWidgetItem) -> None:
        target = item.data(Qt.ItemDataRole.UserRole)
        if target:
            self.issue_activated.emit(str(target))
