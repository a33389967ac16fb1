"""The Versions tab of the Mapping page: every saved version (who, when, description, what
it changed), the diff of any two, restore as a new version, export / import as JSON and
promote to Production.

Every database or file step runs through the op runner; a refused import or promotion says
why in words and leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.config import PRODUCTION, SettingsError
from app.domain.display_time import show_local
from app.mapping import Change, VersionInfo
from app.mapping.history import VersionSummary, version_history
from app.mapping.version_actions import (
    PromotionPlan,
    compare,
    export_file,
    import_file,
    plan_for_profile,
    promote_to_profile,
    restore,
)
from app.store import Store
from app.ui.context import UiContext
from app.ui.mapping.diff_view import DiffView
from app.ui.mapping.promote_dialog import PromoteDialog
from app.ui.ops import run_call
from app.ui.signals import AUDIT, announce_changed, subscribe

MAPPING = "mapping"
COLUMNS = ("Version", "Saved by", "When (UTC)", "Description", "What changed")
PathAsker = Callable[[QWidget, str], Path | None]


def load_history(store: Store) -> list[VersionSummary]:
    with store.read() as session:
        return version_history(session)


def ask_export_path(parent: QWidget, suggested: str) -> Path | None:
    name, _filter = QFileDialog.getSaveFileName(
        parent, "Export mapping version", suggested, "Mapping (*.json)"
    )
    return Path(name) if name else None


def ask_import_path(parent: QWidget, _suggested: str) -> Path | None:
    name, _filter = QFileDialog.getOpenFileName(parent, "Import a mapping", "", "Mapping (*.json)")
    return Path(name) if name else None


class VersionsPanel(QWidget):
    history_loaded = Signal()
    diff_shown = Signal()
    version_added = Signal(object)  # VersionInfo: restored, imported (the editor reloads)
    finished = Signal(str)  # the outcome of an action, in words (also in the panel)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.history: list[VersionSummary] = []
        self._select_next: int | None = None  # a version just added is shown selected
        self.ask_export_path: PathAsker = ask_export_path
        self.ask_import_path: PathAsker = ask_import_path
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)  # "What changed" fills
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        self.restore_button = QPushButton("Restore as new version")
        self.export_button = QPushButton("Export…")
        self.import_button = QPushButton("Import…")
        self.promote_button = QPushButton(f"Promote to {PRODUCTION}…")
        self.restore_button.clicked.connect(self.restore_selected)
        self.export_button.clicked.connect(self._export_clicked)
        self.import_button.clicked.connect(self._import_clicked)
        self.promote_button.clicked.connect(self.promote_selected)
        self.old_combo, self.new_combo = QComboBox(), QComboBox()
        for combo in (self.old_combo, self.new_combo):
            combo.setMinimumWidth(200)
            combo.activated.connect(lambda _i: self.compare_chosen())
        self.diff = DiffView()
        self.outcome = QLabel("")
        self.outcome.setObjectName("checkResult")
        self.outcome.setWordWrap(True)
        self._build()
        self._update_buttons()
        subscribe(self, ctx.signals.data_changed, self._data_changed)

    def _build(self) -> None:
        actions = QHBoxLayout()
        for button in (self.restore_button, self.export_button, self.import_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.promote_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(actions)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.outcome)
        compare_row = QHBoxLayout()
        compare_row.addWidget(QLabel("Compare"))
        compare_row.addWidget(self.old_combo)
        compare_row.addWidget(QLabel("with"))
        compare_row.addWidget(self.new_combo)
        compare_row.addStretch(1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(compare_row)
        bottom_layout.addWidget(self.diff, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([320, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(splitter)

    # -- history -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _data_changed(self, entity: str) -> None:
        if entity == MAPPING:
            self.refresh()

    def refresh(self) -> None:
        run_call(
            load_history,
            self.ctx.store,
            label="Loading the mapping versions",
            on_done=self._show_history,
            on_error=self._say,
            owner=self,
        )

    def _show_history(self, history: list[VersionSummary]) -> None:
        chosen = self.selected_version()
        self.history = history
        self.model.removeRows(0, self.model.rowCount())
        for item in history:
            v = item.info
            cells = [
                f"{v.version}  (active)" if v.active else str(v.version),
                v.author,
                show_local(v.created_at),  # stored UTC, shown in local time
                v.comment or "(no description)",
                item.changes,
            ]
            row = [QStandardItem(text) for text in cells]
            for cell in row:
                cell.setData(v.version, Qt.ItemDataRole.UserRole)
                cell.setToolTip(cell.text())
            if v.active:
                font = row[0].font()
                font.setBold(True)
                for cell in row:
                    cell.setFont(font)
            self.model.appendRow(row)
        for combo in (self.old_combo, self.new_combo):
            combo.clear()
            for item in history:
                combo.addItem(f"Version {item.info.version}", item.info.version)
        self.table.resizeColumnsToContents()  # after the rows: the bold active row fits too
        header = self.table.horizontalHeader()
        header.resizeSection(3, min(header.sectionSize(3), 340))
        header.resizeSection(4, 0)  # then stretched to the table's edge again
        header.setStretchLastSection(True)
        numbers = [item.info.version for item in history]
        wanted, self._select_next = self._select_next or chosen, None
        self.select_version(wanted if wanted in numbers else (numbers[0] if numbers else None))
        self._update_buttons()
        self.history_loaded.emit()

    def selected_version(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(Qt.ItemDataRole.UserRole)) if rows else None

    def select_version(self, version: int | None) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(Qt.ItemDataRole.UserRole) == version:
                self.table.selectRow(row)
                return
        self.table.clearSelection()

    def _selected(self) -> None:
        """A chosen version is compared with the one before it."""
        self._update_buttons()
        version = self.selected_version()
        if version is None:
            return
        numbers = [item.info.version for item in self.history]
        older = [n for n in numbers if n < version]
        self.compare(older[0] if older else version, version)

    def _update_buttons(self) -> None:
        chosen = self.selected_version()
        active = next((i.info.version for i in self.history if i.info.active), None)
        for button in (self.export_button, self.promote_button):
            button.setEnabled(chosen is not None)
        self.restore_button.setEnabled(chosen is not None and chosen != active)
        self.restore_button.setToolTip(
            "This version is already the active one." if chosen == active else ""
        )
        if self.ctx.profile.environment == PRODUCTION:
            self.promote_button.setEnabled(False)
            self.promote_button.setToolTip("This profile is the Production one.")

    # -- diff ----------------------------------------------------------------------------

    def compare_chosen(self) -> None:
        old, new = self.old_combo.currentData(), self.new_combo.currentData()
        if old is not None and new is not None:
            self.compare(int(old), int(new))

    def compare(self, old: int, new: int) -> None:
        for combo, number in ((self.old_combo, old), (self.new_combo, new)):
            combo.setCurrentIndex(combo.findData(number))
        self.diff.show_message(f"Comparing version {old} with version {new}…")
        run_call(
            compare,
            self.ctx.store,
            old,
            new,
            label="Comparing mapping versions",
            on_done=lambda changes: self._show_diff(old, new, changes),
            on_error=self._say,
            owner=self,
        )

    def _show_diff(self, old: int, new: int, changes: list[Change]) -> None:
        if old == new:
            same = f"Version {new} is the first version: there is nothing before it to compare."
        else:
            same = f"No differences: versions {old} and {new} map the same way."
        self.diff.show_changes(changes, same)
        self.diff_shown.emit()

    # -- actions -------------------------------------------------------------------------

    def _say(self, words: str, ok: bool = False) -> None:
        self.outcome.setText(words)
        self.outcome.setProperty("state", "ok" if ok else "bad")
        self.outcome.style().unpolish(self.outcome)
        self.outcome.style().polish(self.outcome)
        self.ctx.signals.status_message.emit(words)
        self.finished.emit(words)

    def _added(self, info: VersionInfo, words: str) -> None:
        self._say(words, ok=True)
        self._select_next = info.version
        announce_changed(MAPPING, AUDIT)  # history and editor reload; the next sync uses it
        self.version_added.emit(info)

    def restore_selected(self) -> None:
        version = self.selected_version()
        if version is None:
            return
        run_call(
            restore,
            self.ctx.store,
            version,
            self.ctx.user,
            label=f"Restoring mapping version {version}",
            on_done=lambda info: self._added(
                info, f"Version {version} restored as version {info.version}, now active."
            ),
            on_error=self._say,
            owner=self,
        )

    def _export_clicked(self) -> None:
        version = self.selected_version()
        path = self.ask_export_path(self, f"paysage-mapping-v{version}.json")
        if version is not None and path is not None:
            self.export_to(version, path)

    def export_to(self, version: int, path: Path) -> None:
        run_call(
            export_file,
            self.ctx.store,
            version,
            path,
            label=f"Exporting mapping version {version}",
            on_done=lambda _r: self._say(f"Version {version} exported to {path}.", ok=True),
            on_error=self._say,
            owner=self,
        )

    def _import_clicked(self) -> None:
        path = self.ask_import_path(self, "")
        if path is not None:
            self.import_from(path)

    def import_from(self, path: Path) -> None:
        run_call(
            import_file,
            self.ctx.store,
            path,
            self.ctx.user,
            label=f"Importing {path.name}",
            on_done=lambda info: self._added(
                info, f"{path.name} imported as version {info.version}, now active."
            ),
            on_error=lambda words: self._say(
                f"{path.name} was refused; nothing was changed. {words}"
            ),
            owner=self,
        )

    def promote_selected(self) -> None:
        version = self.selected_version()
        if version is None:
            return
        try:
            target = self.ctx.settings.production_profile()
        except SettingsError as exc:
            self._say(str(exc))
            return
        run_call(
            plan_for_profile,
            self.ctx.store,
            version,
            self.ctx.profile.name,
            target,
            label=f"Comparing version {version} with {target.name}",
            on_done=self._confirm_promotion,
            on_error=self._say,
            owner=self,
        )

    def _confirm_promotion(self, plan: PromotionPlan) -> None:
        dialog = PromoteDialog(plan, self)
        dialog.accepted.connect(lambda: self._promote(plan))
        dialog.finished.connect(dialog.deleteLater)
        self.promote_dialog = dialog
        dialog.open()

    def _promote(self, plan: PromotionPlan) -> None:
        target = self.ctx.settings.profile(plan.target_profile)
        run_call(
            promote_to_profile,
            self.ctx.store,
            plan,
            target,
            self.ctx.user,
            label=f"Promoting version {plan.version} to {plan.target_profile}",
            on_done=lambda info: self._promoted(plan, info),
            on_error=self._say,
            owner=self,
        )

    def _promoted(self, plan: PromotionPlan, info: VersionInfo) -> None:
        self._say(
            f"Version {plan.version} promoted: {plan.target_profile} now uses it as its "
            f"version {info.version}. Recorded in both audit trails.",
            ok=True,
        )
        announce_changed(AUDIT)
