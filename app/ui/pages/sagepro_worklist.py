"""Sage Pro worklist: receipts Paysage staged through the bridge, waiting to be entered in
Sage Pro's Cash Receipts with the reference shown. Entered items leave by themselves at the
next sync; items waiting longer than the alert setting are tinted (and raise an alert)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.clock import utcnow_on
from app.queries import sagepro_worklist
from app.ui.context import UiContext
from app.ui.export_actions import export_grid
from app.ui.models.sagepro_worklist import WorklistModel
from app.ui.ops import Op, run_call
from app.ui.signals import EXCEPTIONS, OUTBOX, subscribe
from app.ui.ui_state import export_folder, remember_export_folder
from app.ui.widgets.filters import SearchBox
from app.ui.widgets.grid_view import GridView, TotalsBar
from app.ui.widgets.notices import notify
from app.ui.worklist_print import print_to_pdf, worklist_html


class SageProWorklistPage(QWidget):
    page_key = "worklist"
    title = "Sage Pro worklist"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = WorklistModel(
            ctx.store, self, alert_days=ctx.profile.sagepro.worklist_alert_days, clock=self.now
        )
        self.model.base_currency = ctx.profile.base_currency
        layout = QVBoxLayout(self)
        self.intro = QLabel(
            "Enter each item in Sage Pro's Cash Receipts, typing the <b>Reference to type</b> "
            "exactly as shown in Check/Reference No. Paysage finds it there at the next sync "
            "and the item leaves this list. Items waiting more than "
            f"{ctx.profile.sagepro.worklist_alert_days} days are tinted and raise an alert."
        )
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        bar = QHBoxLayout()
        self.text = SearchBox("Search customer, invoice or reference…")
        bar.addWidget(self.text, 1)
        export = QToolButton()
        export.setText("Export…")
        export.clicked.connect(lambda: export_grid(self, ctx, self.model, "sagepro-worklist"))
        bar.addWidget(export)
        printing = QToolButton()
        printing.setText("Print…")
        printing.clicked.connect(lambda: self.print_list())
        bar.addWidget(printing)
        layout.addLayout(bar)
        self.grid = GridView(self.model, sort_key="staged_at")
        layout.addWidget(self.grid, 1)
        self.totals = TotalsBar(base_currency=self.ctx.profile.base_currency)
        layout.addWidget(self.totals)
        self.model.totals_changed.connect(self.totals.show_view)
        self.text.search.connect(self.model.set_search)
        subscribe(self, ctx.signals.data_changed, self._changed)
        self.model.refresh()

    def now(self) -> datetime:
        """UTC now; the demo's pinned day keeps its data's ages (and tints) as of that day."""
        return utcnow_on(self.ctx.today_override)

    def _changed(self, entity: str) -> None:
        if entity in (OUTBOX, EXCEPTIONS):
            self.model.refresh()

    def _print_failed(self, words: str) -> None:
        notify(self, "Printing failed", words, warning=True)

    def print_list(self, path: Path | None = None) -> Op | None:
        """Write what the grid shows (same search and order) as a PDF to print."""
        if path is None:
            name = f"paysage-sagepro-worklist-{date.today():%Y-%m-%d}.pdf"
            suggested = str(export_folder() / name)
            chosen, _f = QFileDialog.getSaveFileName(self, "Print to PDF", suggested, "PDF (*.pdf)")
            if not chosen:
                return None
            path = Path(chosen)
            remember_export_folder(path)
        spec = self.model.spec
        sort = spec.sort.key if spec.sort is not None else "staged_at"
        search, descending, target = self.model.search, spec.descending, path

        def done(rows: list[sagepro_worklist.WorklistRow]) -> None:
            page = worklist_html(
                rows,
                profile=self.ctx.profile.name,
                printed_at=datetime.now(),
                base=self.ctx.profile.base_currency,
            )
            print_to_pdf(page, target)  # QPrinter belongs to the GUI thread
            self.ctx.signals.status_message.emit(f"Worklist ({len(rows)} items) saved to {target}.")

        return run_call(
            sagepro_worklist.read_rows,
            self.ctx.store,
            search=search,
            sort=sort,
            descending=descending,
            label="Preparing the worklist",
            on_done=done,
            on_error=self._print_failed,
            owner=self,
        )
