"""The main window: left navigation, the pages (created on first visit), the status bar.
Closing the window keeps the scheduled sync running in the tray."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.config import Profile, environment_kind, save_settings
from app.queries.sagepro_worklist import has_staged_postings
from app.store import Store
from app.ui.context import UiContext
from app.ui.icon import app_icon
from app.ui.links import open_link
from app.ui.mapping import MappingPage
from app.ui.ops import run_call
from app.ui.pages.audit_log import AuditLogPage
from app.ui.pages.collect import CollectPage
from app.ui.pages.dashboard import DashboardPage
from app.ui.pages.exceptions import ExceptionsPage
from app.ui.pages.reconciliation import ReconciliationPage
from app.ui.pages.sagepro_worklist import SageProWorklistPage
from app.ui.pages.schedules import SchedulesPage
from app.ui.pages.settings import SettingsPage
from app.ui.pages.settlements import SettlementsPage
from app.ui.pages.transactions import TransactionsPage
from app.ui.signals import OUTBOX, subscribe
from app.ui.sync_controller import SyncController
from app.ui.team_watch import AlsoConnectedLabel, TeamWatch
from app.ui.ui_state import remember_window_size, window_size
from app.ui.widgets.sync_status_bar import SyncStatusBar
from app.ui.widgets.wheel_guard import guard_wheel

PageFactory = Callable[[UiContext], QWidget]
PAGES: tuple[tuple[str, str, PageFactory], ...] = (
    ("dashboard", "Dashboard", DashboardPage),
    ("transactions", "Transactions", TransactionsPage),
    ("reconciliation", "Reconciliation", ReconciliationPage),
    ("collect", "Collect", CollectPage),
    ("mapping", "Mapping", MappingPage),
    ("settlements", "Settlements", SettlementsPage),
    ("schedules", "Recurring billing", SchedulesPage),
    ("exceptions", "Exceptions", ExceptionsPage),
    ("worklist", "Sage Pro worklist", SageProWorklistPage),
    ("audit", "Audit log", AuditLogPage),
    ("settings", "Settings", SettingsPage),
)


def has_staged_postings_in(store: Store) -> bool:
    with store.read() as session:
        return has_staged_postings(session)


NEW_PROFILE = "\0new"  # the chooser's last entry: not a profile name
ENVIRONMENT_WORDS = {
    "sandbox": "test system — no real money moves",
    "production": "real payments, real books",
    "other": "its own store and settings",
}


def profile_choice_text(profile: Profile) -> str:
    if profile.name == profile.environment:
        return profile.name
    return f"{profile.name} ({profile.environment})"


def environment_badge(profile: Profile) -> QLabel:
    """The unmistakable badge at the top of every page: the environment in capitals, in
    its own colour (orange Sandbox, green Production, purple any other)."""
    kind = environment_kind(profile.environment)
    badge = QLabel(f"{profile.environment.upper()} · {ENVIRONMENT_WORDS[kind]}")
    badge.setObjectName("envBadge")
    badge.setProperty("env", kind)
    badge.setProperty("size", "large")
    badge.setToolTip(f"Profile {profile.name}: the {profile.environment} environment.")
    return badge


class MainWindow(QMainWindow):
    # The bookkeeper chose another profile; the window host replaces this window with one
    # over that profile's store (app/ui/window_host.py).
    profile_switch_requested = Signal(str)

    def __init__(self, ctx: UiContext, controller: SyncController) -> None:
        super().__init__()
        self.ctx = ctx
        self.controller = controller
        self.keep_running_in_tray = False  # set by the app when a tray icon exists
        self.quitting = False
        env = ctx.profile.environment
        self.setWindowTitle(
            f"Paysage — {ctx.profile.name} ({env})" + (" · demo" if ctx.demo else "")
        )
        self.setWindowIcon(app_icon())
        self.resize(1280, 800)
        saved = window_size()
        if saved is not None:
            self.resize(saved)  # the size it was left at
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side = QWidget()
        side.setObjectName("sidebar")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 12, 0, 12)
        brand = QLabel("Paysage")
        brand.setObjectName("brand")
        side_layout.addWidget(brand)
        side_layout.addWidget(self._profile_switcher(ctx))
        self.nav = QListWidget()
        self.nav.setObjectName("navList")
        self.nav.setIconSize(QSize(0, 0))
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key, words, _factory in PAGES:
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        side_layout.addWidget(self.nav, 1)
        side.setFixedWidth(190)
        row.addWidget(side)
        content = QWidget()
        content.setObjectName("content")
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(16, 12, 16, 8)
        self.heading = QLabel("")
        self.heading.setObjectName("pageHeading")
        self.env_badge = environment_badge(ctx.profile)
        header = QHBoxLayout()
        header.addWidget(self.heading)
        header.addStretch(1)
        header.addWidget(self.env_badge, alignment=Qt.AlignmentFlag.AlignVCenter)
        content_layout.addLayout(header)
        self.stack = QStackedWidget()
        content_layout.addWidget(self.stack, 1)
        row.addWidget(content, 1)
        self.setCentralWidget(central)
        self.status = SyncStatusBar(ctx, controller)
        # A long status line (an error, a notification) is clipped, its tooltip keeps it
        # whole: it must never widen the window past the screen.
        self.status.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setStatusBar(self.status)
        self.team_watch = TeamWatch(ctx, self)  # who else is on, their changes
        self.status.insertPermanentWidget(0, AlsoConnectedLabel(self.team_watch))
        self.team_watch.start()
        self.pages: dict[str, QWidget] = {}
        self.nav.currentRowChanged.connect(lambda r: self.show_page(PAGES[r][0]))
        ctx.signals.navigate.connect(self.show_page)
        subscribe(self, ctx.signals.open_link, lambda link: open_link(self, link))
        self.nav.setCurrentRow(0)
        self._show_worklist(False)  # until the store says otherwise
        self._check_worklist()
        ctx.signals.data_changed.connect(self._data_changed)
        ctx.signals.settings_changed.connect(self._check_worklist)

    def _profile_switcher(self, ctx: UiContext) -> QWidget:
        box = QWidget()
        box.setObjectName("profileSwitcher")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(16, 4, 16, 10)
        caption = QLabel("Profile")
        caption.setObjectName("sideCaption")
        self.profile_combo = QComboBox()
        for profile in ctx.settings.profiles.values():
            self.profile_combo.addItem(profile_choice_text(profile), profile.name)
        if not ctx.demo:  # the demo's throw-away settings hold one profile only
            self.profile_combo.addItem("New profile…", NEW_PROFILE)
        self.profile_combo.setCurrentIndex(self.profile_combo.findData(ctx.profile.name))
        self.profile_combo.setEnabled(self.profile_combo.count() > 1)
        self.profile_combo.setToolTip(
            "Switch profile: the window reopens on that profile's own store and settings."
        )
        self.profile_combo.activated.connect(self._profile_chosen)
        layout.addWidget(caption)
        layout.addWidget(self.profile_combo)
        return box

    def _profile_chosen(self, index: int) -> None:
        name = str(self.profile_combo.itemData(index))
        if name == NEW_PROFILE:
            self._new_profile()
        elif name != self.ctx.profile.name:
            self.profile_switch_requested.emit(name)

    def _new_profile(self) -> None:
        from app.ui.dialogs.new_profile_dialog import NewProfileDialog

        self.profile_combo.setCurrentIndex(self.profile_combo.findData(self.ctx.profile.name))
        dialog = NewProfileDialog(self.ctx.settings, self)
        self.new_profile_dialog = dialog
        if dialog.exec() != NewProfileDialog.DialogCode.Accepted or dialog.created is None:
            return
        if self.ctx.persist_settings:
            save_settings(self.ctx.settings)
        self.profile_switch_requested.emit(dialog.created.name)

    def refuse_switch(self, words: str) -> None:
        """The switch did not happen: the chooser shows this profile again, and why."""
        self.profile_combo.setCurrentIndex(self.profile_combo.findData(self.ctx.profile.name))
        self.status.say(words)

    def _data_changed(self, entity: str) -> None:
        if entity == OUTBOX:
            self._check_worklist()

    def _check_worklist(self) -> None:
        """The Sage Pro worklist is offered for a profile reached through the bridge, or
        once Sage Pro has answered Staged for any posting here."""
        if self.ctx.profile.sagepro.through_bridge:
            self._show_worklist(True)
        else:
            run_call(
                has_staged_postings_in,
                self.ctx.store,
                label="Checking the Sage Pro worklist",
                on_done=self._show_worklist,
                owner=self,
            )

    def _show_worklist(self, available: bool) -> None:
        self.worklist_available = bool(available)
        row = next(i for i, (k, _w, _f) in enumerate(PAGES) if k == "worklist")
        self.nav.item(row).setHidden(not self.worklist_available)

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built on first use (its queries start then)."""
        if key not in self.pages:
            factory = next(f for k, _w, f in PAGES if k == key)
            widget = factory(self.ctx)
            guard_wheel(widget)  # scrolling a page never changes a value under the pointer
            self.pages[key] = widget
            self.stack.addWidget(widget)
            requested = getattr(widget, "sync_requested", None)  # e.g. Exceptions → Retry
            if requested is not None:
                requested.connect(self.controller.sync_now)
        return self.pages[key]

    def page_keys(self) -> list[str]:
        return [key for key, _words, _factory in PAGES]

    def show_page(self, key: str) -> None:
        index = next(i for i, (k, _w, _f) in enumerate(PAGES) if k == key)
        leaving = self.stack.currentWidget()
        confirm = getattr(leaving, "confirm_leave", None)
        if leaving is not self.pages.get(key) and confirm is not None and not confirm():
            stay = next(i for i, (k, _w, _f) in enumerate(PAGES) if self.pages.get(k) is leaving)
            self.nav.blockSignals(True)  # the user chose to stay: the list follows
            self.nav.setCurrentRow(stay)
            self.nav.blockSignals(False)
            return
        if self.nav.currentRow() != index:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(index)
            self.nav.blockSignals(False)
        self.stack.setCurrentWidget(self.page(key))
        self.heading.setText(PAGES[index][1])

    def bring_forward(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def hideEvent(self, event: QHideEvent) -> None:
        if not (self.isMinimized() or self.isMaximized()):
            remember_window_size(self.size())
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.keep_running_in_tray and not self.quitting and self.ctx.profile.sync.enabled:
            event.ignore()
            self.hide()
            self.ctx.signals.alert.emit(
                "Paysage is still syncing",
                "Scheduled sync keeps running; use the tray icon.",
                "",  # a click on it opens the window again
            )
            return
        event.accept()
