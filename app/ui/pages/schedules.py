"""Recurring billing: the PayTrace recurrences Paysage set up, and the charges
they will make in the coming days. Stopping a schedule calls PayTrace (off the GUI thread,
safe to repeat); "New schedule…" sets one up for a customer's stored card, after a dialog
that spells out the amount and dates, since a recurrence charges a card on every date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.connectors.factory import paytrace_client
from app.domain.display_time import show_date
from app.domain.money import display_money
from app.queries.card_customers import CardCustomer, customers_with_card
from app.store import Store
from app.sync.outbound.recurring import (
    FREQUENCIES,
    ScheduleInfo,
    UpcomingCharge,
    create_recurrence,
    delete_recurrence,
    list_schedules,
    upcoming_charges,
)
from app.ui.context import UiContext
from app.ui.dialogs.recurrence_dialog import RecurrenceDialog, RecurrenceSpec
from app.ui.models.list_table import ListColumn, ListTableModel
from app.ui.ops import run_call
from app.ui.signals import AUDIT, EXCEPTIONS, announce_changed
from app.ui.widgets.empty_state import EmptyState
from app.ui.widgets.grid_view import header_room
from app.ui.widgets.notices import notify

STATUS_WORDS = {
    "creating": "Being set up",
    "active": "Active",
    "unknown": "Check in PayTrace",
    "failed": "Not set up",
    "deleted": "Stopped",
}

SCHEDULE_COLUMNS = (
    ListColumn("Customer", lambda s: s.customer_id or s.paytrace_customer_id, width=110),
    ListColumn("Amount", lambda s: s.amount, "money", width=90),
    ListColumn("How often", lambda s: FREQUENCIES.get(s.frequency, str(s.frequency)), width=150),
    ListColumn("From", lambda s: show_date(s.start_date), width=95),
    ListColumn("Charges", lambda s: s.total_count, "int", width=80),
    ListColumn(
        "Status",
        lambda s: STATUS_WORDS.get(s.status, s.status),
        width=120,
        tooltip=lambda s: f"PayTrace recurrence {s.recurrence_id}" if s.recurrence_id else "",
    ),
    ListColumn("Description", lambda s: s.description, width=220),
)

UPCOMING_COLUMNS = (
    ListColumn("Date", lambda c: show_date(c.charge_date), width=95),
    ListColumn("Customer", lambda c: c.customer_id or c.paytrace_customer_id, width=110),
    ListColumn("Amount", lambda c: c.amount, "money", width=90),
    ListColumn("Charge", lambda c: f"{c.number} of {c.total_count}", width=90),
    ListColumn("Description", lambda c: c.description, width=260),
)


def _table(model: ListTableModel, columns: tuple[ListColumn, ...]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    for i, column in enumerate(columns):
        view.setColumnWidth(
            i, max(column.width, header_room(view.horizontalHeader(), column.header))
        )
    return view


def load_schedule_view(
    store: Store, days: int, today: date
) -> tuple[list[ScheduleInfo], list[UpcomingCharge]]:
    """Both lists in one trip to the worker."""
    return list_schedules(store), upcoming_charges(store, days, today=today)


class SchedulesPage(QWidget):
    page_key = "schedules"
    title = "Recurring billing"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.schedules = ListTableModel(SCHEDULE_COLUMNS, self)
        self.upcoming = ListTableModel(UPCOMING_COLUMNS, self)
        for model in (self.schedules, self.upcoming):  # card charges: PayTrace's currency
            model.base_currency = ctx.profile.base_currency
        self.data: tuple[list[ScheduleInfo], list[UpcomingCharge]] | None = None
        self.new_dialog: RecurrenceDialog | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.new_button = QPushButton("New schedule…")
        self.new_button.setToolTip("Charge a customer's stored card on a schedule")
        self.new_button.clicked.connect(self.new_schedule)
        bar.addWidget(self.new_button)
        self.stop_button = QPushButton("Stop schedule…")
        self.stop_button.setEnabled(False)
        self.stop_button.setToolTip("Stop the selected schedule in PayTrace")
        self.stop_button.clicked.connect(self.stop_selected)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.reload)
        bar.addWidget(self.stop_button)
        bar.addWidget(refresh)
        bar.addStretch(1)
        bar.addWidget(QLabel("Upcoming charges for the next"))
        self.days = QSpinBox()
        self.days.setRange(1, 366)
        self.days.setValue(30)
        self.days.setSuffix(" days")
        self.days.valueChanged.connect(lambda _v: self.reload())
        bar.addWidget(self.days)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Schedules")
        heading.setObjectName("sectionHeading")
        upper_layout.addWidget(heading)
        self.schedule_grid = _table(self.schedules, SCHEDULE_COLUMNS)
        upper_layout.addWidget(self.schedule_grid, 1)
        split.addWidget(upper)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.upcoming_heading = QLabel("Upcoming charges")
        self.upcoming_heading.setObjectName("sectionHeading")
        lower_layout.addWidget(self.upcoming_heading)
        self.upcoming_grid = _table(self.upcoming, UPCOMING_COLUMNS)
        lower_layout.addWidget(self.upcoming_grid, 1)
        self.empty_schedules = EmptyState(
            self.schedule_grid,
            "No recurring billing yet. Press “New schedule…” to charge a customer's stored "
            "card every week, month or year; schedules already set up in PayTrace appear "
            "here after the next sync.",
            ready=lambda: self.schedules.loaded,
        )
        self.empty_upcoming = EmptyState(
            self.upcoming_grid,
            "No charges are due in this period.",
            ready=lambda: self.upcoming.loaded,
        )
        split.addWidget(lower)
        split.setSizes([330, 330])
        layout.addWidget(split, 1)
        self.note = QLabel(
            "The charges arrive with the next sync after each date and are matched like any "
            "other payment. New schedules charge the stored card of a customer "
            "(PayTrace customer profile)."
        )
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.schedule_grid.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._selection_changed()
        )
        self.reload()

    def reload(self) -> None:
        run_call(
            load_schedule_view,
            self.ctx.store,
            self.days.value(),
            self.ctx.today(),
            label="Loading recurring schedules",
            on_done=self._show,
            on_error=self._error,
            owner=self,
        )

    def money(self, amount: Decimal) -> str:
        """A card charge's amount: PayTrace's, the profile's base currency."""
        return display_money(amount, base=self.ctx.profile.base_currency)

    def _show(self, lists: tuple[list[ScheduleInfo], list[UpcomingCharge]]) -> None:
        self.data = lists
        schedules, upcoming = lists
        self.schedules.set_rows(schedules)
        self.upcoming.set_rows(upcoming)
        days = self.days.value()
        if upcoming:
            total = sum((c.amount for c in upcoming), Decimal(0))
            self.upcoming_heading.setText(
                f"Upcoming charges, next {days} days: {len(upcoming)} · {self.money(total)}"
            )
        else:
            self.upcoming_heading.setText(f"Upcoming charges: none in the next {days} days")
        self._selection_changed()

    def current(self) -> ScheduleInfo | None:
        row = self.schedule_grid.currentIndex().row()
        found = self.schedules.row(row)
        return found if isinstance(found, ScheduleInfo) else None

    def _selection_changed(self) -> None:
        chosen = self.current()
        self.stop_button.setEnabled(chosen is not None and chosen.status == "active")

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Stop recurring billing", text)
        return answer == QMessageBox.StandardButton.Yes

    def stop_selected(self) -> None:
        chosen = self.current()
        if chosen is None or chosen.status != "active":
            return
        words = (
            f"Stop charging {self.money(chosen.amount)} "
            f"{FREQUENCIES.get(chosen.frequency, '')} to customer "
            f"{chosen.customer_id or chosen.paytrace_customer_id}? PayTrace is told now; "
            "charges already made are not refunded."
        )
        if not self.confirm(words):
            return
        ctx = self.ctx

        def work() -> ScheduleInfo:
            client = paytrace_client(ctx.profile)
            return delete_recurrence(ctx.store, client, chosen.schedule_id, user=ctx.user)

        run_call(
            work,
            label="Stopping the schedule",
            on_done=self._stopped,
            on_error=self._error,
            owner=self,
        )

    def new_schedule(self) -> None:
        self.new_button.setEnabled(False)  # one dialog at a time
        run_call(
            customers_with_card,
            self.ctx.store,
            label="Loading customers with a stored card",
            on_done=self._ask_schedule,
            on_error=self._new_failed,
            owner=self,
        )

    def _ask_schedule(self, customers: list[CardCustomer]) -> None:
        dialog = RecurrenceDialog(customers, self.ctx.today(), self)
        self.new_dialog = dialog
        dialog.accepted.connect(lambda: self._create(dialog.spec()))
        dialog.finished.connect(lambda _r: self.new_button.setEnabled(True))
        dialog.open()  # not exec(): the event loop keeps running

    def _new_failed(self, words: str) -> None:
        self.new_button.setEnabled(True)
        self._error(words)

    def _create(self, spec: RecurrenceSpec | None) -> None:
        if spec is None:
            return
        store, profile, user = self.ctx.store, self.ctx.profile, self.ctx.user

        def work() -> ScheduleInfo:
            return create_recurrence(
                store,
                paytrace_client(profile),
                customer_id=spec.customer_id,
                amount=spec.amount,
                frequency=spec.frequency,
                start_date=spec.start_date,
                total_count=spec.total_count,
                description=spec.description,
                user=user,
            )

        run_call(
            work,
            label="Setting up recurring billing",
            on_done=self._created,
            on_error=self._error,
            owner=self,
        )

    def _created(self, info: ScheduleInfo) -> None:
        announce_changed(AUDIT, EXCEPTIONS)
        self.ctx.signals.status_message.emit(
            f"Recurring billing set up in PayTrace for {info.customer_id}: "
            f"{self.money(info.amount)} {FREQUENCIES.get(info.frequency, '')}."
        )
        self.reload()

    def _stopped(self, info: ScheduleInfo) -> None:
        announce_changed(AUDIT, EXCEPTIONS)
        self.ctx.signals.status_message.emit(f"Recurring billing {info.key} stopped in PayTrace.")
        self.reload()

    def _error(self, words: str) -> None:
        self.ctx.signals.status_message.emit(words)
        notify(self, "Paysage", words, warning=True)
