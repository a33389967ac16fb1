"""The SQL behind a grid: columns, the FROM/WHERE a page builds, ordering and block reads.

Qt-free so the same statement serves the grid, its exports and the benchmark. Sorting is
always ``ORDER BY <column>, <key>`` so every row has one place and keyset paging is exact.

At a million rows the plan matters more than the SQL text: ``DrivingJoin`` makes SQLite walk
the left table first (``CROSS JOIN``), so ``ORDER BY <indexed column> LIMIT n`` reads n rows
along that index instead of sorting the whole joined result; ``checked_per_row`` keeps a
filter term off an index so the sort's index can be walked instead; ``interrupt_when`` stops a
query whose answer nobody wants any more (the user typed on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, func, select, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Join
from sqlalchemy.sql.util import find_tables
from sqlalchemy.sql.visitors import replacement_traverse

from app.domain.display_time import show_date, show_local, show_time
from app.domain.money import display_money
from app.domain.words import describe_change, field_words
from app.queries.windowing import BlockPlan


def format_value(kind: str, value: Any, *, currency: str = "", base: str = "USD") -> str:
    """A cell's text; an amount in ``currency`` (blank: ``base``, the company's own) carries
    that currency's sign."""
    if value is None or value == "":
        return ""
    if kind == "money":
        return display_money(int(value), cents=True, currency=currency, base=base)
    if kind == "date" and isinstance(value, date | datetime):
        return show_date(value)
    if kind == "datetime" and isinstance(value, datetime):
        return show_local(value)  # stored UTC, shown in local time
    if kind == "status":
        return str(value).replace("_", " ").capitalize()
    if kind == "time" and isinstance(value, datetime):
        return show_time(value)  # PayTrace's wall-clock time: already the merchant's
    if kind == "percent":
        return f"{value}%"
    if kind == "words":
        return field_words(str(value))
    if kind == "change":
        return describe_change(value)
    return str(value)


class DrivingJoin(Join):
    """An inner join whose left side is scanned first. On SQLite it is written ``CROSS JOIN``,
    which the planner never reorders; other databases plan it as an ordinary join."""

    inherit_cache = True


@compiles(DrivingJoin, "sqlite")
def _cross_join(element: DrivingJoin, compiler: Any, **kw: Any) -> str:
    return str(compiler.visit_join(element, **kw)).replace(" JOIN ", " CROSS JOIN ", 1)


def driving_join(left: FromClause, right: FromClause, onclause: Any) -> DrivingJoin:
    if isinstance(left, Join):
        raise ValueError("the driving table must be a plain table")
    return DrivingJoin(left, right, onclause)


class CheckedPerRow(FunctionElement[Any]):
    """A column's value as a filter reads it row by row, never through an index on it. On
    SQLite it is written ``+column`` (the unary plus SQLite documents for exactly this; it
    drops the column's affinity, so compare it only with values of the column's own type);
    other databases get the plain column."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(CheckedPerRow)
def _plain_column(element: CheckedPerRow, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(CheckedPerRow, "sqlite")
def _unary_plus(element: CheckedPerRow, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))


def checked_per_row(clause: ColumnElement[bool], column: ColumnElement[Any]) -> ColumnElement[bool]:
    """``clause`` with ``column`` tested on each row read rather than seeked: the plan then
    walks the sort column's index, which wins when most rows pass the test anyway."""

    def swap(element: Any, **_kw: Any) -> Any:
        if element is column:
            return CheckedPerRow(column)
        return None

    replaced: ColumnElement[bool] = replacement_traverse(clause, {}, swap)
    return replaced


def prefix_range(column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    """``column`` starts with ``text`` as a range an ordinary (binary) index can seek."""
    following = text[:-1] + chr(ord(text[-1]) + 1)
    return (column >= text) & (column < following)


class QueryCancelledError(Exception):
    """The query was stopped because a newer one replaced it."""


@contextmanager
def interrupt_when(session: Session, cancelled: Callable[[], bool]) -> Iterator[None]:
    """Abort SQLite work in ``session`` once ``cancelled()`` turns true (checked every few
    thousand VM steps), raising ``QueryCancelledError``. Other databases run to the end."""
    raw = session.connection().connection.dbapi_connection
    setter = getattr(raw, "set_progress_handler", None)
    if setter is None:
        yield
        return
    setter(lambda: 1 if cancelled() else 0, 5_000)
    try:
        yield
    except OperationalError:
        if cancelled():
            raise QueryCancelledError() from None
        raise
    finally:
        setter(None, 0)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    expr: ColumnElement[Any]
    # text / money (cents) / date / datetime / int / percent / status / words (a code as
    # words) / change (an audited JSON change as a sentence)
    kind: str = "text"
    sortable: bool = True
    # True only when the value is never NULL: keyset paging skips NULLs, offsets do not.
    not_null: bool = False
    width: int = 110
    tooltip: str = ""
    # money: the key of the column (shown or hidden) holding the row's currency code;
    # "" = always the company's base currency
    currency: str = ""


@dataclass(frozen=True)
class QuerySpec:
    """One immutable query state, captured on the GUI thread and run on a worker."""

    columns: Sequence[Column]  # shown columns, then hidden ones
    source: FromClause
    key: ColumnElement[Any]
    where: Sequence[ColumnElement[bool]] = field(default_factory=tuple)
    sort: Column | None = None
    descending: bool = False
    sum_expr: ColumnElement[Any] | None = None
    # The table with exactly one row per result row (the joins add columns, never rows or
    # filters), or None: counting it alone is then the same count.
    count_from: FromClause | None = None

    @property
    def keyset_ok(self) -> bool:
        return self.sort is None or self.sort.not_null

    def _order_parts(self) -> list[ColumnElement[Any]]:
        parts = [] if self.sort is None else [self.sort.expr]
        return [*parts, self.key]

    def ordered(self, *, reverse: bool = False) -> Select[Any]:
        descending = self.descending != reverse
        order = [p.desc() if descending else p.asc() for p in self._order_parts()]
        stmt = select(*(c.expr.label(c.key) for c in self.columns), self.key.label("_key"))
        stmt = stmt.select_from(self.source).where(*self.where)
        return stmt.order_by(*order)

    def block_statement(self, plan: BlockPlan) -> Select[Any]:
        stmt = self.ordered(reverse=plan.reverse)
        if plan.boundary is not None:
            parts = self._order_parts()
            lhs = tuple_(*parts) if len(parts) > 1 else parts[0]
            value = plan.boundary if len(parts) > 1 else plan.boundary[1]
            rhs = tuple_(*value) if len(parts) > 1 else value
            going_down = self.descending != plan.reverse
            stmt = stmt.where(lhs < rhs if going_down else lhs > rhs)
            if len(parts) > 1:
                # Implied by the row value, but only this plain bound lets SQLite seek the
                # sort column's index (a row value spanning two tables cannot).
                first = parts[0]
                stmt = stmt.where(first <= value[0] if going_down else first >= value[0])
        return stmt.offset(plan.offset or None).limit(plan.limit)

    def boundary_of(self, row: Sequence[Any]) -> tuple[Any, Any] | None:
        """The (sort value, key) of a fetched row, or None when keyset paging is unsafe."""
        if not self.keyset_ok:
            return None
        key = row[-1]
        if self.sort is None:
            return (key, key)
        value = row[[c.key for c in self.columns].index(self.sort.key)]
        return None if value is None else (value, key)

    def totals_statement(self, keys: Sequence[Any] | None = None) -> Select[Any]:
        """Count (and sum) of the rows; of just ``keys`` when every row is already known."""
        total = func.coalesce(func.sum(self.sum_expr), 0) if self.sum_expr is not None else None
        parts: list[Any] = [func.count()]
        if total is not None:
            parts.append(total)
        stmt = select(*parts).select_from(self.source)
        if keys is not None:
            return stmt.where(self.key.in_(list(keys)))
        return stmt.where(*self.where)

    def _count_alone(self) -> Select[Any] | None:
        """The count from ``count_from`` alone, when the filter needs no other table."""
        if self.count_from is None:
            return None
        alone = select(func.count()).select_from(self.count_from).where(*self.where)
        return alone if alone.get_final_froms() == [self.count_from] else None

    @property
    def count_alone_cheaper(self) -> bool:
        """Whether the count can skip the joins (an index count) while the sum cannot."""
        return self.sum_expr is not None and self._count_alone() is not None

    def count_statement(self) -> Select[Any]:
        alone = self._count_alone()
        if alone is not None:
            return alone
        return select(func.count()).select_from(self.source).where(*self.where)

    def totals_of(self, rows: Sequence[Sequence[Any]]) -> tuple[int, int | None] | None:
        """Count and sum of ``rows`` when they are all the rows and the summed column is
        among them (no query needed); None when the sum needs SQL."""
        if self.sum_expr is None:
            return len(rows), None
        for i, column in enumerate(self.columns):
            if column.expr is self.sum_expr:
                return len(rows), sum(int(row[i] or 0) for row in rows)
        return None

    def totals_key(self) -> str:
        """Equal for two specs whose totals are equal: the same filter over the same tables.
        The sort may differ, and with it which table a join reads first (a re-sort by
        customer drives from proposals, one by date from transactions: the same rows)."""
        tables = sorted(str(getattr(t, "name", t)) for t in find_tables(self.source))
        # Compiled only, never run: the FROM list it derives is of no matter here.
        totals = self.totals_statement().selected_columns
        compiled = select(*totals).where(*self.where).compile()
        params = sorted(compiled.params.items(), key=repr)
        return f"{tables}|{compiled}|{params!r}"


def read_block(session: Session, spec: QuerySpec, plan: BlockPlan) -> list[tuple[Any, ...]]:
    rows = [tuple(r) for r in session.execute(spec.block_statement(plan))]
    if plan.reverse:
        rows.reverse()
    return rows


def read_count(session: Session, spec: QuerySpec) -> int:
    return int(session.execute(spec.count_statement()).scalar_one())


def read_totals(
    session: Session, spec: QuerySpec, keys: Sequence[Any] | None = None
) -> tuple[int, int | None]:
    """(row count, sum of ``sum_expr`` or None)."""
    row = session.execute(spec.totals_statement(keys)).one()
    return int(row[0]), (int(row[1]) if len(row) > 1 else None)
