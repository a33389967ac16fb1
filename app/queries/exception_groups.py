"""Open exceptions grouped by kind and reason, with counts (Qt-free)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.store import Store
from app.store.models import ExceptionItem


def exception_groups(store: Store, status: str = "open") -> list[tuple[str, str, int]]:
    """(category, reason_code, count), biggest first."""
    stmt = select(ExceptionItem.category, ExceptionItem.reason_code, func.count()).group_by(
        ExceptionItem.category, ExceptionItem.reason_code
    )
    if status:
        stmt = stmt.where(ExceptionItem.status == status)
    with store.read() as s:
        rows = s.execute(stmt).all()
    return sorted(((c, r, int(n)) for c, r, n in rows), key=lambda g: (-g[2], g[0], g[1]))


def exception_payload(store: Store, item_id: int) -> dict[str, Any]:
    with store.read() as s:
        item = s.get(ExceptionItem, item_id)
        return dict(item.payload or {}) if item is not None else {}
