"""Checking a mapping document before it is saved or used, with every problem in plain words.

Errors stop a save; warnings are shown but allowed. Each issue names the target field it
belongs to (``target``) so the editor can take the user there, and the step when a
transform is at fault.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from app.mapping.document import FieldMapping, MappingDocument, TargetField
from app.mapping.field_types import Fit, type_fit, type_words
from app.mapping.locked import is_locked, mapped_away
from app.mapping.transforms import REGISTRY, chain_output_type, param_problems

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class ValidationIssue:
    severity: str  # "error" / "warning"
    code: str  # required_unmapped, type_mismatch, unknown_transform, invalid_regex, ...
    message: str
    target: str | None = None  # "Payment.CustomerID": where the editor should go
    step: int | None = None  # 1-based transform step

    def __str__(self) -> str:
        return self.message


def _regex_problem(pattern: object) -> str | None:
    try:
        re.compile(str(pattern))
    except re.error as exc:
        return f"'{pattern}' is not a valid regular expression ({exc})"
    return None


def _check_steps(mapping: FieldMapping) -> list[ValidationIssue]:
    issues = []
    for index, step in enumerate(mapping.transforms, start=1):
        where = f"{mapping.target}, step {index}"
        spec = REGISTRY.get(step.name)
        if spec is None:
            known = ", ".join(sorted(REGISTRY))
            issues.append(
                ValidationIssue(
                    ERROR,
                    "unknown_transform",
                    f"{where}: there is no transform called '{step.name}' (known: {known}).",
                    mapping.target,
                    index,
                )
            )
            continue
        for param, problem in param_problems(spec, step.params):
            code = "invalid_regex" if param is not None and param.kind == "regex" else "bad_setting"
            issues.append(
                ValidationIssue(ERROR, code, f"{where}: {problem}.", mapping.target, index)
            )
        if step.name == "replace" and step.params.get("regex"):
            bad_find = _regex_problem(step.params.get("find", ""))
            if bad_find:
                issues.append(
                    ValidationIssue(
                        ERROR, "invalid_regex", f"{where}: {bad_find}.", mapping.target, index
                    )
                )
        if step.name == "lookup" and not (
            step.params.get("table") or step.params.get("context_table")
        ):
            issues.append(
                ValidationIssue(
                    ERROR,
                    "bad_setting",
                    f"{where}: the lookup has neither a table nor a caller table to look in.",
                    mapping.target,
                    index,
                )
            )
    return issues


def _check_type(
    document: MappingDocument, mapping: FieldMapping, target: TargetField
) -> list[ValidationIssue]:
    if mapping.source is None:
        start = "any"
    else:
        source = document.source_field(mapping.source)
        if source is None:
            return []
        start = source.type
    produced = chain_output_type(mapping.transforms, start)
    fit = type_fit(produced, target.type)
    origin = f"'{mapping.source}'" if mapping.source else "its transform chain"
    if mapping.transforms and mapping.source:
        origin += f" after {len(mapping.transforms)} step(s)"
    wanted, got = type_words(target.type), type_words(produced)
    if fit is Fit.MISMATCH:
        return [
            ValidationIssue(
                ERROR,
                "type_mismatch",
                f"{mapping.target} needs {wanted} but {origin} gives {got}.",
                mapping.target,
            )
        ]
    if fit is Fit.CONVERTIBLE:
        return [
            ValidationIssue(
                WARNING,
                "type_conversion",
                f"{mapping.target} needs {wanted} but {origin} gives {got}; rows whose value "
                f"cannot be read as {wanted} will fail.",
                mapping.target,
            )
        ]
    return []


def _check_mappings(document: MappingDocument) -> list[ValidationIssue]:
    issues = []
    counts = Counter(m.target for m in document.mappings)
    for target_key, count in counts.items():
        if count > 1:
            issues.append(
                ValidationIssue(
                    ERROR,
                    "duplicate_mapping",
                    f"{target_key} is mapped {count} times; keep one.",
                    target_key,
                )
            )
    for mapping in document.mappings:
        target = document.target_field(mapping.target)
        if target is None:
            issues.append(
                ValidationIssue(
                    ERROR,
                    "unknown_target",
                    f"{mapping.target} is not a field of any Sage Pro record in this document.",
                    mapping.target,
                )
            )
            continue
        if mapping.source is not None and document.source_field(mapping.source) is None:
            issues.append(
                ValidationIssue(
                    ERROR,
                    "unknown_source",
                    f"{mapping.target} reads '{mapping.source}', which is not a PayTrace field "
                    "this document knows.",
                    mapping.target,
                )
            )
        issues.extend(_check_steps(mapping))
        issues.extend(_check_type(document, mapping, target))
    return issues


def _check_required(document: MappingDocument) -> list[ValidationIssue]:
    """Every record kind counts, enabled or not: Paysage posts each kind when an event calls
    for it (a refund's journal entry, an order's customer), always from the mapping. Only a
    disabled record's locked fields are not demanded: Paysage fills them when it posts, and
    no preview shows them."""
    issues = []
    for record in document.targets:
        for target in record.fields:
            if not target.required or target.caller_supplied:
                continue
            key = f"{record.name}.{target.name}"
            if not record.enabled and is_locked(key):
                continue
            mapping = document.mapping_for(key)
            if mapping is None or (mapping.source is None and not mapping.transforms):
                issues.append(
                    ValidationIssue(
                        ERROR,
                        "required_unmapped",
                        f"{record.name} field {target.name} is required but nothing is mapped "
                        "to it.",
                        key,
                    )
                )
    return issues


def _check_rules(document: MappingDocument) -> list[ValidationIssue]:
    issues = []
    gl = document.gl_rules
    if not (gl.default or "").strip():
        issues.append(
            ValidationIssue(
                ERROR,
                "gl_no_default",
                "The GL rules have no default account; add one so every transaction gets a "
                "GL account when no rule matches.",
            )
        )
    for index, rule in enumerate(gl.rules, start=1):
        if not rule.account.strip():
            name = f" '{rule.name}'" if rule.name else ""
            issues.append(
                ValidationIssue(
                    ERROR, "gl_rule_no_account", f"GL rule {index}{name} names no account."
                )
            )
        low, high = rule.when.amount_min, rule.when.amount_max
        if low is not None and high is not None and low > high:
            issues.append(
                ValidationIssue(
                    ERROR,
                    "gl_rule_range",
                    f"GL rule {index}: the amount range {low}–{high} is empty (minimum above "
                    "maximum).",
                )
            )
    uses_status_map = any(
        step.name == "status_map" for m in document.mappings for step in m.transforms
    )
    if uses_status_map and not document.status_map.values:
        issues.append(
            ValidationIssue(
                ERROR, "status_map_empty", "The status map is empty but a field uses it."
            )
        )
    problem = _regex_problem(document.references.token_pattern)
    if problem:
        issues.append(
            ValidationIssue(ERROR, "invalid_regex", f"Reference rules: token pattern {problem}.")
        )
    return issues


def _check_locked(document: MappingDocument) -> list[ValidationIssue]:
    return [
        ValidationIssue(
            ERROR,
            "locked_field",
            f"{target} is locked and cannot be mapped differently: {reason}",
            target,
        )
        for target, reason in mapped_away(document)
    ]


def validate_document(document: MappingDocument) -> list[ValidationIssue]:
    """Every problem of ``document``: required fields first, then locked fields mapped
    differently, then mappings, then rules."""
    return (
        _check_required(document)
        + _check_locked(document)
        + _check_mappings(document)
        + _check_rules(document)
    )


def errors_of(issues: list[ValidationIssue]) -> list[ValidationIssue]:
    return [issue for issue in issues if issue.severity == ERROR]


class InvalidMappingDocumentError(ValueError):
    """Refused: the document has errors (listed in ``issues``)."""

    def __init__(self, issues: list[ValidationIssue]) -> None:
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = issues


def require_valid(document: MappingDocument) -> None:
    found = errors_of(validate_document(document))
    if found:
        raise InvalidMappingDocumentError(found)
