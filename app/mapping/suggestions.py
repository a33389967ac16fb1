"""Suggested source fields for each target field, ranked, each with its reasons.

Score parts (0–1 each): name similarity through the finance synonym table, type
compatibility, value evidence on the sample rows (allowed values, the status map's words,
values the caller knows for the target, unique-per-row for key fields, values that read as
the target type) and earlier accepted choices. A type mismatch quarters the score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from app.mapping.document import MappingDocument, SourceField, TargetField
from app.mapping.field_types import Fit, type_fit, type_words
from app.mapping.source_row import get_path, with_derived_fields
from app.mapping.synonyms import concepts, shared_words
from app.mapping.target_values import TargetValueError, to_target_value
from app.mapping.transforms.registry import as_text, is_empty

WEIGHTS = {"name": 0.45, "type": 0.15, "values": 0.25, "history": 0.15}


@dataclass(frozen=True)
class Suggestion:
    target: str  # "Payment.Amount"
    source: str  # "amount"
    score: float  # 0–1, for ranking and a badge; never money
    reasons: tuple[str, ...]


@dataclass
class SuggestionMemory:
    """How often each (target, source) pair was chosen before."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def record(self, target: str, source: str) -> None:
        self.counts[(target, source)] += 1

    def count(self, target: str, source: str) -> int:
        return self.counts[(target, source)]

    @classmethod
    def from_documents(cls, documents: Iterable[MappingDocument]) -> SuggestionMemory:
        memory = cls()
        for document in documents:
            for mapping in document.mappings:
                if mapping.source:
                    memory.record(mapping.target, mapping.source)
        return memory


def _name_part(target_name: str, source: SourceField) -> tuple[float, str | None]:
    wanted, offered = concepts(target_name), concepts(source.path)
    if not wanted or not offered:
        return 0.0, None
    jaccard = len(wanted & offered) / len(wanted | offered)
    spelling = fuzz.token_set_ratio(target_name.lower(), source.path.replace(".", " ")) / 100
    score = 0.8 * jaccard + 0.2 * spelling
    shared = shared_words(target_name, source.path)
    reason = f"name: '{source.path}' and '{target_name}' both speak of {', '.join(shared)}"
    return score, reason if shared else None


def _type_part(target: TargetField, source: SourceField) -> tuple[float, Fit, str]:
    fit = type_fit(source.type, target.type)
    got, wanted = type_words(source.type), type_words(target.type)
    if fit is Fit.EXACT:
        return 1.0, fit, f"type: {got} fits {wanted}"
    if fit is Fit.CONVERTIBLE:
        return 0.5, fit, f"type: {got} can be read as {wanted}"
    return 0.0, fit, f"type: {got} does not fit {wanted}"


def _known_values(
    document: MappingDocument, target_key: str, target: TargetField, extra: Sequence[str]
) -> set[str]:
    known = {v.casefold() for v in (*target.values, *extra)}
    if target_key in document.status_map.targets:
        known |= {k.casefold() for k in document.status_map.values}
    return known


def _values_part(
    document: MappingDocument,
    target_key: str,
    target: TargetField,
    values: list[Any],
    extra_known: Sequence[str],
) -> tuple[float, str | None]:
    present = [v for v in values if not is_empty(v)]
    if not present:
        return 0.0, None
    known = _known_values(document, target_key, target, extra_known)
    if known:
        hits = sum(as_text(v).strip().casefold() in known for v in present)
        if hits:
            return hits / len(
                present
            ), f"values: {hits} of {len(present)} sample values are known {target.name} values"
        return 0.0, None
    if target.key:
        texts = [as_text(v) for v in present]
        if len(texts) >= 2 and len(set(texts)) == len(texts) == len(values):
            return 1.0, "values: different on every sample row, as a key must be"
        return 0.0, None
    readable = 0
    for value in present:
        try:
            to_target_value(value, target)
        except TargetValueError:
            continue
        readable += 1
    if target.type in ("money", "date", "integer", "boolean") and readable:
        return 0.6 * readable / len(present), (
            f"values: {readable} of {len(present)} sample values read as {type_words(target.type)}"
        )
    return 0.0, None


def suggest_for(
    document: MappingDocument,
    target_key: str,
    sample_rows: Sequence[Mapping[str, Any]] = (),
    memory: SuggestionMemory | None = None,
    target_values: Mapping[str, Sequence[str]] | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """Ranked source candidates for ``target_key`` (best first, at most ``limit``)."""
    target = document.target_field(target_key)
    if target is None or target.caller_supplied:
        return []
    rows = [with_derived_fields(row) for row in sample_rows]
    extra = list((target_values or {}).get(target_key, ()))
    found = []
    for source in document.source_fields:
        name_score, name_reason = _name_part(target.name, source)
        type_score, fit, type_reason = _type_part(target, source)
        values = [get_path(row, source.path) for row in rows]
        value_score, value_reason = _values_part(document, target_key, target, values, extra)
        chosen = memory.count(target_key, source.path) if memory else 0
        history_score = min(1.0, chosen / 2)
        score = (
            WEIGHTS["name"] * name_score
            + WEIGHTS["type"] * type_score
            + WEIGHTS["values"] * value_score
            + WEIGHTS["history"] * history_score
        )
        if fit is Fit.MISMATCH:
            score *= 0.25
        reasons = [r for r in (name_reason, type_reason, value_reason) if r]
        if chosen:
            reasons.append(f"history: chosen {chosen} time{'s' if chosen > 1 else ''} before")
        if score >= 0.12 and (name_reason or value_reason or chosen):
            found.append(Suggestion(target_key, source.path, round(score, 3), tuple(reasons)))
    found.sort(key=lambda s: (-s.score, s.source))
    return found[:limit]


def suggest(
    document: MappingDocument,
    sample_rows: Sequence[Mapping[str, Any]] = (),
    memory: SuggestionMemory | None = None,
    target_values: Mapping[str, Sequence[str]] | None = None,
    *,
    record: str | None = None,
    unmapped_only: bool = False,
    limit: int = 5,
) -> dict[str, list[Suggestion]]:
    """Suggestions for every target field (of ``record`` if given)."""
    out = {}
    for key in document.target_keys(record):
        if unmapped_only and document.mapping_for(key) is not None:
            continue
        ranked = suggest_for(document, key, sample_rows, memory, target_values, limit)
        if ranked:
            out[key] = ranked
    return out


def accept_suggestion(
    document: MappingDocument, suggestion: Suggestion, memory: SuggestionMemory | None = None
) -> MappingDocument:
    """Map the suggested source to its target (keeping its chain) and remember the choice."""
    if memory is not None:
        memory.record(suggestion.target, suggestion.source)
    return document.with_source(suggestion.target, suggestion.source)
