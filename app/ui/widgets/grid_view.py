"""The table view every grid page uses, and the line under it with counts and sums."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from app.domain.money import display_money
from app.ui.models.sql_table import SqlTableModel

HEADER_PADDING = 2 * 6 + 2  # style.qss: QHeaderView::section padding 6px a side, a border
SORT_ARROW = 16  # the sort indicator beside the text of the sorted column


def header_room(header: QHeaderView, text: str) -> int:
    """The width a header section needs to show ``text`` whole, sort arrow included."""
    font = QFont(header.font())
    font.setWeight(QFont.Weight.DemiBold)  # style.qss: font-weight 600
    return QFontMetrics(font).horizontalAdvance(text) + HEADER_PADDING + SORT_ARROW


class GridView(QTableView):
    def __init__(
        self,
        model: SqlTableModel,
        parent: QWidget | None = None,
        *,
        sort_key: str | None = None,
        descending: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setCornerButtonEnabled(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(26)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for i, column in enumerate(model.columns):
            self.setColumnWidth(i, max(column.width, header_room(header, column.header)))
        # The indicator is set first so enabling sorting runs exactly one (SQL) sort.
        sort_column = model.column_index(sort_key) if sort_key else 0
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(sort_column, order)
        self.setSortingEnabled(True)

    def grid_model(self) -> SqlTableModel:
        model = self.model()
        assert isinstance(model, SqlTableModel)
        return model

    def select_only(self, row: int) -> None:
        """Make ``row`` the current and only selected row, whatever keys are held."""
        index = self.model().index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.selectionModel().selectedRows()})


def money_text(value: Decimal | None, base: str = "USD") -> str:
    return "—" if value is None else display_money(value, base=base)


class TotalsBar(QLabel):
    """ "312 rows · $48,210.55   |   Selected: 3 · $1,204.00" (sums in ``base_currency``)."""

    def __init__(self, parent: QWidget | None = None, *, base_currency: str = "USD") -> None:
        super().__init__(parent)
        self.setObjectName("totalsBar")
        self.base_currency = base_currency
        self._view = ""
        self._selection = ""

    def show_counting(self, count: int | None = None) -> None:
        """While the totals are on their way: "counting…", then the count alone."""
        if count is None:
            self._view = "counting…"
        else:
            self._view = f"{count:,} {'row' if count == 1 else 'rows'} · adding up…"
        self._render()

    def follow(self, model: SqlTableModel) -> None:
        """Show ``model``'s totals as they come in (a ``SqlTableModel``)."""
        model.rows_shown.connect(lambda: self.show_counting() if model.loading else None)
        model.counted.connect(self.show_counting)
        model.totals_changed.connect(self.show_view)

    def show_view(self, count: int, total: Decimal | None) -> None:
        noun = "row" if count == 1 else "rows"
        total_text = f" · {money_text(total, self.base_currency)}" if total is not None else ""
        self._view = f"{count:,} {noun}{total_text}"
        self._render()

    def show_selection(self, count: int, total: Decimal | None, *, partial: bool = False) -> None:
        if count == 0:
            self._selection = ""
        else:
            amount = money_text(total, self.base_currency) + (" (loaded rows)" if partial else "")
            self._selection = f"Selected: {count:,} · {amount}"
        self._render()

    def _render(self) -> None:
        parts = [p for p in (self._view, self._selection) if p]
        self.setText("     |     ".join(parts))
