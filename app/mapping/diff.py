"""Differences between two mapping documents, as a readable list of changes."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from app.mapping.document import (
    FieldMapping,
    GLCondition,
    GLRule,
    MappingDocument,
    TargetRecord,
    TransformStep,
)
from app.mapping.transforms import REGISTRY


@dataclass(frozen=True)
class Change:
    kind: str  # added / removed / changed
    area: str  # mapping / target / status_map / gl_rules / references / source / document
    subject: str  # what changed, e.g. "Payment.Amount" or "GL rule 'Refunds'"
    description: str  # the whole change in plain words

    def __str__(self) -> str:
        return self.description


def describe_step(step: TransformStep) -> str:
    label = REGISTRY[step.name].label if step.name in REGISTRY else step.name
    if not step.params:
        return label
    settings = ", ".join(f"{k}={_short(v)}" for k, v in step.params.items())
    return f"{label} ({settings})"


def describe_chain(steps: tuple[TransformStep, ...]) -> str:
    return " → ".join(describe_step(s) for s in steps) if steps else "no transforms"


def _short(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    return str(value)


def _source_words(mapping: FieldMapping) -> str:
    return f"'{mapping.source}'" if mapping.source else "no source field"


def _mapping_changes(old: MappingDocument, new: MappingDocument) -> list[Change]:
    changes = []
    old_by = {m.target: m for m in old.mappings}
    new_by = {m.target: m for m in new.mappings}
    for target in [*old_by, *[t for t in new_by if t not in old_by]]:
        before, after = old_by.get(target), new_by.get(target)
        if before is None and after is not None:
            text = f"{target}: now mapped from {_source_words(after)}"
            if after.transforms:
                text += f" with {describe_chain(after.transforms)}"
            changes.append(Change("added", "mapping", target, text + "."))
        elif after is None and before is not None:
            changes.append(
                Change(
                    "removed",
                    "mapping",
                    target,
                    f"{target}: mapping removed (was {_source_words(before)}).",
                )
            )
        elif before is not None and after is not None:
            if before.source != after.source:
                changes.append(
                    Change(
                        "changed",
                        "mapping",
                        target,
                        f"{target}: source changed from {_source_words(before)} to "
                        f"{_source_words(after)}.",
                    )
                )
            if before.transforms != after.transforms:
                changes.append(
                    Change(
                        "changed",
                        "mapping",
                        target,
                        f"{target}: transforms changed from {describe_chain(before.transforms)} "
                        f"to {describe_chain(after.transforms)}.",
                    )
                )
    return changes


def _record_changes(before: TargetRecord, after: TargetRecord) -> list[str]:
    notes = []
    if before.enabled != after.enabled:
        notes.append("turned on" if after.enabled else "turned off")
    if before.transaction_types != after.transaction_types:
        notes.append(
            f"applies to {', '.join(after.transaction_types) or 'every type'} "
            f"(was {', '.join(before.transaction_types) or 'every type'})"
        )
    old_fields = {f.name: f for f in before.fields}
    new_fields = {f.name: f for f in after.fields}
    for name in new_fields.keys() - old_fields.keys():
        notes.append(f"field {name} added")
    for name in old_fields.keys() - new_fields.keys():
        notes.append(f"field {name} removed")
    for name in old_fields.keys() & new_fields.keys():
        a, b = old_fields[name], new_fields[name]
        if a.required != b.required:
            notes.append(f"{name} is {'now' if b.required else 'no longer'} required")
        if a.type != b.type:
            notes.append(f"{name} type {a.type} → {b.type}")
    return sorted(notes)


def _target_changes(old: MappingDocument, new: MappingDocument) -> list[Change]:
    changes = []
    old_by = {r.name: r for r in old.targets}
    new_by = {r.name: r for r in new.targets}
    for name in new_by.keys() - old_by.keys():
        changes.append(Change("added", "target", name, f"Target record {name} added."))
    for name in old_by.keys() - new_by.keys():
        changes.append(Change("removed", "target", name, f"Target record {name} removed."))
    for name in sorted(old_by.keys() & new_by.keys()):
        for note in _record_changes(old_by[name], new_by[name]):
            changes.append(Change("changed", "target", name, f"{name}: {note}."))
    return changes


def _status_changes(old: MappingDocument, new: MappingDocument) -> list[Change]:
    changes = []
    before, after = old.status_map.values, new.status_map.values
    for key in after.keys() - before.keys():
        changes.append(
            Change("added", "status_map", key, f"Status map: '{key}' → '{after[key]}' added.")
        )
    for key in before.keys() - after.keys():
        changes.append(Change("removed", "status_map", key, f"Status map: '{key}' entry removed."))
    for key in sorted(before.keys() & after.keys()):
        if before[key] != after[key]:
            changes.append(
                Change(
                    "changed",
                    "status_map",
                    key,
                    f"Status map: '{key}' now → '{after[key]}' (was '{before[key]}').",
                )
            )
    return changes


def describe_condition(when: GLCondition) -> str:
    parts = []
    for item in fields(when):
        value = getattr(when, item.name)
        if value in ((), None):
            continue
        shown = ", ".join(value) if isinstance(value, tuple) else str(value)
        parts.append(f"{item.name.replace('_', ' ')} {shown}")
    return "; ".join(parts) or "always"


def _rule_label(index: int, rule: GLRule) -> str:
    return f"GL rule {index} '{rule.name}'" if rule.name else f"GL rule {index}"


def _gl_changes(old: MappingDocument, new: MappingDocument) -> list[Change]:
    changes = []
    if old.gl_rules.default != new.gl_rules.default:
        changes.append(
            Change(
                "changed",
                "gl_rules",
                "default",
                f"GL default account now {new.gl_rules.default or 'none'} "
                f"(was {old.gl_rules.default or 'none'}).",
            )
        )
    before, after = old.gl_rules.rules, new.gl_rules.rules
    for index in range(max(len(before), len(after))):
        a = before[index] if index < len(before) else None
        b = after[index] if index < len(after) else None
        if a == b:
            continue
        if a is None and b is not None:
            label = _rule_label(index + 1, b)
            text = f"{label} added: {describe_condition(b.when)} → {b.account}."
            changes.append(Change("added", "gl_rules", label, text))
        elif b is None and a is not None:
            label = _rule_label(index + 1, a)
            changes.append(Change("removed", "gl_rules", label, f"{label} removed."))
        elif a is not None and b is not None:
            label = _rule_label(index + 1, b)
            text = (
                f"{label} now {describe_condition(b.when)} → {b.account} "
                f"(was {describe_condition(a.when)} → {a.account})."
            )
            changes.append(Change("changed", "gl_rules", label, text))
    return changes


def _simple_changes(old: MappingDocument, new: MappingDocument) -> list[Change]:
    changes = []
    for attribute, area, label in (
        ("name", "document", "Name"),
        ("description", "document", "Description"),
        ("base_currency", "document", "Base currency"),
        ("references", "references", "Reference rules"),
        ("currency_rates", "document", "Currency rates"),
    ):
        a, b = getattr(old, attribute), getattr(new, attribute)
        if a != b:
            changes.append(
                Change("changed", area, label, f"{label} changed: {_short_value(a, b)}.")
            )
    old_paths = {f.path for f in old.source_fields}
    new_paths = {f.path for f in new.source_fields}
    for path in sorted(new_paths - old_paths):
        changes.append(Change("added", "source", path, f"Source field '{path}' added."))
    for path in sorted(old_paths - new_paths):
        changes.append(Change("removed", "source", path, f"Source field '{path}' removed."))
    return changes


def _short_value(a: Any, b: Any) -> str:
    if isinstance(a, str) and isinstance(b, str):
        return f"'{a}' → '{b}'"
    if hasattr(a, "__dataclass_fields__"):
        changed = [f.name for f in fields(a) if getattr(a, f.name) != getattr(b, f.name)]
        return ", ".join(
            f"{name.replace('_', ' ')} {_short(getattr(a, name))} → {_short(getattr(b, name))}"
            for name in changed
        )
    return f"{len(a)} → {len(b)} entries" if isinstance(a, tuple) else f"{a} → {b}"


def diff_documents(old: MappingDocument, new: MappingDocument) -> list[Change]:
    """Every change from ``old`` to ``new``; empty when they map the same way."""
    return (
        _mapping_changes(old, new)
        + _status_changes(old, new)
        + _gl_changes(old, new)
        + _target_changes(old, new)
        + _simple_changes(old, new)
    )
