"""Applying a mapping document to one PayTrace export row.

``apply_mapping`` returns either the Sage Pro payloads (PascalCase fields, money as
``Decimal``) for every enabled target record that applies to the row's transaction type, or
a ``MappingError`` listing every field that could not be filled and why. It never raises for
bad data in the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.mapping.document import FieldMapping, MappingDocument, TargetField, TargetRecord
from app.mapping.locked import fixed_mapping, is_locked
from app.mapping.source_row import get_path, with_derived_fields
from app.mapping.target_values import TargetValueError, to_target_value
from app.mapping.transforms import TransformContext, TransformError, run_chain
from app.mapping.transforms.lookup import CUSTOMER_LINKS
from app.mapping.transforms.registry import is_empty


@dataclass(frozen=True)
class MappingContext:
    """What the caller knows beyond the row.

    ``customer_links``: PayTrace customer_id → Sage Pro CustomerID (the customer link).
    ``tables``: further named tables for ``lookup`` steps (``context_table``).
    ``overrides``: ``Record.Field`` → value already decided elsewhere (e.g. the matcher's
    InvoiceID); an override wins over the mapping and is still type-checked.
    """

    customer_links: Mapping[str, str] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def all_tables(self) -> dict[str, Mapping[str, str]]:
        return {**self.tables, CUSTOMER_LINKS: self.customer_links}


@dataclass(frozen=True)
class MappedRecord:
    transaction_id: str
    payloads: dict[str, dict[str, Any]]  # record name ("Payment") → Sage Pro payload
    mapping_version: int | None = None

    def payload(self, record: str) -> dict[str, Any] | None:
        return self.payloads.get(record)


@dataclass(frozen=True)
class FieldProblem:
    target: str  # "Payment.CustomerID"
    message: str
    source: str | None = None

    def __str__(self) -> str:
        return f"{self.target}: {self.message}"


@dataclass(frozen=True)
class MappingError:
    """The row could not be mapped; ``problems`` names every field and why."""

    transaction_id: str
    problems: tuple[FieldProblem, ...]
    mapping_version: int | None = None

    @property
    def field(self) -> str:
        return self.problems[0].target

    @property
    def reason(self) -> str:
        return self.problems[0].message

    def __str__(self) -> str:
        listed = "; ".join(str(p) for p in self.problems)
        return f"transaction {self.transaction_id}: {listed}"


def records_for(document: MappingDocument, row: Mapping[str, Any]) -> list[TargetRecord]:
    """The enabled target records that apply to this row's transaction type."""
    kind = str(row.get("transaction_type") or "").strip().upper()
    return [
        r
        for r in document.targets
        if r.enabled
        and (not r.transaction_types or kind in {t.upper() for t in r.transaction_types})
    ]


def map_field(mapping: FieldMapping, target: TargetField, context: TransformContext) -> Any:
    raw = get_path(context.row, mapping.source) if mapping.source else None
    value = run_chain(mapping.transforms, raw, context)
    if is_empty(value):
        return None
    return to_target_value(value, target)


def _empty_reason(mapping: FieldMapping) -> str:
    if mapping.source:
        return f"is required but came out empty (source '{mapping.source}' was empty)"
    return "is required but its transform chain gave no value"


def _put(payload: dict[str, Any], name: str, value: Any) -> None:
    """Set ``BillingAddress.Street``-style names as nested objects."""
    *parents, leaf = name.split(".")
    for parent in parents:
        payload = payload.setdefault(parent, {})
    payload[leaf] = value


def _field_value(
    key: str,
    target: TargetField,
    mapping: FieldMapping | None,
    ctx: MappingContext,
    transform_context: TransformContext,
    problems: list[FieldProblem],
) -> Any:
    """The value of one target, or None (any problem is added to ``problems``)."""
    try:
        if key in ctx.overrides:
            value = ctx.overrides[key]
            value = None if is_empty(value) else to_target_value(value, target)
        elif mapping is None:
            if target.required and not target.caller_supplied:
                problems.append(FieldProblem(key, "is required but nothing is mapped"))
            return None
        else:
            value = map_field(mapping, target, transform_context)
    except (TransformError, TargetValueError) as exc:
        problems.append(FieldProblem(key, str(exc), mapping.source if mapping else None))
        return None
    if value is None and target.required and not target.caller_supplied:
        reason = _empty_reason(mapping) if mapping else "is required but empty"
        problems.append(FieldProblem(key, reason, mapping.source if mapping else None))
    return value


def apply_mapping(
    document: MappingDocument,
    source: Mapping[str, Any],
    context: MappingContext | None = None,
) -> MappedRecord | MappingError:
    ctx = context or MappingContext()
    row = with_derived_fields(source)
    transform_context = TransformContext(row=row, document=document, tables=ctx.all_tables())
    transaction_id = _transaction_id(row)
    payloads: dict[str, dict[str, Any]] = {}
    problems: list[FieldProblem] = []
    for record in records_for(document, row):
        payload: dict[str, Any] = {}
        for target in record.fields:
            key = f"{record.name}.{target.name}"
            mapping = document.mapping_for(key)
            if mapping is not None and is_locked(key):
                mapping = fixed_mapping(key)  # a locked field cannot be mapped differently
            value = _field_value(key, target, mapping, ctx, transform_context, problems)
            if value is not None:
                _put(payload, target.name, value)
        payloads[record.name] = payload
    if problems:
        return MappingError(transaction_id, tuple(problems), document.version)
    return MappedRecord(transaction_id, payloads, document.version)


def _transaction_id(row: Mapping[str, Any]) -> str:
    return str(row.get("transaction_id") or row.get("check_transaction_id") or "?")


def map_governed_fields(
    document: MappingDocument,
    record_name: str,
    source: Mapping[str, Any],
    context: MappingContext | None = None,
) -> dict[str, Any] | MappingError:
    """What the mapping decides for one record Paysage is about to post: every mapped field
    of ``record_name`` except the locked ones (keys, amounts, the customer of an applied
    invoice, applications; see ``locked``) and those the pipeline supplies. Flat names
    (``BillingAddress.City``); a record or field the document lacks is simply absent, so
    the caller keeps its own value. Used whether or not the record is enabled for preview.
    """
    ctx = context or MappingContext()
    row = with_derived_fields(source)
    transform_context = TransformContext(row=row, document=document, tables=ctx.all_tables())
    record = document.record(record_name)
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for target in record.fields if record else ():
        key = f"{record_name}.{target.name}"
        if is_locked(key) or target.caller_supplied:
            continue
        mapping = document.mapping_for(key)
        value = _field_value(key, target, mapping, ctx, transform_context, problems)
        if value is not None:
            values[target.name] = value
    if problems:
        return MappingError(_transaction_id(row), tuple(problems), document.version)
    return values
