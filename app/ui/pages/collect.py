"""Collect: open Sage Pro invoices of customers with a card stored in PayTrace;
select some and charge the stored card. The page only records the charges (one intent per
invoice, ``app.sync.outbound.collect``); PayTrace is charged on the next sync, and the payment then
comes back through the export and is matched to its invoice like any other."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.display_time import show_date
from app.domain.exchange import is_foreign
from app.domain.money import display_money, display_totals
from app.domain.words import counted
from app.sync.outbound.collect import (
    CollectableInvoice,
    CollectResult,
    collect_invoices,
    foreign_currency_words,
)
from app.sync.outbound.collect import collectable_invoices as load_collectable
from app.ui.context import UiContext
from app.ui.models.list_table import ListColumn, ListTableModel
from app.ui.ops import run_call
from app.ui.signals import AUDIT, EXCEPTIONS, OUTBOX, announce_changed, subscribe
from app.ui.widgets.grid_view import header_room
from app.ui.widgets.notices import notify

COLUMNS = (
    ListColumn("Invoice", lambda r: r.invoice_id, width=95),
    ListColumn("Customer", lambda r: r.customer_name, width=220),
    ListColumn("Customer id", lambda r: r.customer_id, width=105),
    ListColumn("Stored card", lambda r: f"··{r.card_last4}" if r.card_last4 else "yes", width=95),
    ListColumn("Due", lambda r: due_text(r.due_date), width=95),
    ListColumn("Balance", lambda r: r.balance, "money", width=110, currency=lambda r: r.currency),
    ListColumn(
        "Charge",
        lambda r: "Queued" if r.queued_key else "",
        width=90,
        tooltip=lambda r: (
            f"Card charge {r.queued_key} is waiting for the next sync" if r.queued_key else ""
        ),
    ),
)


def due_text(iso: str) -> str:
    """The due date in the one local date style ("" when the invoice has none)."""
    return show_date(date.fromisoformat(iso)) if iso else ""


def refusal_words(refused: dict[str, str]) -> str:
    return "\n".join(f"• {why}" for why in refused.values())


class CollectPage(QWidget):
    page_key = "collect"
    title = "Collect"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.invoices = ListTableModel(COLUMNS, self)
        self.invoices.base_currency = ctx.profile.base_currency
        self.data: list[CollectableInvoice] | None = None  # None until the first load
        self.last_result: CollectResult | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Open invoices of customers who have a card stored in PayTrace. Select invoices "
            "and charge the stored card for their open balance. The charge is sent to PayTrace "
            "on the next sync, then matched and posted to Sage Pro like any payment."
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        bar = QHBoxLayout()
        self.charge_button = QPushButton("Charge stored card…")
        self.charge_button.setObjectName("primaryButton")
        self.charge_button.setEnabled(False)
        self.charge_button.clicked.connect(self.charge_selected)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.reload)
        bar.addWidget(self.charge_button)
        bar.addWidget(refresh)
        bar.addStretch(1)
        self.selection_label = QLabel("")
        bar.addWidget(self.selection_label)
        layout.addLayout(bar)
        self.grid = QTableView()
        self.grid.setModel(self.invoices)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setShowGrid(False)
        self.grid.setWordWrap(False)
        self.grid.verticalHeader().setVisible(False)
        self.grid.verticalHeader().setDefaultSectionSize(26)
        header = self.grid.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for i, column in enumerate(COLUMNS):
            self.grid.setColumnWidth(i, max(column.width, header_room(header, column.header)))
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the customer's name
        self.grid.selectionModel().selectionChanged.connect(self._selection_changed)
        layout.addWidget(self.grid, 1)
        self.empty = QLabel("")
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        subscribe(self, ctx.signals.data_changed, self._changed)
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def _changed(self, entity: str) -> None:
        if entity == OUTBOX:
            self.reload()

    def reload(self) -> None:
        run_call(
            load_collectable,
            self.ctx.store,
            label="Loading invoices to collect",
            on_done=self._show,
            on_error=self._error,
            owner=self,
        )

    def _show(self, rows: list[CollectableInvoice]) -> None:
        self.data = rows
        self.invoices.set_rows(rows)
        if rows:
            self.empty.setText("")
        else:
            self.empty.setText(
                "No open invoice belongs to a customer with a stored card. A customer needs a "
                "PayTrace customer profile linked in Sage Pro (and fetched by a sync)."
            )
        self._selection_changed(QItemSelection(), QItemSelection())

    # -- selection and charging ------------------------------------------------------------

    def selected(self) -> list[CollectableInvoice]:
        rows = sorted({i.row() for i in self.grid.selectionModel().selectedRows()})
        return [r for r in (self.invoices.row(n) for n in rows) if r is not None]

    def select_invoices(self, invoice_ids: list[str]) -> None:
        """Select exactly these invoices (tests and keyboard users alike)."""
        self.grid.clearSelection()
        model = self.grid.selectionModel()
        for n, row in enumerate(self.invoices.rows):
            if row.invoice_id in invoice_ids:
                model.select(
                    self.invoices.index(n, 0),
                    model.SelectionFlag.Select | model.SelectionFlag.Rows,
                )

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        chosen = self.selected()
        profile = self.ctx.profile
        foreign = [r for r in chosen if is_foreign(r.currency, profile.base_currency)]
        self.charge_button.setEnabled(bool(chosen) and not foreign)
        noun = "invoice" if len(chosen) == 1 else "invoices"
        self.selection_label.setText(f"Selected: {len(chosen)} {noun} · {self.total(chosen)}")
        # Disabled, and why: a card is charged in the base currency only.
        why = ""
        if foreign:
            why = foreign_currency_words(foreign[0].invoice_id, foreign[0].currency, profile)
            self.ctx.signals.status_message.emit(why)
        self.charge_button.setToolTip(why)

    def total(self, chosen: list[CollectableInvoice]) -> str:
        """The invoices' balances, one sum per currency."""
        base = self.ctx.profile.base_currency
        return display_totals(((r.balance, r.currency) for r in chosen), base=base)

    def confirmation_text(self, chosen: list[CollectableInvoice]) -> str:
        customers = len({r.customer_id for r in chosen})
        noun = "invoice" if len(chosen) == 1 else "invoices"
        whom = "1 customer" if customers == 1 else f"{customers} customers"
        return (
            f"Charge {self.total(chosen)} to the stored cards of {whom} "
            f"for {len(chosen)} {noun}?\n\n"
            "Each invoice is charged its open balance. Nothing is charged yet: the charges "
            "are sent to PayTrace on the next sync (press Sync now to send them at once)."
        )

    def confirm(self, text: str) -> bool:
        """Ask before charging (a separate method so a test can answer it)."""
        answer = QMessageBox.question(self, "Charge stored cards", text)
        return answer == QMessageBox.StandardButton.Yes

    def charge_selected(self) -> None:
        chosen = self.selected()
        if not chosen or not self.confirm(self.confirmation_text(chosen)):
            return
        ids = [r.invoice_id for r in chosen]
        store, user, profile = self.ctx.store, self.ctx.user, self.ctx.profile
        self.charge_button.setEnabled(False)
        run_call(
            collect_invoices,
            store,
            ids,
            user=user,
            profile=profile,
            label="Queuing card charges",
            on_done=self._charged,
            on_error=self._error,
            owner=self,
        )

    def _charged(self, result: CollectResult) -> None:
        announce_changed(OUTBOX, AUDIT, EXCEPTIONS)
        queued = len(result.queued)
        total = sum((i.amount for i in result.queued), Decimal(0))
        base = self.ctx.profile.base_currency  # a card charge is in PayTrace's own currency
        if queued:
            self.ctx.signals.status_message.emit(
                f"{counted(queued, 'card charge')} for {display_money(total, base=base)} queued; "
                "they are sent to PayTrace on the next sync."
            )
        if result.refused:
            head = f"{counted(queued, 'charge')} queued. " if queued else ""
            notify(
                self,
                "Some invoices were not charged",
                f"{head}These were not charged:\n{refusal_words(result.refused)}",
                warning=not queued,
            )
        self.last_result = result

    def _error(self, words: str) -> None:
        self.ctx.signals.status_message.emit(words)
        notify(self, "Paysage", words, warning=True)
