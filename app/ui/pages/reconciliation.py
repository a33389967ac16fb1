"""The reconciliation grid: review what the matcher proposed, approve, reject,
re-match, split, put on account, undo, refund to card; filters, totals, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import from_cents
from app.domain.words import counted
from app.queries.proposal_detail import ProposalDetail, load_proposal_detail
from app.ui import services
from app.ui.changes import Changed
from app.ui.context import UiContext
from app.ui.dialogs.refund_dialog import RefundToCard
from app.ui.dialogs.reject_dialog import RejectDialog
from app.ui.export_actions import export_grid
from app.ui.models.reconciliation import ReconciliationModel
from app.ui.ops import run_call, run_mutation
from app.ui.pages.rematch_flow import RematchFlow
from app.ui.signals import PROPOSALS, TRANSACTIONS, announce
from app.ui.widgets.grid_view import GridView, TotalsBar
from app.ui.widgets.notices import notify
from app.ui.widgets.proposal_detail import ProposalDetailPanel
from app.ui.widgets.recon_filters import ReconFilterBar

T = TypeVar("T")


class ReconciliationPage(QWidget):
    page_key = "reconciliation"
    title = "Reconciliation"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ReconciliationModel(ctx.store, self)
        self.model.base_currency = ctx.profile.base_currency  # PayTrace's money: the base
        self._restore_row: int | None = None
        self.refund_flow = RefundToCard(
            ctx, self, on_queued=lambda: announce(services.REVIEW_CHANGES)
        )
        self.rematch_flow = RematchFlow(self)
        layout = QVBoxLayout(self)
        self.filters = ReconFilterBar(ctx.profile.base_currency)
        self.filters.changed.connect(self.apply_filter)
        f = self.filters  # its boxes, by the names the page has always had
        self.status, self.date_from, self.date_to = f.status, f.date_from, f.date_to
        self.customer, self.text = f.customer, f.text
        self.amount_min, self.amount_max = f.amount_min, f.amount_max
        layout.addWidget(self.filters)
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
        self.detail.use_candidate.connect(self.rematch_flow.use_candidate)
        split.addWidget(self.grid)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([940, 290])
        layout.addWidget(split, 1)
        self.totals = TotalsBar(base_currency=self.ctx.profile.base_currency)
        layout.addWidget(self.totals)
        self._shortcuts()
        self.totals.follow(self.model)
        self.model.reset_done.connect(self._after_reset)
        self.model.load_failed.connect(self.show_error)
        self.grid.selectionModel().selectionChanged.connect(self._selection_changed)
        self.grid.selectionModel().currentRowChanged.connect(lambda cur, _p: self._load_detail())
        ctx.signals.data_changed.connect(self._data_changed)
        ctx.signals.reconciliation_view.connect(self.show_view)

    # -- layout ----------------------------------------------------------------------------

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
        self._button(bar, "Re-match / split…", lambda: self.rematch_flow.rematch_current(), "")
        self._button(bar, "On account", self.rematch_flow.put_on_account, "")
        self._button(bar, "Undo approval", self.undo_current, "")
        self._button(bar, "Unreconcile", self.unreconcile_current, "")
        bar.addStretch(1)
        export = QToolButton()
        export.setText("Export…")
        export.clicked.connect(lambda: export_grid(self, self.ctx, self.model, "reconciliation"))
        bar.addWidget(export)
        return bar

    def _button(
        self, bar: QHBoxLayout, text: str, slot: Callable[[], None], key: str
    ) -> QPushButton:
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

    def show_view(self, view: str) -> None:
        """Open on a "Show" view with earlier searches cleared (see ``ReconFilterBar``)."""
        self.filters.show_view(view)

    def apply_filter(self) -> None:
        new = self.filters.current_filter()
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
            on_error=self.show_error,
            owner=self,
        )

    def _show_detail(self, detail: ProposalDetail | None) -> None:
        current = self.model.row_dict(self.grid.currentIndex().row())
        if detail is not None and current is not None and current["_key"] == detail.proposal_id:
            self.detail.show_detail(detail)

    # -- actions (each runs off the GUI thread through the review service) -----------------

    def _run(self, label: str, fn: Callable[[], Changed[T]], done: Callable[[T], None]) -> None:
        """A review decision off the GUI thread; what it changed refreshes every page."""
        run_mutation(fn, label=label, on_done=done, on_error=self.show_error, owner=self)

    def show_error(self, words: str) -> None:
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
            lines = "\n".join(f"• {self.payment_words(pid)}: {why}" for pid, why in refused.items())
            notify(self, "Some were not approved", lines)

    def payment_words(self, proposal_id: int) -> str:
        """A proposal as the bookkeeper knows it: its payment and payer, when on screen."""
        row = self.model.row_of_key(proposal_id)
        values = self.model.row_dict(row) if row is not None else None
        if values is None:
            return "A payment no longer shown"
        return f"PayTrace {values['paytrace_id']} ({values['customer'] or 'unknown payer'})"

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
            self.say("Nothing rejected.")
            return
        store, user, reason = self.ctx.store, self.ctx.user, dialog.reason_text()

        def work() -> Changed[int]:
            return services.reject_proposals(store, ids, user=user, reason=reason)

        self._run(
            "Rejecting",
            work,
            lambda n: self.say(f"Rejected {counted(n, 'proposed match', 'proposed matches')}."),
        )

    def say(self, words: str) -> None:
        self.ctx.signals.status_message.emit(words)

    def current_row(self) -> dict[str, Any] | None:
        return self.model.row_dict(self.grid.currentIndex().row())

    def undo_current(self) -> None:
        row = self.current_row()
        if row is not None:
            pid, store, user = int(row["_key"]), self.ctx.store, self.ctx.user
            self._run(
                "Undoing approval",
                lambda: services.undo_approval(store, pid, user=user),
                lambda _r: self.say("Approval undone; the payment is back in review."),
            )

    def unreconcile_current(self) -> None:
        row = self.current_row()
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
                lambda _r: self.say("Reversal queued; the payment is back in review."),
            )

    def refund_current(self) -> None:
        """Refund to card: offered for the invoice of the selected payment."""
        row = self.current_row()
        invoices = [i.strip() for i in str((row or {}).get("invoices") or "").split(",")]
        invoices = [i for i in invoices if i]
        if not invoices:
            self.say("The selected payment names no invoice to refund.")
            return
        self.refund_flow.start(invoices[0])
