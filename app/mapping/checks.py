"""One answer to "what is wrong with this mapping?", for the Checks list and the preview.

The editor's Checks list and its preview table used to ask different questions (the
document's validation versus applying it to the sample rows), so the preview could show a
failing row while Checks said "No problems", and Checks could name a broken field the
preview showed a value for. Both now read ``check_mapping``: the document's issues plus
one warning per field that fails on sample rows, and, per preview row, the row's own
problems plus the document's errors on fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.mapping.apply import MappingContext, MappingError
from app.mapping.document import MappingDocument
from app.mapping.preview import PreviewRow, preview_mapping
from app.mapping.validation import ERROR, WARNING, ValidationIssue, validate_document


@dataclass(frozen=True)
class MappingCheck:
    issues: tuple[ValidationIssue, ...]  # what the Checks list shows, errors and warnings
    preview: tuple[PreviewRow, ...]

    def field_errors(self) -> dict[str, str]:
        """``Record.Field`` → the document's first error on it (every row inherits it)."""
        errors: dict[str, str] = {}
        for issue in self.issues:
            if issue.severity == ERROR and issue.target:
                errors.setdefault(issue.target, issue.message)
        return errors

    def row_problems(self, index: int) -> dict[str, str]:
        """``Record.Field`` → what is wrong with it in preview row ``index``: the document's
        errors first, then what applying the mapping to the row found."""
        problems = self.field_errors()
        result = self.preview[index].result
        if isinstance(result, MappingError):
            for problem in result.problems:
                problems.setdefault(problem.target, problem.message)
        return problems


def _sample_row_issues(preview: Iterable[PreviewRow], total: int) -> list[ValidationIssue]:
    """One warning per field that fails on sample rows, with how many and the first reason:
    a data problem (say an unlinked customer) that does not stop a save, but is shown."""
    failures: dict[str, list[str]] = {}
    for row in preview:
        if isinstance(row.result, MappingError):
            for problem in row.result.problems:
                failures.setdefault(problem.target, []).append(problem.message)
    return [
        ValidationIssue(
            WARNING,
            "sample_row_problem",
            f"{target} fails on {len(messages)} of {total} sample rows: {messages[0]}",
            target,
        )
        for target, messages in failures.items()
    ]


def check_mapping(
    document: MappingDocument,
    rows: Iterable[Mapping[str, Any]],
    context: MappingContext | None = None,
) -> MappingCheck:
    """The document's issues, the preview of ``rows`` and the rows' problems as issues."""
    preview = preview_mapping(document, rows, context)
    found = validate_document(document)
    already = {issue.target for issue in found if issue.severity == ERROR}
    from_rows = [i for i in _sample_row_issues(preview, len(preview)) if i.target not in already]
    return MappingCheck(tuple(found + from_rows), tuple(preview))
