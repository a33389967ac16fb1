"""A mapping diff as a bookkeeper reads it: one heading per Sage Pro record (or status map,
GL rules, …), each change below it in plain words, coloured by kind."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from app.mapping import Change
from app.mapping.history import grouped

KIND_COLOURS = {"added": "#2e7d32", "removed": "#c62828", "changed": "#1565c0"}


class DiffView(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mappingDiff")
        self.setColumnCount(2)
        self.setHeaderLabels(["Change", "What"])
        self.setRootIsDecorated(False)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.changes: list[Change] = []

    def show_message(self, words: str) -> None:
        self.clear()
        self.changes = []
        item = QTreeWidgetItem(["", words])
        self.addTopLevelItem(item)

    def show_changes(self, changes: list[Change], same_words: str) -> None:
        """The changes under their headings; ``same_words`` when there are none."""
        if not changes:
            self.show_message(same_words)
            return
        self.clear()
        self.changes = list(changes)
        bold = QFont(self.font())
        bold.setBold(True)
        for heading, items in grouped(changes):
            count = f"{len(items)} change" + ("" if len(items) == 1 else "s")
            group = QTreeWidgetItem([heading, count])
            group.setFont(0, bold)
            group.setFirstColumnSpanned(False)
            self.addTopLevelItem(group)
            for change in items:
                child = QTreeWidgetItem([change.kind, change.description])
                child.setForeground(0, QBrush(QColor(KIND_COLOURS.get(change.kind, "#333333"))))
                child.setToolTip(1, change.description)
                group.addChild(child)
            group.setExpanded(True)

    def headings(self) -> list[str]:
        items = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item.text(0) for item in items if item is not None]
