"""The reconciliation grid's filter bar: which proposals to show (a status group or the
flagged ones), dates, customer, amount range and search text, as one ``ReconFilter``."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from app.domain.money import currency_sign
from app.queries.reconciliation import STATUS_GROUPS, ReconFilter
from app.ui.widgets.filters import AmountEdit, OptionalDateEdit, SearchBox

UNUSUAL = "unusual"  # the "Show" choice for payments with an open anomaly flag


class ReconFilterBar(QWidget):
    changed = Signal()  # a box settled on a new value

    def __init__(self, base_currency: str = "USD", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
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
        sign = currency_sign("", base_currency).strip()  # PayTrace's money is in the base
        self.amount_min, self.amount_max = AmountEdit(f"Min {sign}"), AmountEdit(f"Max {sign}")
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
        self.status.currentIndexChanged.connect(lambda _i: self.changed.emit())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.changed.emit())
        for box in (self.customer, self.text):
            box.search.connect(lambda _t: self.changed.emit())
        for amount in (self.amount_min, self.amount_max):
            amount.settled.connect(self.changed.emit)

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
        """Set a "Show" view (a key of STATUS_GROUPS) with earlier searches cleared, so the
        grid shows what the dashboard counted; one ``changed`` follows."""
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
        self.changed.emit()
