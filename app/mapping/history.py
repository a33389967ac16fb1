"""The version history as a bookkeeper reads it: each version with what it changed in one
line, and any diff grouped by what it touches (a Sage Pro record, the status map, GL rules).

Qt-free; the Mapping page and ``paysage mapping`` both read it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.mapping.diff import Change, diff_documents
from app.mapping.versions import SessionSource, VersionInfo, all_documents, list_versions

_AREA_GROUPS = {
    "status_map": "Status map",
    "gl_rules": "GL rules",
    "references": "Reference rules",
    "source": "PayTrace source fields",
    "document": "Mapping settings",
}


@dataclass(frozen=True)
class VersionSummary:
    info: VersionInfo
    changes: str  # what this version changed from the one before, in one line


def group_of(change: Change) -> str:
    """The heading a change is shown under: the Sage Pro record it touches, or its area."""
    if change.area == "mapping":
        return change.subject.split(".", 1)[0]
    if change.area == "target":
        return change.subject
    return _AREA_GROUPS.get(change.area, change.area)


def grouped(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """Changes under their headings, headings in the order they first appear."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(group_of(change), []).append(change)
    return list(groups.items())


def one_line(changes: list[Change]) -> str:
    """'3 changes: Payment 2, Status map 1' — or 'No changes'."""
    if not changes:
        return "No changes"
    counts = Counter(group_of(change) for change in changes)
    parts = ", ".join(f"{group} {count}" for group, count in counts.items())
    noun = "change" if len(changes) == 1 else "changes"
    return f"{len(changes)} {noun}: {parts}"


def version_history(db: SessionSource) -> list[VersionSummary]:
    """Every version, newest first, each with its change from the version before it."""
    infos = list_versions(db)[::-1]  # oldest first, like all_documents
    documents = all_documents(db)
    summaries = [VersionSummary(infos[0], "First version")] if infos else []
    for index in range(1, len(infos)):
        line = one_line(diff_documents(documents[index - 1], documents[index]))
        summaries.append(VersionSummary(infos[index], line))
    return summaries[::-1]


def describe_changes(changes: list[Change]) -> list[str]:
    """The diff as printable lines: a heading per group, its changes indented below."""
    if not changes:
        return ["No differences: both versions map the same way."]
    lines = []
    for heading, items in grouped(changes):
        lines.append(f"{heading}:")
        lines.extend(f"  {change.kind:<8} {change.description}" for change in items)
    return lines
