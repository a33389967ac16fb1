"""Settlement batches: gross, refunds, net and count; drill into a batch's transactions;
batches whose transactions do not add up to PayTrace's totals are flagged."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.queries.settlement_checks import batches_not_adding_up
from app.queries.settlements import adds_up
from app.queries.transactions import TransactionFilter
from app.ui.context import UiContext
from app.ui.models.settlements import SettlementsModel
from app.ui.models.transactions import TransactionsModel
from app.ui.ops import run_call
from app.ui.signals import BATCHES, TRANSACTIONS
from app.ui.widgets.grid_view import GridView, TotalsBar


class SettlementsPage(QWidget):
    page_key = "settlements"
    title = "Settlements"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = SettlementsModel(ctx.store, self)
        self.members = TransactionsModel(ctx.store, self)
        for model in (self.model, self.members):  # PayTrace's money: the base currency
            model.base_currency = ctx.profile.base_currency
        self.members.filter = TransactionFilter(batch_number=-1)
        layout = QVBoxLayout(self)
        self.banner = QLabel("")
        self.banner.setObjectName("warningBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        split = QSplitter(Qt.Orientation.Vertical)
        self.grid = GridView(self.model, sort_key="number", descending=True)
        split.addWidget(self.grid)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.members_title = QLabel("Select a batch to see its transactions.")
        self.members_title.setObjectName("sectionHeading")
        lower_layout.addWidget(self.members_title)
        self.member_grid = GridView(self.members, sort_key="created")
        lower_layout.addWidget(self.member_grid, 1)
        split.addWidget(lower)
        split.setSizes([380, 320])
        layout.addWidget(split, 1)
        self.totals = TotalsBar(base_currency=self.ctx.profile.base_currency)
        layout.addWidget(self.totals)
        self.model.totals_changed.connect(self.totals.show_view)
        self.model.reset_done.connect(self._select_first)
        self.grid.selectionModel().currentRowChanged.connect(lambda c, _p: self._drill(c.row()))
        ctx.signals.data_changed.connect(self._changed)
        self.check()

    def _changed(self, entity: str) -> None:
        if entity in (BATCHES, TRANSACTIONS):
            self.model.refresh()
            self.check()

    def check(self) -> None:
        run_call(
            batches_not_adding_up,
            self.ctx.store,
            label="Checking batches",
            on_done=self._show_mismatches,
            on_error=self.ctx.signals.status_message.emit,
            owner=self,
        )

    def _show_mismatches(self, numbers: list[int]) -> None:
        self.mismatched = numbers
        if not numbers:
            self.banner.hide()
            return
        listed = ", ".join(str(n) for n in numbers[:8]) + ("…" if len(numbers) > 8 else "")
        self.banner.setText(
            f"⚠ {len(numbers)} batch(es) do not add up to PayTrace's totals: {listed}. "
            "A transaction may be missing or changed; sync again, then check the batch."
        )
        self.banner.show()

    def _select_first(self) -> None:
        if self.model.rowCount() and not self.grid.currentIndex().isValid():
            self.grid.select_only(0)

    def _drill(self, row: int) -> None:
        values = self.model.row_dict(row) if row >= 0 else None
        if values is None:
            return
        number = int(values["_key"])
        verdict = "adds up" if adds_up(values) else "does NOT add up"
        self.members_title.setText(f"Batch {number} — {values['count']} transactions, {verdict}")
        self.members.set_filter(TransactionFilter(batch_number=number))
