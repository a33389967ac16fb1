"""The exceptions queue grid's SQL: dead letters, changed-after-posting items and the rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_

from app.queries.sql_query import Column
from app.store.like import like_pattern
from app.store.models import ExceptionItem

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


COLUMNS = (
    Column("created", "Raised", E.c.created_at, "datetime", not_null=True, width=150),
    Column("category", "Kind", E.c.category, not_null=True, width=165),
    Column("reason_code", "Reason", E.c.reason_code, "status", not_null=True, width=165),
    Column("title", "What happened", E.c.title, width=360),
    Column("status", "Status", E.c.status, "status", not_null=True, width=80),
)
HIDDEN = (
    Column("detail", "Detail", E.c.detail),
    Column("transaction_id", "Transaction", E.c.transaction_id, "int"),
    Column("outbox_id", "Outbox", E.c.outbox_id, "int"),
)
SOURCE = E
KEY = E.c.id


def category_words(category: str) -> str:
    return CATEGORY_WORDS.get(category, category)
