"""The audit log grid's SQL: append-only events, searchable and filterable by entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, or_

from app.queries.sql_query import Column
from app.store.like import like_pattern
from app.store.models import AuditEvent

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


COLUMNS = (
    Column("at", "When", EV.c.at, "datetime", not_null=True, width=140),
    Column("actor", "Who", EV.c.actor, not_null=True, width=100),
    Column("action", "Action", EV.c.action, "words", not_null=True, width=150),
    Column("entity_type", "Entity", EV.c.entity_type, "words", not_null=True, width=110),
    Column("entity_id", "Id", EV.c.entity_id, not_null=True, width=110),
    Column("after", "Change", cast(EV.c.after, String), "change", sortable=False, width=420),
)
SOURCE = EV
KEY = EV.c.id
