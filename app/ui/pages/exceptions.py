"""Exceptions: dead letters and changed-after-posting items grouped by reason. Edit the
payload, retry one or a whole group, resolve by hand with a note, or discard with a reason.
Nothing here is ever dropped silently: every action is the exception-queue service's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.pan import redact_card_numbers
from app.queries.exception_groups import exception_groups, exception_payload
from app.queries.exceptions import CATEGORY_WORDS, ExceptionFilter
from app.sync.alerts import is_posting_alert
from app.ui import services
from app.ui.changes import Changed
from app.ui.context import UiContext
from app.ui.models.exceptions import ExceptionsModel
from app.ui.ops import run_call, run_mutation
from app.ui.signals import EXCEPTIONS, subscribe
from app.ui.widgets.filters import SearchBox
from app.ui.widgets.grid_view import GridView
from app.ui.widgets.notices import notify
from app.ui.widgets.payload_table import PayloadTable

STATUSES = (("Open", "open"), ("Resolved", "resolved"), ("Discarded", "discarded"), ("All", ""))
T = TypeVar("T")


class ExceptionsPage(QWidget):
    page_key = "exceptions"
    title = "Exceptions"
    # Retrying the "Sage Pro cannot be reached" alert asks the window for a Sync now.
    sync_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ExceptionsModel(ctx.store, self)
        self._wanted: int | None = None  # the item a link asked for (see show_item)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.status = QComboBox()
        for words, value in STATUSES:
            self.status.addItem(words, value)
        self.text = SearchBox("Search what happened…")
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.status)
        bar.addWidget(self.text, 1)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.groups = QTreeWidget()
        self.groups.setHeaderLabels(["Reason", "Items"])
        self.groups.setRootIsDecorated(False)
        self.groups.setColumnWidth(0, 230)
        self.groups.setMinimumWidth(290)
        self.groups.currentItemChanged.connect(lambda _c, _p: self.apply_filter())
        split.addWidget(self.groups)
        middle = QSplitter(Qt.Orientation.Vertical)
        self.grid = GridView(self.model, sort_key="created", descending=True)
        middle.addWidget(self.grid)
        middle.addWidget(self._detail_panel())
        middle.setSizes([360, 300])
        split.addWidget(middle)
        split.setSizes([290, 770])
        layout.addWidget(split, 1)
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.text.search.connect(lambda _t: self.apply_filter())
        self.grid.selectionModel().currentRowChanged.connect(lambda c, _p: self._show(c.row()))
        self.model.reset_done.connect(self._select_first)
        subscribe(
            self, ctx.signals.data_changed, lambda e: self.reload() if e == EXCEPTIONS else None
        )
        self.reload()

    def _detail_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel("Select an item.")
        self.title_label.setObjectName("detailTitle")
        self.title_label.setWordWrap(True)
        self.detail_label = QLabel("")
        self.detail_label.setWordWrap(True)
        # What a retry sends, as a labelled table; the exact text (JSON) only when the
        # user asks to edit it.
        self.payload_table = PayloadTable()
        self.payload_table.base_currency = self.ctx.profile.base_currency
        self.payload = QPlainTextEdit()
        self.payload.setObjectName("payloadEditor")
        self.payload.setPlaceholderText("What is sent on retry, as text (JSON)")
        self.payload.setVisible(False)
        layout.addWidget(self.title_label)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.payload_table, 1)
        layout.addWidget(self.payload, 1)
        buttons = QHBoxLayout()
        self.edit_text = QPushButton("Edit as text")
        self.edit_text.setCheckable(True)
        self.edit_text.toggled.connect(self._edit_as_text)
        buttons.addWidget(self.edit_text)
        self.action_buttons: dict[str, QPushButton] = {}
        for text, slot in (
            ("Save payload", self.save_payload),
            ("Retry", self.retry_one),
            ("Retry whole group", self.retry_group),
            ("Resolve by hand…", self.resolve),
            ("Discard…", self.discard),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.action_buttons[text] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return panel

    # -- groups and rows -------------------------------------------------------------------

    def reload(self) -> None:
        run_call(
            exception_groups,
            self.ctx.store,
            str(self.status.currentData()),
            label="Loading exceptions",
            on_done=self._show_groups,
            on_error=self.ctx.signals.status_message.emit,
            owner=self,
        )
        self.apply_filter()

    def _show_groups(self, groups: list[tuple[str, str, int]]) -> None:
        current = self._group()
        self.groups.blockSignals(True)
        self.groups.clear()
        total = sum(n for _c, _r, n in groups)
        everything = QTreeWidgetItem(["Everything", str(total)])
        everything.setData(0, Qt.ItemDataRole.UserRole, ("", ""))
        self.groups.addTopLevelItem(everything)
        for category, reason, count in groups:
            words = f"{CATEGORY_WORDS.get(category, category)}: {reason.replace('_', ' ')}"
            item = QTreeWidgetItem([words, str(count)])
            item.setData(0, Qt.ItemDataRole.UserRole, (category, reason))
            item.setToolTip(0, words)
            self.groups.addTopLevelItem(item)
            if (category, reason) == current:
                self.groups.setCurrentItem(item)
        if self.groups.currentItem() is None:
            self.groups.setCurrentItem(everything)
        self.groups.blockSignals(False)

    def _group(self) -> tuple[str, str]:
        item = self.groups.currentItem()
        data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return (str(data[0]), str(data[1])) if data else ("", "")

    def apply_filter(self) -> None:
        category, reason = self._group()
        self.model.set_filter(
            ExceptionFilter(
                status=str(self.status.currentData()),
                category=category,
                reason_code=reason,
                text=self.text.text(),
            )
        )

    def show_item(self, item_id: int | None) -> None:
        """Every open item, earlier searches cleared; ``item_id`` selected once the grid
        has it (a notification's link)."""
        self._wanted = item_id
        for widget in (self.status, self.text, self.groups):
            widget.blockSignals(True)
        self.status.setCurrentIndex(max(0, self.status.findData("open")))
        self.text.clear()
        everything = self.groups.topLevelItem(0)
        if everything is not None:
            self.groups.setCurrentItem(everything)
        for widget in (self.status, self.text, self.groups):
            widget.blockSignals(False)
        self.reload()

    def _select_first(self) -> None:
        wanted = None if self._wanted is None else self.model.row_of_key(self._wanted)
        self._wanted = None
        if wanted is not None:
            self.grid.select_only(wanted)
        elif self.model.rowCount():
            self.grid.select_only(0)
        else:
            self.title_label.setText("Nothing here. Good.")
            self.detail_label.setText("")
            self.payload.clear()
            self.payload_table.show_payload({})
            self._enable_actions(None)

    def _current(self) -> dict[str, Any] | None:
        return self.model.row_dict(self.grid.currentIndex().row())

    def _show(self, row: int) -> None:
        values = self.model.row_dict(row) if row >= 0 else None
        if values is None:
            return
        self.title_label.setText(str(values["title"]))
        self.detail_label.setText(str(values["detail"] or ""))
        self._enable_actions(values)
        run_call(
            exception_payload,
            self.ctx.store,
            int(values["_key"]),
            label="Loading payload",
            on_done=self._show_payload,
            on_error=self.ctx.signals.status_message.emit,
            owner=self,
        )

    def _enable_actions(self, values: dict[str, Any] | None) -> None:
        """Only what applies to this item can be pressed; the tooltip says why not."""
        is_open = values is not None and values["status"] == "open"
        posting = is_open and values is not None and values["outbox_id"] is not None
        alert = (
            is_open
            and values is not None
            and is_posting_alert(str(values["category"]), str(values["reason_code"]))
        )
        no_posting = "This item is not about a posting to Sage Pro, so nothing can be sent."
        closed = "This item is already closed."
        rules = {
            "Save payload": (posting, no_posting),
            "Retry": (posting or alert, no_posting),
            "Retry whole group": (posting or alert, no_posting),
            "Resolve by hand…": (is_open, closed),
            "Discard…": (is_open, closed),
        }
        for text, (enabled, why_not) in rules.items():
            button = self.action_buttons[text]
            button.setEnabled(enabled)
            button.setToolTip("" if enabled or values is None else why_not)
        self.edit_text.setEnabled(posting)
        if not posting:
            self.edit_text.setChecked(False)

    def _show_payload(self, payload: dict[str, Any]) -> None:
        self.payload.setPlainText(redact_card_numbers(json.dumps(payload, indent=2, default=str)))
        self.payload_table.show_payload(payload if isinstance(payload, dict) else {})

    def _edit_as_text(self, on: bool) -> None:
        self.payload.setVisible(on)
        self.payload_table.setVisible(not on)

    # -- actions ---------------------------------------------------------------------------

    def _act(
        self,
        label: str,
        fn: Callable[[], Changed[T]],
        words: str,
        then: Callable[[], None] | None = None,
    ) -> None:
        """An exception-queue action off the GUI thread; what it changed refreshes every page."""

        def done(_result: object) -> None:
            self.ctx.signals.status_message.emit(words)
            if then is not None:
                then()

        def failed(message: str) -> None:
            notify(self, "Paysage", message, warning=True)

        run_mutation(
            fn,
            label=label,
            on_done=done,
            on_error=failed,
            owner=self,
        )

    def save_payload(self) -> None:
        row = self._current()
        if row is None:
            return
        try:
            payload = json.loads(self.payload.toPlainText() or "{}")
        except json.JSONDecodeError as exc:
            notify(
                self,
                "Payload",
                f"This is not valid JSON: {exc.msg} (line {exc.lineno}).",
                warning=True,
            )
            return
        if not isinstance(payload, dict):
            notify(self, "Payload", "The payload must be a JSON object { … }.", warning=True)
            return
        item_id, store, user = int(row["_key"]), self.ctx.store, self.ctx.user
        self._act(
            "Saving payload",
            lambda: services.edit_payload(store, item_id, payload, user=user),
            "Payload saved.",
        )

    def retry_one(self) -> None:
        row = self._current()
        if row is not None and is_posting_alert(str(row["category"]), str(row["reason_code"])):
            self._retry_posting_alert(int(row["_key"]))
        elif row is not None:
            item_id, store, user = int(row["_key"]), self.ctx.store, self.ctx.user
            self._act(
                "Retrying",
                lambda: services.retry_item(store, item_id, user=user),
                "Queued for retry.",
            )

    def _retry_posting_alert(self, item_id: int) -> None:
        """The alert has no posting of its own: every waiting posting is made due now and a
        sync is asked for (the poster looks each key up first, so nothing posts twice)."""
        store, user = self.ctx.store, self.ctx.user
        self._act(
            "Trying Sage Pro again",
            lambda: services.retry_alert(store, item_id, user=user),
            "Trying Sage Pro again: the waiting postings are sent now.",
            then=self.sync_requested.emit,
        )

    def retry_group(self) -> None:
        row = self._current()
        reason = self._group()[1] or (str(row["reason_code"]) if row else "")
        if not reason:
            return
        if row is not None and is_posting_alert(str(row["category"]), reason):
            self._retry_posting_alert(int(row["_key"]))  # there is only ever one open
            return
        store, user = self.ctx.store, self.ctx.user
        self._act(
            "Retrying group",
            lambda: services.retry_group(store, reason, user=user),
            f"Every open “{reason.replace('_', ' ')}” item was queued for retry.",
        )

    def resolve(self) -> None:
        row = self._current()
        if row is None:
            return
        note, ok = QInputDialog.getMultiLineText(
            self, "Resolve by hand", "What did you do in Sage Pro? (kept in the audit log)"
        )
        if ok and note.strip():
            item_id, store, user = int(row["_key"]), self.ctx.store, self.ctx.user
            self._act(
                "Resolving",
                lambda: services.resolve_item(store, item_id, user=user, note=note.strip()),
                "Marked resolved.",
            )

    def discard(self) -> None:
        row = self._current()
        if row is None:
            return
        reason, ok = QInputDialog.getText(self, "Discard", "Why is this safe to discard?")
        if ok and reason.strip():
            item_id, store, user = int(row["_key"]), self.ctx.store, self.ctx.user
            self._act(
                "Discarding",
                lambda: services.discard_item(store, item_id, user=user, reason=reason.strip()),
                "Discarded.",
            )
