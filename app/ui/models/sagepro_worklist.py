"""The Sage Pro worklist grid: the Qt side of ``app.store.sagepro_worklist`` (its columns,
source and search, so sorting and filtering stay in SQL). Items waiting longer than the
alert setting are tinted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtGui import QColor

from app.clock import utcnow
from app.store import sagepro_worklist as worklist
from app.ui.models.sql_query import Column
from app.ui.models.sql_table import SqlTableModel

OVERDUE = QColor("#fde7e4")


def _column(c: worklist.WorklistColumn) -> Column:
    return Column(
        c.key,
        c.header,
        c.expr,
        c.kind,
        not_null=c.not_null,
        width=c.width,
        tooltip=c.tooltip,
        currency=c.currency,
    )


class WorklistModel(SqlTableModel):
    columns = tuple(_column(c) for c in worklist.COLUMNS)
    hidden = tuple(_column(c) for c in worklist.HIDDEN)

    def __init__(
        self,
        *args: Any,
        alert_days: int = 3,
        clock: Callable[[], datetime] = utcnow,
        **kwargs: Any,
    ) -> None:
        self.search = ""
        self.alert_days = alert_days
        self.clock = clock
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return worklist.source()

    def key(self) -> Any:
        return worklist.key()

    def where(self) -> list[Any]:
        return worklist.filters(self.search)

    def sum_expr(self) -> Any:
        return worklist.S.c.amount_cents

    def set_search(self, text: str) -> None:
        self.search = text
        self.refresh()

    def is_overdue(self, row: dict[str, Any]) -> bool:
        staged = row.get("staged_at")
        cutoff = self.clock() - timedelta(days=self.alert_days)
        return isinstance(staged, datetime) and staged <= cutoff

    def row_background(self, row: dict[str, Any]) -> QColor | None:
        return OVERDUE if self.is_overdue(row) else None
