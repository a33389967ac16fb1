"""Lists as Sage Pro answers them: filters (ids and references without regard to case,
unknown parameters ignored, ``modified_since`` as ISO 8601) and the list wrapper
``{"items", "page", "page_size", "total"}`` with ``page_size`` 100 by default, 1,000 at most.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

from app.sandbox.http_base import SandboxResponse
from app.sandbox.sagepro.books import MODIFIED, public, same_key
from app.sandbox.sagepro.errors import invalid
from app.sandbox.sagepro.store import Doc

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

Predicate = Callable[[Doc], bool]


class Query:
    """Query parameters by name, matched without regard to the name's case."""

    def __init__(self, params: dict[str, str]) -> None:
        self._params = {name.lower(): value for name, value in params.items()}

    def get(self, name: str) -> str:
        return self._params.get(name.lower(), "").strip()

    def number(self, name: str, default: int) -> int:
        text = self.get(name)
        if not text:
            return default
        try:
            value = int(text)
        except ValueError:
            raise invalid(name, "must be a whole number") from None
        if value < 1:
            raise invalid(name, "must be 1 or more")
        return value

    def day(self, name: str) -> date | None:
        text = self.get(name)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise invalid(name, "must be a date as YYYY-MM-DD") from None

    def moment(self, name: str) -> datetime | None:
        text = self.get(name)
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text.replace(" ", "+"))
        except ValueError:
            raise invalid(name, "must be an ISO 8601 date-time") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def key_filters(query: Query, fields: dict[str, str]) -> list[Predicate]:
    """Equality filters on id/reference fields, ignoring case: parameter → record field."""
    predicates: list[Predicate] = []
    for param, field in fields.items():
        wanted = query.get(param)
        if wanted:
            predicates.append(_equals(field, wanted))
    since = query.moment("modified_since")
    if since is not None:
        predicates.append(lambda doc: datetime.fromisoformat(doc[MODIFIED]) >= since)
    return predicates


def _equals(field: str, wanted: str) -> Predicate:
    return lambda doc: same_key(doc.get(field) or "", wanted)


def date_range(query: Query, field: str) -> list[Predicate]:
    """``from``/``to`` on a date field, both ends included."""
    predicates: list[Predicate] = []
    start, end = query.day("from"), query.day("to")
    if start is not None:
        predicates.append(lambda doc: date.fromisoformat(doc[field]) >= start)
    if end is not None:
        predicates.append(lambda doc: date.fromisoformat(doc[field]) <= end)
    return predicates


def list_response(
    docs: Iterable[Doc], query: Query, predicates: Iterable[Predicate] = ()
) -> SandboxResponse:
    page = query.number("page", 1)
    page_size = min(query.number("page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    checks = list(predicates)
    matching = [doc for doc in docs if all(check(doc) for check in checks)]
    start = (page - 1) * page_size
    items = [public(doc) for doc in matching[start : start + page_size]]
    return SandboxResponse(
        200, {"items": items, "page": page, "page_size": page_size, "total": len(matching)}
    )
