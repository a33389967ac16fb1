"""The editor's bottom: the mapping applied to the sample rows (preview table) beside the
Checks list, whose messages lead to their field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QTableView, QWidget

from app.ui.mapping.panel_frame import titled_panel
from app.ui.mapping.preview_panel import IssuesList, PreviewTableModel
from app.ui.mapping.state import EditorState


class PreviewAndChecks(QSplitter):
    """Preview (left) and Checks (right); ``issues_list.issue_activated`` names a field."""

    def __init__(
        self, state: EditorState, preview_model: PreviewTableModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        self.preview_model = preview_model
        preview_panel, preview_layout = titled_panel(
            "Preview", f"The mapping applied to {len(state.sample_rows)} sample rows"
        )
        self.preview_view = QTableView()
        self.preview_view.setModel(preview_model)
        self.preview_view.setAlternatingRowColors(False)
        self.preview_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview_view.verticalHeader().setVisible(False)
        self.preview_view.verticalHeader().setDefaultSectionSize(26)
        self.preview_view.horizontalHeader().setStretchLastSection(True)
        self.preview_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.preview_view.setShowGrid(False)
        self.preview_view.setWordWrap(False)
        preview_layout.addWidget(self.preview_view, 1)
        issues_panel, issues_layout = titled_panel("Checks", "Click a message to go to the field")
        self.issues_list = IssuesList(state)
        issues_layout.addWidget(self.issues_list, 1)
        self.addWidget(preview_panel)
        self.addWidget(issues_panel)
        self.setSizes([820, 420])

    def fit_columns(self) -> None:
        """Size the preview's columns to their contents, within 70–190 pixels."""
        self.preview_view.resizeColumnsToContents()
        header = self.preview_view.horizontalHeader()
        for column in range(self.preview_model.columnCount()):
            header.resizeSection(column, min(max(header.sectionSize(column), 70), 190))
