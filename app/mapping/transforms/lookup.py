"""Table transforms: lookup (inline or a caller-supplied table such as the customer link),
the document's status map, and the GL account rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.mapping.gl_rules import choose_gl_account
from app.mapping.transforms.registry import (
    ParamSpec,
    TransformContext,
    TransformError,
    TransformSpec,
    as_text,
    fixed_type,
    register,
    shown,
)

CUSTOMER_LINKS = "customer_links"


def _find(table: Mapping[str, str], key: str, case_insensitive: bool) -> str | None:
    if key in table:
        return table[key]
    if case_insensitive:
        folded = key.casefold()
        for candidate, value in table.items():
            if candidate.strip().casefold() == folded:
                return value
    return None


def lookup(value: Any, params: Mapping[str, Any], ctx: TransformContext) -> Any:
    key = as_text(value).strip()
    name = params.get("context_table")
    if name:
        if name not in ctx.tables:
            raise TransformError(f"the caller supplied no table called '{name}'")
        table: Mapping[str, str] = ctx.tables[name]
        where = f"the {name.replace('_', ' ')}"
    else:
        table = params.get("table") or {}
        where = "the lookup table"
    found = _find(table, key, bool(params["case_insensitive"]))
    if found is not None:
        return found
    missing = params["if_missing"]
    if missing == "keep":
        return value
    if missing == "default":
        return params.get("default", "")
    if not key:
        raise TransformError(f"the value is empty, so {where} cannot be used")
    raise TransformError(f"{shown(key)} is not in {where}")


def status_map(value: Any, _params: Mapping[str, Any], ctx: TransformContext) -> str:
    values = ctx.document.status_map.values
    key = as_text(value).strip()
    found = _find(values, key, case_insensitive=True)
    if found is None:
        known = ", ".join(values) or "nothing"
        raise TransformError(f"the status map has no entry for {shown(key)} (it knows {known})")
    return found


def gl_account(_value: Any, _params: Mapping[str, Any], ctx: TransformContext) -> str:
    choice = choose_gl_account(ctx.document.gl_rules, ctx.row, ctx.tables.get(CUSTOMER_LINKS, {}))
    if choice is None:
        raise TransformError("no GL rule matched and the GL rules have no default account")
    return choice.account


register(
    TransformSpec(
        "lookup",
        "Lookup table",
        lookup,
        (
            ParamSpec("table", "table", "Table"),
            ParamSpec(
                "context_table",
                "text",
                "Or caller table",
                help="e.g. customer_links: PayTrace customer_id → Sage Pro CustomerID",
            ),
            ParamSpec("case_insensitive", "boolean", "Ignore case", default=True),
            ParamSpec(
                "if_missing",
                "choice",
                "If missing",
                default="error",
                choices=("error", "keep", "default"),
            ),
            ParamSpec("default", "text", "Default"),
        ),
        fixed_type("text"),
        "Replace the value by the matching entry of a table.",
    )
)
register(
    TransformSpec(
        "status_map",
        "Status map",
        status_map,
        (),
        fixed_type("text"),
        "Translate the PayTrace status word with the document's status map.",
    )
)
register(
    TransformSpec(
        "gl_account",
        "GL rules",
        gl_account,
        (),
        fixed_type("text"),
        "The GL account from the GL rules (first match wins, else the default).",
    )
)
