"""Whether a mapping version may go live: no validation errors, and every mapped field's
transforms computed on the sample rows (the newest stored PayTrace rows).

A field whose transforms fail on every sample row it applies to could never post, so such
a version is refused with one sentence per field saying where and why. A field that fails
on some rows only is a warning: those rows will wait in the review queue with the reason.
Locked and pipeline-supplied fields are Paysage's (``locked``) and are not tried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.mapping.apply import map_field
from app.mapping.document import FieldMapping, MappingDocument, TargetRecord
from app.mapping.locked import is_locked
from app.mapping.source_row import with_derived_fields
from app.mapping.target_values import TargetValueError
from app.mapping.transforms import TransformContext, TransformError
from app.mapping.validation import (
    ERROR,
    WARNING,
    InvalidMappingDocumentError,
    ValidationIssue,
    errors_of,
    validate_document,
)


@dataclass(frozen=True)
class SampleResult:
    """One mapped field on one sample row: its value, or why it failed."""

    target: str
    transaction_id: str
    value: Any = None
    problem: str | None = None


def _applies(record: TargetRecord, row: Mapping[str, Any]) -> bool:
    kind = str(row.get("transaction_type") or "").strip().upper()
    return not record.transaction_types or kind in {t.upper() for t in record.transaction_types}


def _tried(document: MappingDocument) -> list[tuple[FieldMapping, TargetRecord]]:
    tried = []
    for mapping in document.mappings:
        record = document.record(mapping.record)
        target = document.target_field(mapping.target)
        if record is None or target is None or target.caller_supplied:
            continue
        if not is_locked(mapping.target):
            tried.append((mapping, record))
    return tried


def sample_results(
    document: MappingDocument, rows: Sequence[Mapping[str, Any]]
) -> list[SampleResult]:
    """Every governed field computed on every sample row its record applies to."""
    results = []
    facts = [with_derived_fields(row) for row in rows]
    for mapping, record in _tried(document):
        target = document.target_field(mapping.target)
        assert target is not None  # _tried keeps known targets only
        for row in facts:
            if not _applies(record, row):
                continue
            tid = str(row.get("transaction_id") or "?")
            context = TransformContext(row=row, document=document)
            try:
                value = map_field(mapping, target, context)
            except (TransformError, TargetValueError) as exc:
                results.append(SampleResult(mapping.target, tid, problem=str(exc)))
            else:
                results.append(SampleResult(mapping.target, tid, value=value))
    return results


def sample_issues(
    document: MappingDocument, rows: Sequence[Mapping[str, Any]]
) -> list[ValidationIssue]:
    """An error for each field that fails on every sample row, a warning for some rows."""
    by_target: dict[str, list[SampleResult]] = {}
    for result in sample_results(document, rows):
        by_target.setdefault(result.target, []).append(result)
    issues = []
    for target, results in by_target.items():
        failed = [r for r in results if r.problem]
        if not failed:
            continue
        first = failed[0]
        if len(failed) == len(results):
            message = (
                f"{target} fails on all {len(results)} sample row(s), so it could never post; "
                f"on transaction {first.transaction_id}: {first.problem}."
            )
            issues.append(ValidationIssue(ERROR, "sample_failed", message, target))
        else:
            message = (
                f"{target} fails on {len(failed)} of {len(results)} sample rows (transaction "
                f"{first.transaction_id}: {first.problem}); those rows will wait for review."
            )
            issues.append(ValidationIssue(WARNING, "sample_failed", message, target))
    return issues


def require_activatable(document: MappingDocument, rows: Sequence[Mapping[str, Any]]) -> None:
    """Refuse (``InvalidMappingDocumentError``, every reason listed) a version that cannot
    go live: validation errors, or a field that fails on every sample row."""
    found = errors_of(validate_document(document) + sample_issues(document, rows))
    if found:
        raise InvalidMappingDocumentError(found)
