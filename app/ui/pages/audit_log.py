"""The audit log: every change, who made it and when; searchable, by entity, exportable."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.queries.audit import AuditFilter
from app.ui.context import UiContext
from app.ui.export_actions import export_grid
from app.ui.models.audit import AuditModel
from app.ui.signals import AUDIT, subscribe
from app.ui.widgets.filters import SearchBox
from app.ui.widgets.grid_view import GridView, TotalsBar

ENTITIES = ("proposal", "transaction", "outbox", "exception", "settings", "mapping", "batch")


class AuditLogPage(QWidget):
    page_key = "audit"
    title = "Audit log"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = AuditModel(ctx.store, self)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.entity = QComboBox()
        self.entity.addItem("Every entity", "")
        for name in ENTITIES:
            self.entity.addItem(name.capitalize(), name)
        self.entity_id = SearchBox("Entity id")
        self.entity_id.setMaximumWidth(140)
        self.text = SearchBox("Search action, person, id or change…")
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.entity)
        bar.addWidget(self.entity_id)
        bar.addWidget(self.text, 1)
        export = QToolButton()
        export.setText("Export…")
        export.clicked.connect(lambda: export_grid(self, ctx, self.model, "audit-log"))
        bar.addWidget(export)
        layout.addLayout(bar)
        self.grid = GridView(self.model, sort_key="at", descending=True)
        layout.addWidget(self.grid, 1)
        self.totals = TotalsBar()
        layout.addWidget(self.totals)
        self.model.totals_changed.connect(self.totals.show_view)
        self.entity.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.entity_id.search.connect(lambda _t: self.apply_filter())
        self.text.search.connect(lambda _t: self.apply_filter())
        subscribe(
            self, ctx.signals.data_changed, lambda e: self.model.refresh() if e == AUDIT else None
        )

    def apply_filter(self) -> None:
        self.model.set_filter(
            AuditFilter(
                entity_type=str(self.entity.currentData()),
                entity_id=self.entity_id.text(),
                text=self.text.text(),
            )
        )
