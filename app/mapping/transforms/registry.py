"""Transform registry: each transform is a small pure function with a parameter schema.

A transform takes ``(value, params, context)`` and returns the new value or raises
``TransformError`` with a plain-words reason. Steps are stored as ``{"name", "params"}`` so a
chain serialises as JSON; the registry turns names back into functions, fills parameter
defaults and says what is wrong with a step's parameters before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.mapping.document import MappingDocument, TransformStep

PARAM_KINDS = ("text", "integer", "boolean", "choice", "regex", "table", "parts", "decimal")


class TransformError(ValueError):
    """A transform could not turn this value into a result; the message says why."""


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str
    label: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class TransformContext:
    """What a step may read besides its value: the whole source row, the document (status
    map, GL rules, rates) and the caller's named tables (e.g. ``customer_links``)."""

    row: Mapping[str, Any]
    document: MappingDocument
    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


TransformFn = Callable[[Any, Mapping[str, Any], TransformContext], Any]
# (input type, params) → output type; types are the document's SOURCE_TYPES.
OutputType = Callable[[str, Mapping[str, Any]], str]


@dataclass(frozen=True)
class TransformSpec:
    name: str
    label: str
    fn: TransformFn
    params: tuple[ParamSpec, ...] = ()
    output_type: OutputType = lambda input_type, _params: input_type
    description: str = ""

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)


REGISTRY: dict[str, TransformSpec] = {}


def register(spec: TransformSpec) -> TransformSpec:
    if spec.name in REGISTRY:
        raise ValueError(f"transform {spec.name!r} registered twice")
    REGISTRY[spec.name] = spec
    return spec


def fixed_type(output: str) -> OutputType:
    return lambda _input, _params: output


def with_defaults(spec: TransformSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    filled = {p.name: p.default for p in spec.params if p.default is not None}
    filled.update(params)
    return filled


def param_problems(
    spec: TransformSpec, params: Mapping[str, Any]
) -> list[tuple[ParamSpec | None, str]]:
    """Each problem with ``params`` for ``spec``: (the setting or None, plain words)."""
    problems: list[tuple[ParamSpec | None, str]] = []
    known = {p.name for p in spec.params}
    for name in params:
        if name not in known:
            problems.append((None, f"'{spec.label}' has no setting called '{name}'"))
    filled = with_defaults(spec, params)
    for param in spec.params:
        value = filled.get(param.name)
        if value is None:
            if param.required:
                problems.append((param, f"'{spec.label}' needs a value for '{param.label}'"))
            continue
        problem = _kind_problem(param, value)
        if problem:
            problems.append((param, f"'{spec.label}' setting '{param.label}': {problem}"))
    return problems


def _kind_problem(param: ParamSpec, value: Any) -> str | None:
    kind = param.kind
    if kind == "text" and not isinstance(value, str):
        return "expected text"
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return "expected a whole number"
    if kind == "boolean" and not isinstance(value, bool):
        return "expected yes or no"
    if kind == "choice" and value not in param.choices:
        return f"'{value}' is not one of {', '.join(param.choices)}"
    if kind == "regex":
        if not isinstance(value, str):
            return "expected a pattern"
        try:
            re.compile(value)
        except re.error as exc:
            return f"the pattern '{value}' is not a valid regular expression ({exc})"
    if kind == "table" and not (
        isinstance(value, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        return "expected a table of text → text"
    if kind == "parts" and not (isinstance(value, list) and all(_part_ok(part) for part in value)):
        return 'expected a list of {"text": ...}, {"value": true} or {"field": "path"}'
    if kind == "decimal":
        try:
            Decimal(str(value))
        except InvalidOperation:
            return f"'{value}' is not a number"
        if isinstance(value, float):
            return 'write decimals as text ("0.01"), never as a float'
    return None


def _part_ok(part: object) -> bool:
    if not isinstance(part, Mapping) or len(part) != 1:
        return False
    key, value = next(iter(part.items()))
    return (key in ("text", "field") and isinstance(value, str)) or (
        key == "value" and value is True
    )


def run_step(step: TransformStep, value: Any, context: TransformContext) -> Any:
    spec = REGISTRY.get(step.name)
    if spec is None:
        raise TransformError(f"there is no transform called '{step.name}'")
    return spec.fn(value, with_defaults(spec, step.params), context)


def run_chain(steps: tuple[TransformStep, ...], value: Any, context: TransformContext) -> Any:
    """Run ``steps`` in order; a failing step's error names the step (1-based) and transform."""
    for index, step in enumerate(steps, start=1):
        try:
            value = run_step(step, value, context)
        except TransformError as exc:
            label = REGISTRY[step.name].label if step.name in REGISTRY else step.name
            raise TransformError(f"step {index} ({label}): {exc}") from exc
    return value


def chain_output_type(steps: tuple[TransformStep, ...], input_type: str) -> str:
    current = input_type
    for step in steps:
        spec = REGISTRY.get(step.name)
        if spec is None:
            return "any"
        current = spec.output_type(current, with_defaults(spec, step.params))
    return current


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """Text form of a scalar; money keeps its two decimals, dates are ISO."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def shown(value: Any) -> str:
    """A value for an error message: card numbers redacted, long text shortened."""
    from app.domain.pan import redact_card_numbers

    text = redact_card_numbers(as_text(value))
    return f"'{text[:37]}...'" if len(text) > 40 else f"'{text}'"
