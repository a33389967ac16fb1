"""The reconciliation grid: review what the matcher proposed, approve, reject,
re-match, split, put on account, undo, refund to card; filters, totals, export."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import display_money, from_cents
from app.domain.words import counted
from app.ui import services
from app.ui.changes import Changed
from app.ui.context import UiContext
from app.ui.dialogs.applications_dialog import ApplicationsDialog
from app.ui.dialogs.refund_dialog import RefundToCard
from app.ui.dialogs.reject_dialog import RejectDialog
from app.ui.export_actions import export_grid
from app.ui.models.proposal_detail import CandidateView, ProposalDetail, load_proposal_detail
from app.ui.models.reconciliation import STATUS_GROUPS, ReconciliationModel, ReconFilter
from app.ui.ops import run_call, run_mutation
from app.ui.signals import PROPOSALS, TRANSACTIONS, announce
from app.ui.widgets.filters import AmountEdit, OptionalDateEdit, SearchBox
from app.ui.widgets.grid_view import GridView, TotalsBar
from app.ui.widgets.notices import notify
from app.ui.widgets.proposal_detail import ProposalDetailPanel

T = TypeVar("T")
UNUSUAL = "unusual"  # the "Show" choice for payments with an open anomaly flag


class ReconciliationPage(QWidget):
    page_key = "reconciliation"
    title = "Reconciliation"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ReconciliationModel(ctx.store, self)
        self._restore_row: int | None = None
        self.refund_flow = RefundToCard(
            ctx, self, on_queued=lambda: announce(services.REVIEW_CHANGES)
        )
        layout = QVBoxLayout(self)
        layout.addLayout(self._filter_bar())
        layout.addLayout(self._action_bar())
        split = QSplitter(Qt.Orientation.Horizontal)
        self.grid = GridView(self.model)
        self.grid.setObjectName("reconciliationGrid")
        # A context-menu action, not a button: the action bar must stay within 1280 px.
        self.refund_action = QAction("Refund to card…", self.grid)
        self.refund_action.setToolTip("Give the card payment on this invoice back in PayTrace")
        self.refund_action.triggered.connect(self.refund_current)
        self.grid.addAction(self.refund_action)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.detail = ProposalDetailPanel()
        self.detail.use_candidate.connect(self.use_candidate)
        split.addWidget(self.grid)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([940, 290])
        layout.addWidget(split, 1)
        self.totals = TotalsBar()
        layout.addWidget(self.totals)
        self._shortcuts()
        self.totals.follow(self.model)
        self.model.reset_done.connect(self._after_reset)
        self.model.load_failed.connect(self._error)
        self.grid.selectionModel().selectionChanged.connect(self._selection_changed)
        self.grid.selectionModel().currentRowChanged.connect(lambda cur, _p: self._load_detail())
        ctx.signals.data_changed.connect(self._data_changed)
        ctx.signals.reconciliation_view.connect(self.show_view)

    # -- layout ----------------------------------------------------------------------------

    def _filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.status = QComboBox()
        self.status.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.status.setMinimumContentsLength(13)
        for key, (words, _statuses) in STATUS_GROUPS.items():
            self.status.addItem(words, key)
        self.status.addItem("Flagged as unusual", UNUSUAL)  # open anomalies, any status
        self.date_from, self.date_to = OptionalDateEdit(), OptionalDateEdit()
        self.customer = SearchBox("Customer")
        self.customer.setFixedWidth(130)
        self.amount_min, self.amount_max = AmountEdit("Min $"), AmountEdit("Max $")
        self.text = SearchBox("Search reference, invoice, id, reason…")
        self.text.setMinimumWidth(140)
        for label, widget in (
            ("Show", self.status),
            ("From", self.date_from),
            ("to", self.date_to),
            ("", self.customer),
            ("Amount", self.amount_min),
            ("–", self.amount_max),
            ("", self.text),
        ):
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(widget, 2 if widget is self.text else 0)
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filter())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.apply_filter())
        for box in (self.customer, self.text):
            box.search.connect(lambda _t: self.apply_filter())
        for amount in (self.amount_min, self.amount_max):
            amount.settled.connect(self.apply_filter)
        return bar

    def _action_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.approve_button = self._button(bar, "Approve", self.approve_selected, "A")
        self.approve_button.setObjectName("primaryButton")
        self.threshold = QSpinBox()
        self.threshold.setRange(0, 100)
        self.threshold.setSuffix(" %")
        self.threshold.setValue(self.ctx.profile.policy.auto_approve_threshold)
        above = self._button(bar, "Approve selected ≥", self.approve_above_threshold, "")
        above.setToolTip("Approve the selected payments whose Confidence is at or above this")
        bar.addWidget(self.threshold)
        self._button(bar, "Reject", self.reject_selected, "R")
        self._button(bar, "Re-match / split…", lambda: self.rematch_current(), "")
        self._button(bar, "On account", self.put_on_account, "")
        self._button(bar, "Undo approval", self.undo_current, "")
        self._button(bar, "Unreconcile", self.unreconcile_current, "")
        bar.addStretch(1)
        export = QToolButton()
        export.setText("Export…")
        export.clicked.connect(lambda: export_grid(self, self.ctx, self.model, "reconciliation"))
        bar.addWidget(export)
        return bar

    def _button(self, bar: QHBoxLayout, text: str, slot: Callable[[], None], key: str) -> Any:
        button = QPushButton(text)
        if key:
            button.setToolTip(f"{text} ({key})")
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    def _shortcuts(self) -> None:
        keys: list[tuple[str, Callable[[], None]]] = [
            ("A", self.approve_selected),
            ("Ctrl+Return", self.approve_selected),
            ("Ctrl+Enter", self.approve_selected),
            ("R", self.reject_selected),
            ("Delete", self.reject_selected),
            ("J", self.next_row),
        ]
        for sequence, slot in keys:
            # On the grid only (WidgetShortcut): typing "a" or "r" in a filter box must never
            # approve or reject anything.
            shortcut = QShortcut(QKeySequence(sequence), self.grid)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)

    # -- filter, selection, detail ---------------------------------------------------------

    def current_filter(self) -> ReconFilter:
        status = str(self.status.currentData())
        return ReconFilter(
            status="all" if status == UNUSUAL else status,
            date_from=self.date_from.value(),
            date_to=self.date_to.value(),
            customer=self.customer.text(),
            amount_min=self.amount_min.value(),
            amount_max=self.amount_max.value(),
            text=self.text.text(),
            unusual_only=status == UNUSUAL,
        )

    def show_view(self, view: str) -> None:
        """Open on a "Show" view (a key of STATUS_GROUPS) with earlier searches cleared, so
        the grid shows what the dashboard counted."""
        boxes = (self.status, self.customer, self.text, self.amount_min, self.amount_max)
        for box in (*boxes, self.date_from, self.date_to):
            box.blockSignals(True)
        for edit in (self.customer, self.text, self.amount_min, self.amount_max):
            edit.clear()
        for date_box in (self.date_from, self.date_to):
            date_box.set_value(None)
        index = self.status.findData(view)
        if index >= 0:
            self.status.setCurrentIndex(index)
        for box in (*boxes, self.date_from, self.date_to):
            box.blockSignals(False)
        self.apply_filter()

    def apply_filter(self) -> None:
        new = self.current_filter()
        if new != self.model.filter:
            self.model.set_filter(new)

    def _data_changed(self, entity: str) -> None:
        if entity in (PROPOSALS, TRANSACTIONS):
            current = self.grid.currentIndex()
            self._restore_row = current.row() if current.isValid() else None
            self.model.refresh()

    def _after_reset(self) -> None:
        if self.model.rowCount() == 0:
            self.detail.show_message("Nothing to show with these filters.")
            self.totals.show_selection(0, None)  # the reset dropped the selection silently
            return
        row = min(self._restore_row or 0, self.model.rowCount() - 1)
        self._restore_row = None
        # Select, never focus: a reset follows every pause in a filter box, and taking the
        # focus then sent the next letters typed there to the grid's A/R shortcuts.
        self.grid.select_only(row)

    def next_row(self) -> None:
        row = self.grid.currentIndex().row() + 1
        if row < self.model.rowCount():
            self.grid.select_only(row)

    def selected(self) -> list[dict[str, Any]]:
        rows = [self.model.row_dict(r) for r in self.grid.selected_rows()]
        return [r for r in rows if r is not None]

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        rows = self.grid.selected_rows()
        if len(rows) == self.model.rowCount() and rows:
            self.totals.show_selection(len(rows), self.model.total_sum)
            return
        loaded = self.selected()
        total = from_cents(sum(int(r["amount"]) for r in loaded))
        self.totals.show_selection(len(rows), total, partial=len(loaded) < len(rows))

    def _load_detail(self) -> None:
        row = self.grid.currentIndex().row()
        values = self.model.row_dict(row) if row >= 0 else None
        if values is None:
            return
        proposal_id = int(values["_key"])
        run_call(
            load_proposal_detail,
            self.ctx.store,
            proposal_id,
            self.ctx.profile,
            label="Loading proposal",
            on_done=self._show_detail,
            on_error=self._error,
            owner=self,
        )

    def _show_detail(self, detail: ProposalDetail | None) -> None:
        current = self.model.row_dict(self.grid.currentIndex().row())
        if detail is not None and current is not None and current["_key"] == detail.proposal_id:
            self.detail.show_detail(detail)

    # -- actions (each runs off the GUI thread through the review service) -----------------

    def _run(self, label: str, fn: Callable[[], Changed[T]], done: Callable[[T], None]) -> None:
        """A review decision off the GUI thread; what it changed refreshes every page."""
        run_mutation(fn, label=label, on_done=done, on_error=self._error, owner=self)

    def _error(self, words: str) -> None:
        self.ctx.signals.status_message.emit(words)
        notify(self, "Paysage", words, warning=True)

    def approve_ids(self, ids: list[int]) -> None:
        if not ids:
            return
        store, user, profile = self.ctx.store, self.ctx.user, self.ctx.profile

        def work() -> Changed[services.ApprovalResult]:
            return services.approve_proposals(store, ids, user=user, profile=profile)

        self._run("Approving", work, self._approved)

    def _approved(self, result: services.ApprovalResult) -> None:
        approved, refused = result.approved, result.refused
        self.ctx.signals.status_message.emit(f"Approved {counted(len(approved), 'payment')}.")
        if refused:
            lines = "\n".join(f"• Proposal {pid}: {why}" for pid, why in refused.items())
            notify(self, "Some were not approved", lines)

    def approve_selected(self) -> None:
        self.approve_ids([int(r["_key"]) for r in self.selected()])

    def approve_above_threshold(self) -> None:
        floor = self.threshold.value()
        rows = [r for r in self.selected() if int(r["confidence"]) >= floor]
        if not rows:
            self.ctx.signals.status_message.emit(f"No selected payment is at {floor}% or above.")
            return
        self.approve_ids([int(r["_key"]) for r in rows])

    def reject_selected(self) -> None:
        ids = [int(r["_key"]) for r in self.selected()]
        if not ids:
            return
        dialog = RejectDialog(len(ids), self)
        if dialog.exec() != RejectDialog.DialogCode.Accepted:
            self._said("Nothing rejected.")
            return
        store, user, reason = self.ctx.store, self.ctx.user, dialog.reason_text()

        def work() -> Changed[int]:
            return services.reject_proposals(store, ids, user=user, reason=reason)

        self._run(
            "Rejecting",
            work,
            lambda n: self._said(f"Rejected {counted(n, 'proposed match', 'proposed matches')}."),
        )

    def _said(self, words: str) -> None:
        self.ctx.signals.status_message.emit(words)

    def _current(self) -> dict[str, Any] | None:
        return self.model.row_dict(self.grid.currentIndex().row())

    def rematch_current(self, initial: list[tuple[str, Decimal]] | None = None) -> None:
        row = self._current()
        if row is None:
            return
        if initial is None and self.detail.detail is not None:
            initial = list(self.detail.detail.applications)
        dialog = ApplicationsDialog(
            self.ctx.store,
            payment=from_cents(int(row["amount"])),
            customer_id=str(row["customer_id"] or ""),
            initial=initial,
            title=f"Re-match PayTrace {row['paytrace_id']}",
            base_currency=self.ctx.profile.base_currency,
            parent=self,
        )
        if dialog.exec() != ApplicationsDialog.DialogCode.Accepted:
            return
        apps = dialog.applications() or []
        self.rematch(
            int(row["_key"]),
            apps,
            dialog.on_account(),
            exchange_rate=dialog.exchange_rate(),
            # Refused after all (Sage Pro's books changed meanwhile): the dialog opens again
            # with everything the user typed, beside the reason.
            on_refused=lambda: self.rematch_current(initial=apps),
        )

    def rematch(
        self,
        pid: int,
        apps: list[tuple[str, Decimal]],
        on_account: Decimal,
        exchange_rate: str | None = None,
        on_refused: Callable[[], None] | None = None,
    ) -> None:
        store, user, profile = self.ctx.store, self.ctx.user, self.ctx.profile

        def work() -> Changed[int]:
            return services.rematch_proposal(
                store,
                pid,
                apps,
                user=user,
                on_account=on_account,
                exchange_rate=exchange_rate,
                profile=profile,
            )

        def refused(words: str) -> None:
            self._error(words)
            if on_refused is not None:
                on_refused()

        run_mutation(
            work,
            label="Re-matching",
            on_done=lambda _new: self._said("Match changed; review it."),
            on_error=refused,
            owner=self,
        )

    def use_candidate(self, candidate: CandidateView) -> None:
        row = self._current()
        if row is None:
            return
        ids = [i.strip() for i in candidate.invoices.split(",") if i.strip()]
        payment = from_cents(int(row["amount"]))
        if len(ids) == 1:
            self.rematch(int(row["_key"]), [(ids[0], payment)], Decimal(0))
        else:
            self.rematch_current(initial=[(i, Decimal(0)) for i in ids])

    def put_on_account(self) -> None:
        row = self._current()
        if row is None:
            return
        amount = from_cents(int(row["amount"]))
        answer = QMessageBox.question(
            self,
            "Put on account",
            f"Put the whole {display_money(amount)} on "
            f"{row['customer'] or 'the customer'}'s account?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.rematch(int(row["_key"]), [], amount)

    def undo_current(self) -> None:
        row = self._current()
        if row is not None:
            pid, store, user = int(row["_key"]), self.ctx.store, self.ctx.user
            self._run(
                "Undoing approval",
                lambda: services.undo_approval(store, pid, user=user),
                lambda _r: self._said("Approval undone; the payment is back in review."),
            )

    def unreconcile_current(self) -> None:
        row = self._current()
        if row is None:
            return
        answer = QMessageBox.question(
            self,
            "Unreconcile",
            "This payment is already in Sage Pro. On the next sync Paysage posts a payment "
            "reversal dated today (its invoices open again with their balance restored) and "
            "puts the payment back in review for a new match. Continue?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            pid, store, user = int(row["_key"]), self.ctx.store, self.ctx.user
            profile = self.ctx.profile
            self._run(
                "Unreconciling",
                lambda: services.unreconcile(store, pid, user=user, profile=profile),
                lambda _r: self._said("Reversal queued; the payment is back in review."),
            )

    def refund_current(self) -> None:
        """Refund to card: offered for the invoice of the selected payment."""
        row = self._current()
        invoices = [i.strip() for i in str((row or {}).get("invoices") or "").split(",")]
        invoices = [i for i in invoices if i]
        if not invoices:
            self._said("The selected payment names no invoice to refund.")
            return
        self.refund_flow.start(invoices[0])
