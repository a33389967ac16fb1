"""JSON form of a mapping document: writing it, and reading it back with structural checks.

The reader is strict about shape (types, required keys, known enum values) and names the
exact place of a problem (``targets[0].fields[3].type``). Whether the mapping makes sense
(required fields mapped, transforms known, regexes valid) is ``validation``'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.mapping.document import (
    SCHEMA_ID,
    SCHEMA_VERSION,
    SOURCE_TYPES,
    TARGET_TYPES,
    CurrencyRate,
    DocumentFormatError,
    FieldMapping,
    GLCondition,
    GLRule,
    GLRules,
    MappingDocument,
    ReferenceRules,
    SourceField,
    StatusMap,
    TargetField,
    TargetRecord,
    TransformStep,
)


def document_to_dict(doc: MappingDocument) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "schema_version": doc.schema_version,
        "version": doc.version,
        "name": doc.name,
        "description": doc.description,
        "base_currency": doc.base_currency,
        "source_fields": [_source_field(f) for f in doc.source_fields],
        "targets": [_target_record(r) for r in doc.targets],
        "mappings": [_mapping(m) for m in doc.mappings],
        "status_map": {
            "source": doc.status_map.source,
            "values": dict(doc.status_map.values),
            "targets": list(doc.status_map.targets),
        },
        "gl_rules": {
            "rules": [_gl_rule(r) for r in doc.gl_rules.rules],
            "default": doc.gl_rules.default,
        },
        "references": {
            "fields": list(doc.references.fields),
            "token_pattern": doc.references.token_pattern,
            "strip_prefixes": list(doc.references.strip_prefixes),
            "strip_leading_zeros": doc.references.strip_leading_zeros,
        },
        "currency_rates": [
            {"currency": r.currency, "as_of": r.as_of.isoformat(), "rate": str(r.rate)}
            for r in doc.currency_rates
        ],
    }


def _source_field(f: SourceField) -> dict[str, Any]:
    out: dict[str, Any] = {"path": f.path, "label": f.label, "type": f.type}
    if f.description:
        out["description"] = f.description
    if f.derived:
        out["derived"] = True
    return out


def _target_record(r: TargetRecord) -> dict[str, Any]:
    return {
        "name": r.name,
        "endpoint": r.endpoint,
        "enabled": r.enabled,
        "transaction_types": list(r.transaction_types),
        "fields": [_target_field(f) for f in r.fields],
    }


def _target_field(f: TargetField) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "type": f.type, "required": f.required}
    optional: dict[str, Any] = {
        "description": f.description,
        "values": list(f.values),
        "max_length": f.max_length,
        "key": f.key,
        "caller_supplied": f.caller_supplied,
    }
    out.update({k: v for k, v in optional.items() if v})
    return out


def _mapping(m: FieldMapping) -> dict[str, Any]:
    return {
        "target": m.target,
        "source": m.source,
        "transforms": [{"name": s.name, "params": dict(s.params)} for s in m.transforms],
    }


def _gl_rule(r: GLRule) -> dict[str, Any]:
    when: dict[str, Any] = {
        "transaction_types": list(r.when.transaction_types),
        "methods": list(r.when.methods),
        "card_brands": list(r.when.card_brands),
        "amount_min": None if r.when.amount_min is None else str(r.when.amount_min),
        "amount_max": None if r.when.amount_max is None else str(r.when.amount_max),
        "customer_ids": list(r.when.customer_ids),
    }
    return {"name": r.name, "account": r.account, "when": {k: v for k, v in when.items() if v}}


# -- reading ----------------------------------------------------------------------------------


class _Reader:
    """Typed access to one JSON object, naming its place in the document on errors."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise DocumentFormatError(where, "expected an object")
        self.data = data
        self.where = where

    def _at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise DocumentFormatError(self._at(key), "expected text")
        return value

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if self.has(key) else None

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise DocumentFormatError(self._at(key), "expected true or false")
        return value

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise DocumentFormatError(self._at(key), "expected a whole number")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise DocumentFormatError(
                self._at(key), f"'{value}' is not one of {', '.join(allowed)}"
            )
        return value

    def texts(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DocumentFormatError(self._at(key), "expected a list of texts")
        return tuple(value)

    def objects(self, key: str) -> list[_Reader]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise DocumentFormatError(self._at(key), "expected a list")
        return [_Reader(item, f"{self._at(key)}[{i}]") for i, item in enumerate(value)]

    def child(self, key: str) -> _Reader:
        return _Reader(self.data.get(key, {}), self._at(key))

    def text_map(self, key: str) -> dict[str, str]:
        value = self.data.get(key, {})
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise DocumentFormatError(self._at(key), "expected an object of text → text")
        return dict(value)

    def decimal(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, float | bool) or not isinstance(value, str | int):
            raise DocumentFormatError(self._at(key), "expected a decimal written as text")
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise DocumentFormatError(self._at(key), f"'{value}' is not a number") from exc

    def day(self, key: str) -> date:
        value = self.text(key)
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise DocumentFormatError(self._at(key), f"'{value}' is not a YYYY-MM-DD date") from exc


def document_from_dict(data: Mapping[str, Any]) -> MappingDocument:
    top = _Reader(data, "")
    schema = top.text("schema", SCHEMA_ID)
    if schema != SCHEMA_ID:
        raise DocumentFormatError("schema", f"'{schema}' is not a Paysage mapping document")
    schema_version = top.integer("schema_version") or SCHEMA_VERSION
    if schema_version > SCHEMA_VERSION:
        raise DocumentFormatError(
            "schema_version",
            f"version {schema_version} is newer than this Paysage understands ({SCHEMA_VERSION})",
        )
    status = top.child("status_map")
    gl = top.child("gl_rules")
    refs = top.child("references")
    defaults = ReferenceRules()
    return MappingDocument(
        name=top.text("name"),
        description=top.text("description", ""),
        version=top.integer("version"),
        schema_version=schema_version,
        base_currency=top.text("base_currency", "USD"),
        source_fields=tuple(_read_source_field(r) for r in top.objects("source_fields")),
        targets=tuple(_read_target_record(r) for r in top.objects("targets")),
        mappings=tuple(_read_mapping(r) for r in top.objects("mappings")),
        status_map=StatusMap(
            source=status.text("source", "status"),
            values=status.text_map("values"),
            targets=status.texts("targets"),
        ),
        gl_rules=GLRules(
            rules=tuple(_read_gl_rule(r) for r in gl.objects("rules")),
            default=gl.optional_text("default"),
        ),
        references=ReferenceRules(
            fields=refs.texts("fields", defaults.fields),
            token_pattern=refs.text("token_pattern", defaults.token_pattern),
            strip_prefixes=refs.texts("strip_prefixes", defaults.strip_prefixes),
            strip_leading_zeros=refs.boolean("strip_leading_zeros", defaults.strip_leading_zeros),
        ),
        currency_rates=tuple(
            CurrencyRate(r.text("currency").upper(), r.day("as_of"), _required_rate(r))
            for r in top.objects("currency_rates")
        ),
    )


def _required_rate(r: _Reader) -> Decimal:
    rate = r.decimal("rate")
    if rate is None or rate <= 0:
        raise DocumentFormatError(f"{r.where}.rate", "a rate must be a positive number")
    return rate


def _read_source_field(r: _Reader) -> SourceField:
    path = r.text("path")
    return SourceField(
        path=path,
        label=r.text("label", path),
        type=r.choice("type", SOURCE_TYPES),
        description=r.text("description", ""),
        derived=r.boolean("derived", False),
    )


def _read_target_record(r: _Reader) -> TargetRecord:
    return TargetRecord(
        name=r.text("name"),
        endpoint=r.text("endpoint", ""),
        enabled=r.boolean("enabled", True),
        transaction_types=r.texts("transaction_types"),
        fields=tuple(_read_target_field(f) for f in r.objects("fields")),
    )


def _read_target_field(r: _Reader) -> TargetField:
    return TargetField(
        name=r.text("name"),
        type=r.choice("type", TARGET_TYPES),
        required=r.boolean("required", False),
        description=r.text("description", ""),
        values=r.texts("values"),
        max_length=r.integer("max_length"),
        key=r.boolean("key", False),
        caller_supplied=r.boolean("caller_supplied", False),
    )


def _read_mapping(r: _Reader) -> FieldMapping:
    target = r.text("target")
    if "." not in target:
        raise DocumentFormatError(f"{r.where}.target", f"'{target}' is not Record.Field")
    steps = []
    for step in r.objects("transforms"):
        params = step.data.get("params", {})
        if not isinstance(params, Mapping):
            raise DocumentFormatError(f"{step.where}.params", "expected an object")
        steps.append(TransformStep(step.text("name"), dict(params)))
    return FieldMapping(target, r.optional_text("source"), tuple(steps))


def _read_gl_rule(r: _Reader) -> GLRule:
    when = r.child("when")
    return GLRule(
        name=r.text("name", ""),
        account=r.text("account"),
        when=GLCondition(
            transaction_types=when.texts("transaction_types"),
            methods=when.texts("methods"),
            card_brands=when.texts("card_brands"),
            amount_min=when.decimal("amount_min"),
            amount_max=when.decimal("amount_max"),
            customer_ids=when.texts("customer_ids"),
        ),
    )
