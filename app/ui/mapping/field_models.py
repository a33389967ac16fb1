"""Item models of the two field lists: PayTrace source fields (drag) and the Sage Pro fields
of one target record (drop). A drop maps through ``EditorState``, so it is undoable."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.mapping.source_row import sample_values
from app.mapping.transforms.registry import as_text
from app.ui.mapping.state import EditorState

SOURCE_MIME = "application/x-paysage-source-field"

TITLE_ROLE = Qt.ItemDataRole.UserRole + 1
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2
BADGE_ROLE = Qt.ItemDataRole.UserRole + 3
BADGE_KIND_ROLE = Qt.ItemDataRole.UserRole + 4  # mapped / suggestion / error / caller / ""
KEY_ROLE = Qt.ItemDataRole.UserRole + 5  # source path or "Record.Field"
REQUIRED_ROLE = Qt.ItemDataRole.UserRole + 6
LOCKED_ROLE = Qt.ItemDataRole.UserRole + 7  # True for a field the mapping may never change

Index = QModelIndex | QPersistentModelIndex


def source_mime(path: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(SOURCE_MIME, QByteArray(path.encode("utf-8")))
    mime.setText(path)
    return mime


def source_from_mime(mime: QMimeData) -> str | None:
    if not mime.hasFormat(SOURCE_MIME):
        return None
    return bytes(mime.data(SOURCE_MIME).data()).decode("utf-8") or None


class SourceFieldsModel(QAbstractListModel):
    """PayTrace fields with a sample value each; rows drag out as ``SOURCE_MIME``."""

    def __init__(self, state: EditorState) -> None:
        super().__init__(state)
        self._state = state
        self._samples: dict[str, str] = {}
        state.document_changed.connect(self._refresh)
        self._refresh()

    def _refresh(self) -> None:
        paths = [f.path for f in self._state.document.source_fields]
        if paths == list(self._samples):
            # Same fields: repaint in place so the user's selection survives the edit.
            self.dataChanged.emit(self.index(0, 0), self.index(max(len(paths) - 1, 0), 0))
            return
        self.beginResetModel()
        rows = self._state.sample_rows
        self._samples = {}
        for path in paths:
            values = sample_values(rows, path, limit=1)
            self._samples[path] = as_text(values[0]) if values else ""
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._state.document.source_fields)

    def path_at(self, row: int) -> str:
        return self._state.document.source_fields[row].path

    def row_of(self, path: str) -> int:
        for row, field in enumerate(self._state.document.source_fields):
            if field.path == path:
                return row
        return -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        field = self._state.document.source_fields[index.row()]
        sample = self._samples.get(field.path, "")
        if role in (Qt.ItemDataRole.DisplayRole, TITLE_ROLE):
            return field.label
        if role == SUBTITLE_ROLE:
            shown = sample if len(sample) <= 28 else sample[:27] + "…"
            return f"{field.path}  ·  {shown}" if shown else f"{field.path}  ·  (empty)"
        if role == KEY_ROLE:
            return field.path
        if role == BADGE_ROLE:
            return "derived" if field.derived else ""
        if role == BADGE_KIND_ROLE:
            return "caller" if field.derived else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{field.path} ({field.type})\n{field.description}\nSample: {sample or '(empty)'}"
            ).strip()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{field.label}, sample {sample or 'empty'}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [SOURCE_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        valid = [i for i in indexes if i.isValid()]
        return source_mime(self.path_at(valid[0].row())) if valid else QMimeData()

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class TargetFieldsModel(QAbstractListModel):
    """The fields of one Sage Pro record; dropping a source field on one maps it. A drop
    that would map a locked field away is refused and says why in ``drop_refused``."""

    drop_refused = Signal(str)

    def __init__(self, state: EditorState, record: str) -> None:
        super().__init__(state)
        self._state = state
        self._record = record
        state.document_changed.connect(self._refresh)

    @property
    def record(self) -> str:
        return self._record

    def set_record(self, record: str) -> None:
        self.beginResetModel()
        self._record = record
        self.endResetModel()

    def _refresh(self) -> None:
        # Field lists never change while editing; repaint in place to keep the selection.
        self.dataChanged.emit(self.index(0, 0), self.index(max(self.rowCount() - 1, 0), 0))

    def _fields(self) -> tuple[Any, ...]:
        record = self._state.document.record(self._record)
        return record.fields if record else ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._fields())

    def key_at(self, row: int) -> str:
        return f"{self._record}.{self._fields()[row].name}"

    def row_of(self, key: str) -> int:
        for row, field in enumerate(self._fields()):
            if f"{self._record}.{field.name}" == key:
                return row
        return -1

    def _badge(self, key: str) -> tuple[str, str]:
        field = self._state.document.target_field(key)
        mapping = self._state.document.mapping_for(key)
        if field is not None and field.caller_supplied:
            return "from matcher", "caller"
        if any(i.target == key and i.severity == "error" for i in self._state.issues()):
            return "needs attention", "error"
        if mapping is not None:
            steps = len(mapping.transforms)
            origin = mapping.source or "computed"
            return (f"{origin} +{steps}" if steps else origin), "mapped"
        top = self._state.top_suggestion(key)
        if top is not None:
            return f"★ {top.source}  {round(top.score * 100)}%", "suggestion"
        return "", ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        field = self._fields()[index.row()]
        key = f"{self._record}.{field.name}"
        if role in (Qt.ItemDataRole.DisplayRole, TITLE_ROLE):
            return field.name
        if role == SUBTITLE_ROLE:
            parts = [field.type]
            if field.required:
                parts.append("required")
            if field.values:
                parts.append(" / ".join(field.values))
            return "  ·  ".join(parts)
        if role == KEY_ROLE:
            return key
        if role == REQUIRED_ROLE:
            return field.required and not field.caller_supplied
        if role == LOCKED_ROLE:
            return self._state.locked_reason(key) is not None
        if role in (BADGE_ROLE, BADGE_KIND_ROLE):
            text, kind = self._badge(key)
            return text if role == BADGE_ROLE else kind
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(key, field.description)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            locked = ", locked" if self._state.locked_reason(key) else ""
            return f"{field.name}{locked}, {self._badge(key)[0] or 'unmapped'}"
        return None

    def _tooltip(self, key: str, description: str) -> str:
        lines = [key, description] if description else [key]
        reason = self._state.locked_reason(key)
        if reason:
            lines.insert(1, f"🔒 Locked: {reason}")
        problems = [i.message for i in self._state.issues() if i.target == key]
        lines.extend(problems)
        top = self._state.top_suggestion(key)
        if top is not None and self._state.document.mapping_for(key) is None:
            lines.append(f"Suggested: {top.source} — " + "; ".join(top.reasons))
        return "\n".join(lines)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self._state.can_map(self.key_at(index.row())):
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base

    def mimeTypes(self) -> list[str]:
        return [SOURCE_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def _drop_row(self, row: int, parent: Index) -> int:
        # Only a drop *on* a field maps it; a drop between rows names no field.
        return parent.row() if parent.isValid() else -1

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        target_row = self._drop_row(row, parent)
        source = source_from_mime(data)
        if source is None or not 0 <= target_row < self.rowCount():
            return False
        target = self.key_at(target_row)
        if not self._state.can_map(target):
            return False
        refusal = self._state.drop_refusal(target, source)
        if refusal is not None:
            # Said while the drag hovers the field and again if it is dropped there.
            self.drop_refused.emit(refusal)
            return False
        return True

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        source = source_from_mime(data)
        assert source is not None  # checked by canDropMimeData
        return self._state.map_field(self.key_at(self._drop_row(row, parent)), source)
