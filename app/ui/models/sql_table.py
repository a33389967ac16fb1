"""``SqlTableModel``: a lazy, windowed table model over one SQL query.

Sort and filter happen in SQL (ORDER BY / WHERE built from the page's filter state). The
first block is shown first; the row count (which must visit every matching row) comes
after it, and before the sum when counting alone is cheaper. Other rows are read in blocks
on a worker thread and cached (LRU); a query made stale by a newer one is interrupted. The
GUI thread only looks rows up in that cache, so a million rows scroll like a hundred.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.orm import Session

from app.domain.money import from_cents
from app.queries import sql_query as sql
from app.queries.sql_query import Column, QuerySpec
from app.queries.windowing import block_span, plan_block
from app.store import Store
from app.ui.models.sql_reads import ReadResult, read_off_thread

Index = QModelIndex | QPersistentModelIndex
_NEGATIVE = QColor("#b3261e")


class SqlTableModel(QAbstractTableModel):
    rows_shown = Signal()  # the first block is on screen (the count may still be coming)
    counted = Signal(int)  # the row count is in (the sum may still be coming)
    reset_done = Signal()  # the count and sum are known and the first block is in
    block_loaded = Signal(int)  # block number
    totals_changed = Signal(int, object)  # rows, sum (Decimal) or None
    load_failed = Signal(str)  # plain words

    columns: Sequence[Column] = ()  # shown, in order
    hidden: Sequence[Column] = ()  # fetched with each row for pages and colouring
    base_currency = "USD"  # the profile's: amounts in it show its own short sign

    def __init__(
        self,
        store: Store,
        parent: QObject | None = None,
        *,
        block_size: int = 200,
        max_blocks: int = 64,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.block_size = block_size
        self.max_blocks = max_blocks
        self._sort: Column | None = None
        self._descending = False
        self._generation = 0
        self._total = 0
        self.total_count = 0
        self.total_sum: Decimal | None = None
        self._counted_for = ""  # totals_key() of the spec the cached totals belong to
        self._counted: tuple[int, int | None] = (0, None)
        self._spec = self.build_spec()
        self._blocks: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self._pending: set[int] = set()
        # A new query's first block is on its way: the cached rows are the old query's, so
        # no block may be read (its keyset boundary would come from the wrong order).
        self._replacing = False
        self.loading = False
        self._positions = {c.key: i for i, c in enumerate([*self.columns, *self.hidden])}

    # -- what a subclass provides ----------------------------------------------------------

    def source(self) -> Any:
        raise NotImplementedError

    def key(self) -> Any:
        raise NotImplementedError

    def where(self) -> list[Any]:
        return []

    def sum_expr(self) -> Any:
        return None

    def count_from(self) -> Any:
        """The table holding exactly one row per grid row, when counting it alone (with the
        filter) is cheaper than counting the whole join; None: count the join."""
        return None

    def row_background(self, row: dict[str, Any]) -> QColor | None:
        return None

    # -- state -> SQL ----------------------------------------------------------------------

    def build_spec(self) -> QuerySpec:
        return QuerySpec(
            columns=[*self.columns, *self.hidden],
            source=self.source(),
            key=self.key(),
            where=tuple(self.where()),
            sort=self._sort,
            descending=self._descending,
            sum_expr=self.sum_expr(),
            count_from=self.count_from(),
        )

    @property
    def spec(self) -> QuerySpec:
        return self._spec

    def adapt_spec(self, session: Session, spec: QuerySpec) -> QuerySpec:
        """Worker-side chance to pick the cheaper plan for the data as it is (e.g. drive
        from the smaller table). Runs before the first block; the default keeps ``spec``."""
        return spec

    def refresh(self) -> None:
        """Re-run the query (new filter or changed data) off the GUI thread."""
        self._load(reuse_count=False)

    def _load(self, *, reuse_count: bool) -> None:
        """The first block first (rows on screen at once), then the count and sum.

        ``rows_shown`` fires when the first rows are in; ``reset_done`` once the count is
        known too. A re-sort keeps the count it already has: the rows are the same.
        """
        self._generation += 1
        generation = self._generation
        spec = self._spec = self.build_spec()
        self.loading = True
        self._replacing = True
        size = self.block_size
        known = self._counted if reuse_count and self._counted_for == spec.totals_key() else None

        def first_block(session: Session) -> tuple[QuerySpec, list[tuple[Any, ...]]]:
            chosen = self.adapt_spec(session, spec)
            first = plan_block(0, block_size=size, total=size)
            return chosen, sql.read_block(session, chosen, first)

        self._read_while_current(
            generation,
            "Loading rows",
            first_block,
            lambda result: self._first_arrived(generation, result, known),
        )

    def _first_arrived(
        self,
        generation: int,
        result: tuple[QuerySpec, list[tuple[Any, ...]]] | None,
        known: tuple[int, int | None] | None,
    ) -> None:
        if result is None or generation != self._generation:
            return
        spec, first = result
        self._spec = spec
        self.beginResetModel()
        self._replacing = False
        self._total = len(first) if known is None else known[0]
        self._blocks.clear()
        self._pending.clear()
        if first:
            self._blocks[0] = first
        self.endResetModel()
        self.rows_shown.emit()
        if known is not None:
            self._totals_arrived(generation, known)
            return
        # A short first block is every row: add it up, or count just its keys.
        keys = [row[-1] for row in first] if len(first) < self.block_size else None
        if keys is not None and (counted := spec.totals_of(first)) is not None:
            self._totals_arrived(generation, counted)
            return

        if keys is None and spec.count_alone_cheaper:
            # The count first (an index count), the sum (which reads every row) after it.
            self._read_while_current(
                generation,
                "Counting rows",
                lambda session: sql.read_count(session, spec),
                lambda count: self._count_arrived(generation, count),
            )
            return
        self._read_totals(generation, keys)

    def _read_totals(self, generation: int, keys: list[Any] | None) -> None:
        spec = self._spec
        self._read_while_current(
            generation,
            "Counting rows",
            lambda session: sql.read_totals(session, spec, keys),
            lambda totals: self._totals_arrived(generation, totals),
        )

    def _count_arrived(self, generation: int, count: int | None) -> None:
        if count is None or generation != self._generation:
            return
        self._resize(count)
        self.counted.emit(count)
        self._read_totals(generation, None)

    def _resize(self, count: int) -> None:
        shown = self._total
        if count > shown:
            self.beginInsertRows(QModelIndex(), shown, count - 1)
            self._total = count
            self.endInsertRows()
        elif count < shown:  # rows went away between the two reads
            self.beginRemoveRows(QModelIndex(), count, shown - 1)
            self._total = count
            self.endRemoveRows()

    def _totals_arrived(self, generation: int, totals: tuple[int, int | None] | None) -> None:
        if totals is None or generation != self._generation:
            return
        count, total = totals
        self._resize(count)
        self._counted_for, self._counted = self._spec.totals_key(), totals
        self.loading = False
        self.total_count = count
        self.total_sum = None if total is None else from_cents(total)
        self.totals_changed.emit(count, self.total_sum)
        self.reset_done.emit()

    def _failed(self, generation: int, words: str) -> None:
        if generation == self._generation:
            self.loading = False
            self.load_failed.emit(words)

    # -- blocks ----------------------------------------------------------------------------

    def _boundary(self, block: int, last: bool) -> tuple[Any, Any] | None:
        rows = self._blocks.get(block)
        if not rows:
            return None
        return self._spec.boundary_of(rows[-1] if last else rows[0])

    def request_block(self, block: int) -> None:
        if self._replacing or block in self._blocks or block in self._pending:
            return
        if block * self.block_size >= self._total:
            return
        self._pending.add(block)
        plan = plan_block(
            block,
            block_size=self.block_size,
            total=self._total,
            last_of_previous=self._boundary(block - 1, last=True),
            first_of_next=self._boundary(block + 1, last=False),
        )
        generation, spec = self._generation, self._spec

        self._read_while_current(
            generation,
            "Loading rows",
            lambda session: sql.read_block(session, spec, plan),
            lambda rows: self._block_arrived(generation, block, rows),
        )

    def _read_while_current(
        self,
        generation: int,
        label: str,
        read: Callable[[Session], ReadResult],
        on_done: Callable[[ReadResult | None], None],
    ) -> None:
        """``read`` off the GUI thread; interrupted once a newer query makes it stale, and
        then handed on as None."""
        read_off_thread(
            self.store,
            self,
            label,
            read,
            stale=lambda: generation != self._generation,
            on_done=on_done,
            on_error=lambda words: self._failed(generation, words),
        )

    def _block_arrived(
        self, generation: int, block: int, rows: list[tuple[Any, ...]] | None
    ) -> None:
        if rows is None or generation != self._generation:
            return
        self._pending.discard(block)
        self._blocks[block] = rows
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)
        start, end = block_span(block, self.block_size, self._total)
        if end > start:
            last_col = len(self.columns) - 1
            self.dataChanged.emit(self.index(start, 0), self.index(end - 1, last_col))
        self.block_loaded.emit(block)

    def cached_row(self, row: int) -> tuple[Any, ...] | None:
        block, offset = divmod(row, self.block_size)
        rows = self._blocks.get(block)
        if rows is None:
            if 0 <= row < self._total:
                self.request_block(block)
            return None
        self._blocks.move_to_end(block)
        return rows[offset] if offset < len(rows) else None

    def is_loaded(self, row: int) -> bool:
        return row // self.block_size in self._blocks

    def row_dict(self, row: int) -> dict[str, Any] | None:
        """Every fetched value of ``row`` by column key (plus ``_key``), or None if not loaded."""
        values = self.cached_row(row)
        if values is None:
            return None
        out = {key: values[i] for key, i in self._positions.items()}
        out["_key"] = values[-1]
        return out

    def value(self, row: int, key: str) -> Any:
        values = self.cached_row(row)
        return None if values is None else values[self._positions[key]]

    def row_of_key(self, key: Any) -> int | None:
        """Row number of a loaded row with this key."""
        for block, rows in self._blocks.items():
            for offset, values in enumerate(rows):
                if values[-1] == key:
                    return block * self.block_size + offset
        return None

    def column_index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)

    # -- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in ("money", "percent"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = self.cached_row(index.row())
            if values is None:
                return "…" if index.column() == 0 and role == Qt.ItemDataRole.DisplayRole else None
            code = (values[self._positions[column.currency]] or "") if column.currency else ""
            value = values[index.column()]
            return sql.format_value(column.kind, value, currency=code, base=self.base_currency)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in ("money", "percent", "int"):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.kind == "money":
            value = self.value(index.row(), column.key)
            return QBrush(_NEGATIVE) if isinstance(value, int) and value < 0 else None
        if role == Qt.ItemDataRole.BackgroundRole:
            row = self.row_dict(index.row())
            colour = None if row is None else self.row_background(row)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.UserRole:
            values = self.cached_row(index.row())
            return None if values is None else values[-1]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        self._sort = self.columns[column]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._load(reuse_count=True)

    def set_sort_key(self, key: str | None, *, descending: bool = False) -> None:
        """Sort by any column (shown or hidden) without a view; None = by key."""
        by_key = {c.key: c for c in [*self.columns, *self.hidden]}
        self._sort = None if key is None else by_key[key]
        self._descending = descending
