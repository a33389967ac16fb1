"""The mapping's reference-extraction rules, applied to one row: which fields the matcher
reads for invoice references, and the tokens the document's pattern finds in them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.mapping.document import ReferenceRules
from app.mapping.source_row import get_path
from app.mapping.transforms.registry import as_text


def reference_texts(rules: ReferenceRules, row: Mapping[str, Any]) -> dict[str, str]:
    """Configured field path → its text in ``row`` (empty fields left out), in rule order."""
    found = {}
    for path in rules.fields:
        text = as_text(get_path(row, path)).strip()
        if text:
            found[path] = text
    return found


def normalise_token(rules: ReferenceRules, token: str) -> str:
    text = token.strip().upper()
    for prefix in sorted(rules.strip_prefixes, key=len, reverse=True):
        if text.startswith(prefix.upper()):
            text = text[len(prefix) :].lstrip(" -#:.")
            break
    if rules.strip_leading_zeros:
        text = text.lstrip("0") or ("0" if text else "")
    return text


def reference_tokens(rules: ReferenceRules, row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field path, normalised token) for every match of the token pattern, without repeats."""
    pattern = re.compile(rules.token_pattern, re.IGNORECASE)
    seen: set[str] = set()
    tokens = []
    for path, text in reference_texts(rules, row).items():
        for match in pattern.finditer(text):
            token = normalise_token(rules, match.group())
            if token and token not in seen:
                seen.add(token)
                tokens.append((path, token))
    return tokens
