"""The audit log grid; its SQL is ``app.queries.audit``."""

from __future__ import annotations

from typing import Any

from app.queries import audit
from app.queries.audit import AuditFilter
from app.ui.models.sql_table import SqlTableModel


class AuditModel(SqlTableModel):
    columns = audit.COLUMNS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.filter = AuditFilter()
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return audit.SOURCE

    def key(self) -> Any:
        return audit.KEY

    def where(self) -> list[Any]:
        return self.filter.clauses()

    def set_filter(self, new: AuditFilter) -> None:
        self.filter = new
        self.refresh()
