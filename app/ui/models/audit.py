"""The audit log: append-only events, searchable and filterable by entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, or_

from app.store.models import AuditEvent
from app.ui.models.reconciliation import like_pattern
from app.ui.models.sql_query import Column
from app.ui.models.sql_table import SqlTableModel

EV = AuditEvent.__table__


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str = ""
    entity_id: str = ""
    text: str = ""

    def clauses(self) -> list[Any]:
        where: list[Any] = []
        if self.entity_type:
            where.append(EV.c.entity_type == self.entity_type)
        if self.entity_id.strip():
            where.append(EV.c.entity_id == self.entity_id.strip())
        if self.text.strip():
            pattern = like_pattern(self.text.strip())
            where.append(
                or_(
                    EV.c.action.like(pattern, escape="\\"),
                    EV.c.actor.like(pattern, escape="\\"),
                    EV.c.entity_id.like(pattern, escape="\\"),
                    cast(EV.c.after, String).like(pattern, escape="\\"),
                )
            )
        return where


class AuditModel(SqlTableModel):
    columns = (
        Column("at", "When", EV.c.at, "datetime", not_null=True, width=140),
        Column("actor", "Who", EV.c.actor, not_null=True, width=100),
        Column("action", "Action", EV.c.action, "words", not_null=True, width=150),
        Column("entity_type", "Entity", EV.c.entity_type, "words", not_null=True, width=110),
        Column("entity_id", "Id", EV.c.entity_id, not_null=True, width=110),
        Column("after", "Change", cast(EV.c.after, String), "change", sortable=False, width=420),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.filter = AuditFilter()
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return EV

    def key(self) -> Any:
        return EV.c.id

    def where(self) -> list[Any]:
        return self.filter.clauses()

    def set_filter(self, new: AuditFilter) -> None:
        self.filter = new
        self.refresh()
