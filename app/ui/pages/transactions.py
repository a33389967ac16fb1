"""Every PayTrace record, with filters and a detail view of its whole story."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.display_time import show_local
from app.domain.money import currency_sign
from app.queries.transaction_detail import TransactionDetail, load_transaction_detail
from app.queries.transactions import MATCH_STATUSES, TYPES, TransactionFilter
from app.ui.context import UiContext
from app.ui.export_actions import export_grid
from app.ui.models.transactions import TransactionsModel
from app.ui.ops import run_call
from app.ui.signals import TRANSACTIONS, subscribe
from app.ui.widgets.filters import AmountEdit, OptionalDateEdit, SearchBox
from app.ui.widgets.grid_view import GridView, TotalsBar


def _combo(any_words: str, values: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    combo.addItem(any_words, "")
    for value in values:
        combo.addItem(value.replace("_", " ").capitalize(), value)
    return combo


class TransactionDetailView(QTabWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QWidget()
        self.summary_form = QFormLayout(self.summary)
        self.history = QTreeWidget()
        self.history.setHeaderLabels(["When", "Change", "Fields"])  # local time
        self.history.setRootIsDecorated(False)
        self.history.setColumnWidth(0, 150)
        self.raw = QPlainTextEdit(readOnly=True)
        self.raw.setObjectName("rawRecord")
        self.postings = QTreeWidget()
        self.postings.setHeaderLabels(["Key", "Kind", "Status", "Sage Pro id / error"])
        self.postings.setRootIsDecorated(False)
        self.addTab(self.summary, "Summary")
        self.addTab(self.history, "Status history")
        self.addTab(self.raw, "Raw record")
        self.addTab(self.postings, "Postings")

    def show_detail(self, detail: TransactionDetail) -> None:
        while self.summary_form.rowCount():
            self.summary_form.removeRow(0)
        for label, value in [*detail.summary, ("Mapping version", detail.mapping_version)]:
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.summary_form.addRow(label, text)
        self.history.clear()
        for at, change, fields in detail.history:
            self.history.addTopLevelItem(QTreeWidgetItem([show_local(at), change, fields]))
        self.raw.setPlainText(detail.raw_json)
        self.postings.clear()
        for row in detail.postings:
            self.postings.addTopLevelItem(QTreeWidgetItem(list(row)))
        if not detail.postings:
            self.postings.addTopLevelItem(QTreeWidgetItem(["Nothing posted for this payment"]))


class TransactionsPage(QWidget):
    page_key = "transactions"
    title = "Transactions"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = TransactionsModel(ctx.store, self)
        self.model.base_currency = ctx.profile.base_currency  # PayTrace's money: the base
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.status = _combo("Any status", MATCH_STATUSES)
        self.kind = _combo("Any type", TYPES)
        self.date_from, self.date_to = OptionalDateEdit(), OptionalDateEdit()
        sign = currency_sign("", ctx.profile.base_currency).strip()  # PayTrace's money
        self.amount_min, self.amount_max = AmountEdit(f"Min {sign}"), AmountEdit(f"Max {sign}")
        self.text = SearchBox("Search name, invoice ref, e-mail, id…")
        self.text.setMinimumWidth(140)
        for label, widget in (
            ("", self.status),
            ("", self.kind),
            ("From", self.date_from),
            ("to", self.date_to),
            ("Amount", self.amount_min),
            ("–", self.amount_max),
            ("", self.text),
        ):
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(widget, 1 if widget is self.text else 0)
        export = QToolButton()
        export.setText("Export…")
        export.clicked.connect(lambda: export_grid(self, ctx, self.model, "transactions"))
        bar.addWidget(export)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        self.grid = GridView(self.model, sort_key="created", descending=True)
        self.detail = TransactionDetailView()
        split.addWidget(self.grid)
        split.addWidget(self.detail)
        split.setSizes([480, 260])
        layout.addWidget(split, 1)
        self.totals = TotalsBar(base_currency=self.ctx.profile.base_currency)
        layout.addWidget(self.totals)
        self.model.totals_changed.connect(self.totals.show_view)
        self.model.reset_done.connect(self._select_first)
        self.grid.selectionModel().currentRowChanged.connect(lambda c, _p: self._load(c.row()))
        for combo in (self.status, self.kind):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.apply_filter())
        for amount in (self.amount_min, self.amount_max):
            amount.settled.connect(self.apply_filter)
        self.text.search.connect(lambda _t: self.apply_filter())
        subscribe(
            self,
            ctx.signals.data_changed,
            lambda entity: self.model.refresh() if entity == TRANSACTIONS else None,
        )

    def apply_filter(self) -> None:
        self.model.set_filter(
            TransactionFilter(
                match_status=str(self.status.currentData()),
                transaction_type=str(self.kind.currentData()),
                date_from=self.date_from.value(),
                date_to=self.date_to.value(),
                amount_min=self.amount_min.value(),
                amount_max=self.amount_max.value(),
                text=self.text.text(),
            )
        )

    def _select_first(self) -> None:
        if self.model.rowCount() and not self.grid.currentIndex().isValid():
            self.grid.select_only(0)

    def _load(self, row: int) -> None:
        values = self.model.row_dict(row) if row >= 0 else None
        if values is None:
            return
        run_call(
            load_transaction_detail,
            self.ctx.store,
            int(values["_key"]),
            self.ctx.profile.base_currency,
            label="Loading transaction",
            on_done=lambda d: self.detail.show_detail(d) if d is not None else None,
            on_error=self.ctx.signals.status_message.emit,
            owner=self,
        )
