"""The exceptions queue: dead letters, changed-after-posting items and the rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_

from app.store.models import ExceptionItem
from app.ui.models.reconciliation import like_pattern
from app.ui.models.sql_query import Column
from app.ui.models.sql_table import SqlTableModel

E = ExceptionItem.__table__

CATEGORY_WORDS = {
    "dead_letter": "Could not post",
    "changed_after_posting": "Changed after posting",
    "parse_error": "Unreadable record",
    "chargeback": "Chargeback",
    "anomaly": "Unusual",
    "review": "Needs review",
}


@dataclass(frozen=True)
class ExceptionFilter:
    status: str = "open"  # open / resolved / discarded / "" (any)
    category: str = ""
    reason_code: str = ""
    text: str = ""

    def clauses(self) -> list[Any]:
        where: list[Any] = []
        if self.status:
            where.append(E.c.status == self.status)
        if self.category:
            where.append(E.c.category == self.category)
        if self.reason_code:
            where.append(E.c.reason_code == self.reason_code)
        if self.text.strip():
            pattern = like_pattern(self.text.strip())
            where.append(
                or_(E.c.title.like(pattern, escape="\\"), E.c.detail.like(pattern, escape="\\"))
            )
        return where


class ExceptionsModel(SqlTableModel):
    columns = (
        Column("created", "Raised", E.c.created_at, "datetime", not_null=True, width=150),
        Column("category", "Kind", E.c.category, not_null=True, width=165),
        Column("reason_code", "Reason", E.c.reason_code, "status", not_null=True, width=165),
        Column("title", "What happened", E.c.title, width=360),
        Column("status", "Status", E.c.status, "status", not_null=True, width=80),
    )
    hidden = (
        Column("detail", "Detail", E.c.detail),
        Column("transaction_id", "Transaction", E.c.transaction_id, "int"),
        Column("outbox_id", "Outbox", E.c.outbox_id, "int"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.filter = ExceptionFilter()
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return E

    def key(self) -> Any:
        return E.c.id

    def where(self) -> list[Any]:
        return self.filter.clauses()

    def set_filter(self, new: ExceptionFilter) -> None:
        self.filter = new
        self.refresh()

    def data(self, index: Any, role: int = 0) -> Any:
        from PySide6.QtCore import Qt

        value = super().data(index, role)
        shown = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
        if role in shown and index.column() == 1 and value:
            return CATEGORY_WORDS.get(str(value), str(value))
        return value
