"""Text transforms: trim, case, zero padding, regex extract, replace, concatenate, constant,
default-if-empty."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.mapping.source_row import get_path
from app.mapping.transforms.registry import (
    ParamSpec,
    TransformContext,
    TransformError,
    TransformSpec,
    as_text,
    fixed_type,
    is_empty,
    register,
    shown,
)


def trim(value: Any, params: Mapping[str, Any], _ctx: TransformContext) -> str:
    chars = params.get("chars") or None
    return as_text(value).strip(chars)


def upper(value: Any, _params: Mapping[str, Any], _ctx: TransformContext) -> str:
    return as_text(value).upper()


def lower(value: Any, _params: Mapping[str, Any], _ctx: TransformContext) -> str:
    return as_text(value).lower()


def pad_left(value: Any, params: Mapping[str, Any], _ctx: TransformContext) -> str:
    text = as_text(value)
    fill = params["char"]
    if len(fill) != 1:
        raise TransformError(f"the padding character must be one character, not {shown(fill)}")
    return text.rjust(int(params["width"]), fill)


def strip_leading_zeros(value: Any, _params: Mapping[str, Any], _ctx: TransformContext) -> str:
    text = as_text(value)
    stripped = text.lstrip("0")
    # "000" is the number zero, not an empty reference.
    return stripped if stripped or not text else "0"


def regex_extract(value: Any, params: Mapping[str, Any], _ctx: TransformContext) -> str:
    text = as_text(value)
    try:
        pattern = re.compile(params["pattern"], 0 if params["case_sensitive"] else re.IGNORECASE)
    except re.error as exc:
        raise TransformError(f"the pattern is not a valid regular expression ({exc})") from exc
    match = pattern.search(text)
    if match is None:
        if params["if_no_match"] == "empty":
            return ""
        if params["if_no_match"] == "keep":
            return text
        raise TransformError(f"{shown(text)} does not match the pattern '{params['pattern']}'")
    group = int(params["group"])
    if group > (pattern.groups or 0):
        raise TransformError(f"the pattern has no group {group}")
    return match.group(group) or ""


def replace_text(value: Any, params: Mapping[str, Any], _ctx: TransformContext) -> str:
    text = as_text(value)
    if params["regex"]:
        try:
            return re.sub(params["find"], params["replace_with"], text)
        except re.error as exc:
            raise TransformError(f"the pattern is not a valid regular expression ({exc})") from exc
    return text.replace(params["find"], params["replace_with"])


def concatenate(value: Any, params: Mapping[str, Any], ctx: TransformContext) -> str:
    pieces = []
    for part in params["parts"]:
        if "text" in part:
            pieces.append(part["text"])
        elif "field" in part:
            pieces.append(as_text(get_path(ctx.row, part["field"])))
        else:
            pieces.append(as_text(value))
    return str(params["separator"]).join(pieces)


def constant(_value: Any, params: Mapping[str, Any], _ctx: TransformContext) -> str:
    return str(params["value"])


def default_if_empty(value: Any, params: Mapping[str, Any], ctx: TransformContext) -> Any:
    if not is_empty(value):
        return value
    if params.get("field"):
        fallback = get_path(ctx.row, params["field"])
        if not is_empty(fallback):
            return fallback
    return params.get("value", "")


register(
    TransformSpec(
        "trim",
        "Trim",
        trim,
        (ParamSpec("chars", "text", "Characters", help="Empty: white space"),),
        fixed_type("text"),
        "Remove spaces (or the given characters) at both ends.",
    )
)
register(TransformSpec("upper", "Upper case", upper, (), fixed_type("text"), "UPPER CASE."))
register(TransformSpec("lower", "Lower case", lower, (), fixed_type("text"), "lower case."))
register(
    TransformSpec(
        "pad_left",
        "Pad",
        pad_left,
        (
            ParamSpec("width", "integer", "Width", required=True),
            ParamSpec("char", "text", "Character", default="0"),
        ),
        fixed_type("text"),
        "Pad on the left to a fixed width (leading zeros by default).",
    )
)
register(
    TransformSpec(
        "strip_leading_zeros",
        "Strip leading zeros",
        strip_leading_zeros,
        (),
        fixed_type("text"),
        "Remove leading zeros (0104512 → 104512).",
    )
)
register(
    TransformSpec(
        "regex_extract",
        "Regex extract",
        regex_extract,
        (
            ParamSpec("pattern", "regex", "Pattern", required=True),
            ParamSpec("group", "integer", "Group", default=0, help="0: the whole match"),
            ParamSpec("case_sensitive", "boolean", "Case sensitive", default=False),
            ParamSpec(
                "if_no_match",
                "choice",
                "If no match",
                default="error",
                choices=("error", "empty", "keep"),
            ),
        ),
        fixed_type("text"),
        "Keep the part of the text that matches a regular expression.",
    )
)
register(
    TransformSpec(
        "replace",
        "Replace",
        replace_text,
        (
            ParamSpec("find", "text", "Find", required=True),
            ParamSpec("replace_with", "text", "Replace with", default=""),
            ParamSpec("regex", "boolean", "Regular expression", default=False),
        ),
        fixed_type("text"),
        "Replace text (or a regular expression) with other text.",
    )
)
register(
    TransformSpec(
        "concatenate",
        "Concatenate",
        concatenate,
        (
            ParamSpec("parts", "parts", "Parts", required=True),
            ParamSpec("separator", "text", "Separator", default=""),
        ),
        fixed_type("text"),
        "Join fixed text, the value and other source fields.",
    )
)
register(
    TransformSpec(
        "constant",
        "Constant",
        constant,
        (ParamSpec("value", "text", "Value", required=True),),
        fixed_type("text"),
        "Always the same value.",
    )
)
register(
    TransformSpec(
        "default_if_empty",
        "Default if empty",
        default_if_empty,
        (
            ParamSpec("value", "text", "Default value"),
            ParamSpec("field", "text", "Or source field", help="Tried before the value"),
        ),
        description="When the value is empty, use another field or a fixed value.",
    )
)
