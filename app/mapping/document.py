"""The mapping document: how one PayTrace transaction becomes Sage Pro records.

A document is immutable; editing returns a new document (``with_mapping`` and friends), so
undo, diff and versions are plain comparisons of values. It serialises to JSON with a schema
identifier and a schema version; ``from_dict`` checks the structure and names the exact
place of the first problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

SCHEMA_ID = "paysage.mapping-document"
SCHEMA_VERSION = 1
SOURCE_TYPES = ("text", "integer", "money", "date", "datetime", "boolean")
TARGET_TYPES = ("text", "integer", "money", "date", "boolean", "list")


class DocumentFormatError(ValueError):
    """A document whose JSON structure is wrong; ``where`` is a path like ``targets[0].name``."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class SourceField:
    """A PayTrace field by dotted path; ``derived`` fields are computed from the row."""

    path: str
    label: str
    type: str
    description: str = ""
    derived: bool = False


@dataclass(frozen=True)
class TargetField:
    name: str
    type: str
    required: bool = False
    description: str = ""
    values: tuple[str, ...] = ()  # allowed values, when Sage Pro has a fixed list
    max_length: int | None = None
    key: bool = False  # unique per transaction (the integration key)
    caller_supplied: bool = False  # filled by the pipeline (matcher output), not mapped


@dataclass(frozen=True)
class TargetRecord:
    name: str
    endpoint: str
    fields: tuple[TargetField, ...]
    enabled: bool = True
    transaction_types: tuple[str, ...] = ()  # empty: every transaction type

    def field(self, name: str) -> TargetField | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class TransformStep:
    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldMapping:
    """``target`` is ``Record.Field``; ``source`` None means the chain makes the value."""

    target: str
    source: str | None
    transforms: tuple[TransformStep, ...] = ()

    @property
    def record(self) -> str:
        return self.target.split(".", 1)[0]

    @property
    def field_name(self) -> str:
        return self.target.split(".", 1)[-1]


@dataclass(frozen=True)
class StatusMap:
    """PayTrace status word (of ``source``) → Sage Pro status, for the ``targets`` fields."""

    source: str = "status"
    values: dict[str, str] = field(default_factory=dict)
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class GLCondition:
    """Every non-empty part must hold; an empty condition matches everything."""

    transaction_types: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()  # "CC" / "ACH"
    card_brands: tuple[str, ...] = ()
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    customer_ids: tuple[str, ...] = ()  # PayTrace customer_id or linked Sage Pro CustomerID


@dataclass(frozen=True)
class GLRule:
    name: str
    account: str
    when: GLCondition = field(default_factory=GLCondition)


@dataclass(frozen=True)
class GLRules:
    rules: tuple[GLRule, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class ReferenceRules:
    """How the matcher finds invoice references in a transaction (docs/architecture.md §2)."""

    fields: tuple[str, ...] = ("invoice_id", "customer_reference_id", "description")
    token_pattern: str = r"\d{4,}"
    strip_prefixes: tuple[str, ...] = ("INV", "#")
    strip_leading_zeros: bool = True


@dataclass(frozen=True)
class CurrencyRate:
    """``rate`` units of the base currency buy one unit of ``currency`` from ``as_of``."""

    currency: str
    as_of: date
    rate: Decimal


@dataclass(frozen=True)
class MappingDocument:
    name: str
    source_fields: tuple[SourceField, ...]
    targets: tuple[TargetRecord, ...]
    mappings: tuple[FieldMapping, ...] = ()
    status_map: StatusMap = field(default_factory=StatusMap)
    gl_rules: GLRules = field(default_factory=GLRules)
    references: ReferenceRules = field(default_factory=ReferenceRules)
    base_currency: str = "USD"
    currency_rates: tuple[CurrencyRate, ...] = ()
    description: str = ""
    version: int | None = None  # the saved version this document came from
    schema_version: int = SCHEMA_VERSION

    # -- lookups ---------------------------------------------------------------------------
    def record(self, name: str) -> TargetRecord | None:
        return next((r for r in self.targets if r.name == name), None)

    def target_field(self, target: str) -> TargetField | None:
        record_name, _, field_name = target.partition(".")
        record = self.record(record_name)
        return record.field(field_name) if record else None

    def source_field(self, path: str) -> SourceField | None:
        return next((f for f in self.source_fields if f.path == path), None)

    def mapping_for(self, target: str) -> FieldMapping | None:
        return next((m for m in self.mappings if m.target == target), None)

    def target_keys(self, record: str | None = None) -> list[str]:
        return [
            f"{r.name}.{f.name}"
            for r in self.targets
            if record is None or r.name == record
            for f in r.fields
        ]

    # -- edits (each returns a new document) ----------------------------------------------
    def with_mapping(self, mapping: FieldMapping) -> MappingDocument:
        """Add ``mapping``, replacing any mapping of the same target (keeps list order)."""
        kept = list(self.mappings)
        for index, existing in enumerate(kept):
            if existing.target == mapping.target:
                kept[index] = mapping
                return replace(self, mappings=tuple(kept))
        return replace(self, mappings=(*kept, mapping))

    def without_mapping(self, target: str) -> MappingDocument:
        return replace(self, mappings=tuple(m for m in self.mappings if m.target != target))

    def with_source(self, target: str, source: str | None) -> MappingDocument:
        """Map ``source`` to ``target``, keeping the target's transform chain if it had one."""
        existing = self.mapping_for(target)
        transforms = existing.transforms if existing else ()
        return self.with_mapping(FieldMapping(target, source, transforms))

    def with_transforms(self, target: str, steps: tuple[TransformStep, ...]) -> MappingDocument:
        existing = self.mapping_for(target)
        source = existing.source if existing else None
        return self.with_mapping(FieldMapping(target, source, steps))

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        from app.mapping.document_json import document_to_dict

        return document_to_dict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MappingDocument:
        from app.mapping.document_json import document_from_dict

        return document_from_dict(data)

    @classmethod
    def from_json(cls, text: str) -> MappingDocument:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DocumentFormatError("", f"not valid JSON ({exc.msg}, line {exc.lineno})") from exc
        return cls.from_dict(data)


def load_document(path: Path) -> MappingDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DocumentFormatError("", f"{path.name} is not a UTF-8 text file") from None
    return MappingDocument.from_json(text)


def save_document(document: MappingDocument, path: Path) -> None:
    path.write_text(document.to_json() + "\n", encoding="utf-8")
