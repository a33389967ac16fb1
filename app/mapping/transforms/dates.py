"""Date transforms: parse (PayTrace's ``M/D/YYYY h:mm:ss AM|PM`` and others) and format.

PayTrace times are merchant-local wall clock without a zone; they stay naive here, so the
date Sage Pro sees is the merchant's calendar date (docs/architecture.md §2, Time).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from app.domain.us_dates import After, read_month_day_year
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


def parse_datetime_text(text: str, format_name: str = "paytrace") -> datetime:
    """Read ``text`` with a named format ("paytrace", "iso") or a ``strptime`` pattern."""
    cleaned = re.sub(r"\s+", " ", text.strip())
    if not cleaned:
        raise TransformError("the date is empty")
    try:
        if format_name == "paytrace":  # M/D/YYYY [h:mm[:ss] [AM|PM]], the connector's reader
            moment = read_month_day_year(cleaned, after=After.TIME)
            if moment is not None:
                return moment
        elif format_name == "iso":
            return datetime.fromisoformat(cleaned)
        else:
            text_case = cleaned.upper() if "%p" in format_name else cleaned
            return datetime.strptime(text_case, format_name)
    except ValueError:
        pass
    raise TransformError(f"{shown(text)} is not a date in the '{format_name}' format")


def as_datetime(value: Any, format_name: str = "paytrace") -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise TransformError(f"{shown(value)} is not a date")
    return parse_datetime_text(value, format_name)


def as_date(value: Any) -> date:
    """A date from a date, a date-time, ISO text or PayTrace text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = as_text(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for name in ("paytrace", "iso"):
        try:
            return parse_datetime_text(text, name).date()
        except TransformError:
            continue
    raise TransformError(f"{shown(value)} is not a date")


def parse_date(value: Any, params: Mapping[str, Any], _ctx: TransformContext) -> datetime:
    return as_datetime(value, str(params["format"]))


def format_date(value: Any, params: Mapping[str, Any], _ctx: TransformContext) -> str:
    moment: date | datetime
    if isinstance(value, date | datetime):
        moment = value
    else:
        moment = as_datetime(value, "iso") if _looks_iso(value) else as_datetime(value)
    return moment.strftime(str(params["format"]))


def _looks_iso(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"\s*\d{4}-\d{2}-\d{2}", value))


def _format_output(_input: str, params: Mapping[str, Any]) -> str:
    return "date" if params.get("format") == "%Y-%m-%d" else "text"


register(
    TransformSpec(
        "parse_date",
        "Parse date",
        parse_date,
        (
            ParamSpec(
                "format",
                "text",
                "Format",
                default="paytrace",
                help="paytrace (M/D/YYYY h:mm:ss AM|PM), iso, or a strptime pattern",
            ),
        ),
        fixed_type("datetime"),
        "Read text as a date and time.",
    )
)
register(
    TransformSpec(
        "format_date",
        "Format date",
        format_date,
        (ParamSpec("format", "text", "Format", default="%Y-%m-%d", help="strptime pattern"),),
        _format_output,
        "Write a date as text (YYYY-MM-DD by default, what Sage Pro wants).",
    )
)
