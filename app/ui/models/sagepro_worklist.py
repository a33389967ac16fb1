"""The Sage Pro worklist grid: the Qt side of ``app.queries.sagepro_worklist`` (its columns,
source and search, so sorting and filtering stay in SQL). Overdue items are tinted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtGui import QColor
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.queries import sagepro_worklist as worklist
from app.queries.sql_query import QuerySpec
from app.ui.models.sql_table import SqlTableModel

OVERDUE = QColor("#fde7e4")


class WorklistModel(SqlTableModel):
    columns = worklist.COLUMNS
    hidden = worklist.HIDDEN

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

    def adapt_spec(self, session: Session, spec: QuerySpec) -> QuerySpec:
        # Amounts in two currencies have no one total: the bar then shows the count alone
        # (the printout and exports give one total per currency).
        return worklist.without_mixed_sum(session, spec)

    def set_search(self, text: str) -> None:
        self.search = text
        self.refresh()

    def row_background(self, row: dict[str, Any]) -> QColor | None:
        return OVERDUE if worklist.is_overdue(row, self.clock(), self.alert_days) else None
