"""Dashboard: cash position, what is waiting, what went wrong, the last sync, a chart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.display_time import show_local
from app.domain.money import display_money
from app.queries.dashboard_data import CountSum, DashboardData, load_dashboard
from app.sync.failure_words import setting_named_in
from app.ui.context import UiContext
from app.ui.links import failure_link
from app.ui.ops import run_call
from app.ui.signals import ALL_ENTITIES, subscribe
from app.ui.sync_controller import counts_words
from app.ui.widgets.daily_chart import DailyChart


class Tile(QFrame):
    """One figure: a caption, a big number, a line of detail, optionally a link to a page."""

    def __init__(
        self, caption: str, target: str = "", parent: QWidget | None = None, *, link: str = "Open"
    ) -> None:
        super().__init__(parent)
        self.target = target
        self.setObjectName("tile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.caption = QLabel(caption)
        self.caption.setObjectName("tileCaption")
        self.value = QLabel("…")
        self.value.setObjectName("tileValue")
        self.detail = QLabel("")
        self.detail.setObjectName("tileDetail")
        self.detail.setWordWrap(True)
        for widget in (self.caption, self.value, self.detail):
            layout.addWidget(widget)
        self.link: QPushButton | None = None
        if target:
            self.link = QPushButton(link)
            self.link.setObjectName("linkButton")
            self.link.setCursor(Qt.CursorShape.PointingHandCursor)
            layout.addWidget(self.link, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def set_figure(self, value: str, detail: str = "", *, warn: bool = False) -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.setProperty("warn", warn)
        self.style().unpolish(self)
        self.style().polish(self)


def _money(cs: CountSum, base: str) -> tuple[str, str]:
    noun = "payment" if cs.count == 1 else "payments"
    return display_money(cs.total, base=base), f"{cs.count:,} {noun}"


class DashboardPage(QWidget):
    page_key = "dashboard"
    title = "Dashboard"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: DashboardData | None = None
        self.syncing = False  # between sync_started and sync_finished
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.today = Tile("Collected today")
        self.month = Tile("Collected this month")
        self.unmatched = Tile("Waiting for review", "reconciliation")
        self.unposted = Tile("Approved, not yet posted", "reconciliation")
        self.dead = Tile("Could not post (dead letters)", "exceptions")
        self.changed = Tile("Changed after posting", "exceptions")
        self.anomalies = Tile("Anomalies (unusual payments)", "exceptions")
        self.sync = Tile("Last sync", "settings", link="Open Settings")
        assert self.sync.link is not None
        self.sync.link.hide()  # shown when a setting would fix the last failure
        tiles = (self.today, self.month, self.unmatched, self.unposted)
        tiles2 = (self.dead, self.changed, self.anomalies, self.sync)
        for col, tile in enumerate(tiles):
            grid.addWidget(tile, 0, col)
        for col, tile in enumerate(tiles2):
            grid.addWidget(tile, 1, col)
        # The grid opens on the view the tile counts, whatever view was left selected there.
        views = {self.unmatched: "open", self.unposted: "approved"}
        # The last failure's link: the very field that fixes it (see show_data).
        self.sync_link = "settings"
        self.sync.link.clicked.connect(lambda: ctx.signals.open_link.emit(self.sync_link))
        for tile in (*tiles, *tiles2):
            if tile.link is not None and tile is not self.sync:
                view = views.get(tile, "")
                tile.link.clicked.connect(lambda _c=False, t=tile.target, v=view: self._open(t, v))
        layout.addLayout(grid)
        chart_frame = QFrame()
        chart_frame.setObjectName("tile")
        chart_layout = QVBoxLayout(chart_frame)
        heading = QLabel("Last 30 days: collected in PayTrace vs posted to Sage Pro")
        heading.setObjectName("tileCaption")
        chart_layout.addWidget(heading)
        self.chart = DailyChart()
        chart_layout.addWidget(self.chart, 1)
        layout.addWidget(chart_frame, 1)
        ctx.signals.data_changed.connect(self._changed)
        subscribe(self, ctx.signals.sync_finished, lambda _ok, _words: self._sync_ended())
        subscribe(self, ctx.signals.sync_started, lambda _trigger: self._sync_running())
        self.refresh()

    def _sync_ended(self) -> None:
        self.syncing = False
        self.refresh()

    def _sync_running(self) -> None:
        self.syncing = True
        if self.data is not None and self.data.last_sync is None:
            self.sync.set_figure("Running", "First sync running… the figures fill in as it ends.")

    def _changed(self, entity: str) -> None:
        if entity in ALL_ENTITIES:
            self.refresh()

    def _open(self, page: str, view: str) -> None:
        if view:
            self.ctx.signals.reconciliation_view.emit(view)
        self.ctx.signals.navigate.emit(page)

    def refresh(self) -> None:
        run_call(
            load_dashboard,
            self.ctx.store,
            self.ctx.today(),
            label="Loading dashboard",
            on_done=self.show_data,
            on_error=lambda words: self.sync.set_figure("—", words, warn=True),
            owner=self,
        )

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        base = self.ctx.profile.base_currency  # PayTrace's money
        self.today.set_figure(*_money(data.collected_today, base))
        self.month.set_figure(*_money(data.collected_month, base))
        self.unmatched.set_figure(
            *_money(data.waiting_for_review, base), warn=data.waiting_for_review.count > 0
        )
        self.unposted.set_figure(*_money(data.unposted, base))
        self.dead.set_figure(
            f"{data.dead_letters:,}",
            "Need your decision" if data.dead_letters else "Nothing stuck",
            warn=data.dead_letters > 0,
        )
        self.changed.set_figure(
            f"{data.changed_after_posting:,}",
            "Voids or refunds after posting" if data.changed_after_posting else "None",
            warn=data.changed_after_posting > 0,
        )
        self.anomalies.set_figure(
            f"{data.anomalies:,}",
            "Flagged as unusual; look before approving" if data.anomalies else "Nothing unusual",
            warn=data.anomalies > 0,
        )
        run = data.last_sync
        if run is None and self.syncing:
            self.sync.set_figure("Running", "First sync running… the figures fill in as it ends.")
        elif run is None:
            self.sync.set_figure("Never", "Press Sync now to fetch from PayTrace.")
        else:
            when = show_local(run.started_at)
            if run.status == "ok":
                counts = counts_words(run.counts) or "no changes"
                self.sync.set_figure("OK", f"{when} · {counts}")
            else:
                self.sync.set_figure(
                    run.status.capitalize(), f"{when} · {run.error or ''}", warn=True
                )
            if self.sync.link is not None:  # a failure a setting fixes: a link to it
                self.sync.link.setVisible(bool(setting_named_in(run.error or "")))
                self.sync_link = failure_link(run.error or "")
        self.chart.set_series(data.daily)
