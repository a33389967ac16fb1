"""Re-match, split or put on account: choose open invoices and how much goes to each;
whatever is left over goes on account."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.exchange import ExchangeRateError, convert, parse_rate
from app.domain.money import MoneyError, currency_sign, display_money, from_cents, to_money
from app.store import Store
from app.ui.models.open_invoices import OpenInvoicesModel
from app.ui.widgets.filters import SearchBox
from app.ui.widgets.grid_view import GridView


class ApplicationsDialog(QDialog):
    def __init__(
        self,
        store: Store,
        *,
        payment: Decimal,
        customer_id: str,
        initial: list[tuple[str, Decimal]] | None = None,
        title: str = "Choose invoices",
        base_currency: str = "USD",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 560)
        self.payment = payment
        self.base_currency = base_currency
        # What the grid said of each invoice added from it: (customer id, open balance or
        # None when in another currency), for the checks made while the user types.
        self.known: dict[str, tuple[str, Decimal | None]] = {}
        self.currencies: dict[str, str] = {}  # invoice → its currency, when not the base
        self._customer_id = customer_id
        self.invoices = OpenInvoicesModel(store, self)
        self.invoices.base_currency = base_currency
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Payment of {self.money(payment)}. Double-click an invoice to add it; edit the "
            "amounts on the right. Anything not applied goes on the customer's account."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        search_row = QHBoxLayout()
        self.search = SearchBox("Search invoice number, PO, order or customer…")
        self.only_customer = QCheckBox(f"Only customer {customer_id}" if customer_id else "")
        self.only_customer.setChecked(bool(customer_id))
        self.only_customer.setVisible(bool(customer_id))
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.only_customer)
        layout.addLayout(search_row)
        body = QHBoxLayout()
        self.grid = GridView(self.invoices)
        self.grid.doubleClicked.connect(lambda index: self.add_invoice_row(index.row()))
        body.addWidget(self.grid, 3)
        body.addLayout(self._chosen_panel(base_currency), 2)
        layout.addLayout(body, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.search.search.connect(lambda _t: self._search())
        self.only_customer.toggled.connect(lambda _c: self._search())
        for invoice, amount in initial or []:
            self.add_application(invoice, amount)
        self._update_remainder()
        self._search()

    def _chosen_panel(self, base_currency: str) -> QVBoxLayout:
        """The right side: the chosen invoices, what remains, and the exchange rate."""
        right = QVBoxLayout()
        self.chosen = QTableWidget(0, 2)
        self.chosen.setHorizontalHeaderLabels(["Invoice", f"Apply ({base_currency})"])
        self.chosen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.chosen.verticalHeader().setVisible(False)
        self.chosen.itemChanged.connect(self._update_remainder)
        right.addWidget(self.chosen, 1)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self._remove_selected)
        right.addWidget(remove)
        self.remainder = QLabel()
        self.remainder.setObjectName("remainder")
        right.addWidget(self.remainder)
        # An invoice in another currency is paid only at a rate the person enters.
        rate_row = QHBoxLayout()
        rate_row.addWidget(QLabel(f"Exchange rate: 1 {base_currency} ="))
        self.rate = QLineEdit()
        self.rate.setObjectName("exchange_rate")
        self.rate.setPlaceholderText("only for an invoice in another currency")
        self.rate.textChanged.connect(self._update_conversion)
        rate_row.addWidget(self.rate, 1)
        right.addLayout(rate_row)
        self.conversion = QLabel()
        self.conversion.setObjectName("conversion")
        self.conversion.setWordWrap(True)
        right.addWidget(self.conversion)
        return right

    def _search(self) -> None:
        customer = self._customer_id if self.only_customer.isChecked() else ""
        self.invoices.search(self.search.text(), customer)

    def add_invoice_row(self, row: int) -> None:
        values = self.invoices.row_dict(row)
        if values is None:
            return
        balance = from_cents(values["balance"])
        code = str(values.get("currency") or "")
        foreign = code not in ("", self.base_currency)
        self.known[str(values["invoice_id"])] = (
            str(values.get("customer_id") or ""),
            None if foreign else balance,
        )
        if foreign:
            self.currencies[str(values["invoice_id"])] = code
        self.add_application(values["invoice_id"], min(balance, self.remaining()))

    def add_application(self, invoice_id: str, amount: Decimal) -> None:
        for row in range(self.chosen.rowCount()):
            item = self.chosen.item(row, 0)
            if item is not None and item.text() == invoice_id:
                return
        row = self.chosen.rowCount()
        self.chosen.insertRow(row)
        name = QTableWidgetItem(invoice_id)
        name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.chosen.setItem(row, 0, name)
        self.chosen.setItem(row, 1, QTableWidgetItem(self.money(max(amount, Decimal(0)))))
        self._update_remainder()

    def _remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.chosen.selectedIndexes()}, reverse=True):
            self.chosen.removeRow(row)
        self._update_remainder()

    def applications(self) -> list[tuple[str, Decimal]] | None:
        """The chosen (invoice, amount) pairs, or None when an amount is unreadable."""
        out: list[tuple[str, Decimal]] = []
        for row in range(self.chosen.rowCount()):
            invoice, amount = self.chosen.item(row, 0), self.chosen.item(row, 1)
            if invoice is None or amount is None:
                continue
            try:  # typed with or without the sign the cell was filled with
                value = to_money(amount.text().replace(currency_sign("", self.base_currency), ""))
            except MoneyError:
                return None
            out.append((invoice.text(), value))
        return out

    def remaining(self) -> Decimal:
        apps = self.applications() or []
        return self.payment - sum((a for _i, a in apps), Decimal(0))

    def on_account(self) -> Decimal:
        return max(self.remaining(), Decimal(0))

    def problem(self) -> str:
        """Why OK cannot be pressed yet ("" when it can): the checks the match is saved
        with, made while the user types so nothing typed is lost to a refusal."""
        apps = self.applications()
        if apps is None:
            return "An amount is not a number."
        if self.remaining() < 0:
            return f"Applied {self.money(-self.remaining())} more than the payment."
        if any(amount <= 0 for _i, amount in apps):
            return "Each amount must be above zero; remove an invoice to apply nothing to it."
        for invoice, amount in apps:
            balance = self.known.get(invoice, ("", None))[1]
            if balance is not None and amount > balance:
                return f"Invoice {invoice} has only {self.money(balance)} open."
        customers = {self.known[i][0] for i, _a in apps if i in self.known and self.known[i][0]}
        if len(customers) > 1:
            return (
                "These invoices belong to different customers; one payment can only pay "
                "invoices of one customer."
            )
        return ""

    def _update_remainder(self, *_args: object) -> None:
        problem = self.problem()
        self.remainder.setText(problem or f"On account: {self.money(self.on_account())}")
        self.remainder.setProperty("state", "bad" if problem else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
        self._update_conversion()  # the invoice chosen decides the currency it names

    def exchange_rate(self) -> str | None:
        """The rate as typed (checked again when the match is saved), or None when empty."""
        return self.rate.text().strip() or None

    def _update_conversion(self, *_args: object) -> None:
        if not self.rate.text().strip():
            self.conversion.setText("")
            return
        try:
            rate = parse_rate(
                self.rate.text(), base=self.base_currency, foreign="units of the invoice's currency"
            )
        except ExchangeRateError as exc:
            self.conversion.setText(str(exc))
            return
        chosen = [i for i, _a in self.applications() or [] if i in self.currencies]
        converted = convert(self.payment, rate)
        in_invoice_currency = (
            display_money(converted, currency=self.currencies[chosen[0]], base=self.base_currency)
            if chosen
            else f"{display_money(converted, currency=None)} in the invoice's currency"
        )
        self.conversion.setText(
            f"{self.money(self.payment)} × {rate} = {in_invoice_currency} "
            "(rounded half up to the cent)."
        )

    def money(self, amount: Decimal) -> str:
        """An amount of the payment's own (base) currency."""
        return display_money(amount, base=self.base_currency)

    def _accept_if_valid(self) -> None:
        if not self.problem():
            self.accept()
