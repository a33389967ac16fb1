"""Preview: a mapping applied to sample rows, each showing its payloads or its error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping.apply import MappedRecord, MappingContext, MappingError, apply_mapping
from app.mapping.document import MappingDocument
from app.store.models import RawRecord

PAYTRACE_TRANSACTION_SOURCE = "paytrace.transaction"


@dataclass(frozen=True)
class PreviewRow:
    index: int
    source: Mapping[str, Any]
    result: MappedRecord | MappingError

    @property
    def ok(self) -> bool:
        return isinstance(self.result, MappedRecord)

    def value(self, target: str) -> Any:
        """The mapped value of ``Record.Field`` (nested names allowed), or None."""
        if not isinstance(self.result, MappedRecord):
            return None
        record, _, name = target.partition(".")
        value: Any = self.result.payloads.get(record)
        for part in name.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    def problem(self, target: str) -> str | None:
        if isinstance(self.result, MappingError):
            for problem in self.result.problems:
                if problem.target == target:
                    return problem.message
        return None


def preview_mapping(
    document: MappingDocument,
    rows: Iterable[Mapping[str, Any]],
    context: MappingContext | None = None,
) -> list[PreviewRow]:
    return [
        PreviewRow(index, row, apply_mapping(document, row, context))
        for index, row in enumerate(rows)
    ]


def load_sample_rows(session: Session, limit: int = 25) -> list[dict[str, Any]]:
    """The newest ``limit`` PayTrace transaction payloads from ``raw_records`` (redacted)."""
    statement = (
        select(RawRecord.payload)
        .where(RawRecord.source == PAYTRACE_TRANSACTION_SOURCE)
        .order_by(RawRecord.id.desc())
        .limit(limit)
    )
    return [dict(payload) for payload in session.scalars(statement)]
