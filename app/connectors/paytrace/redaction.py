"""Card-number redaction of whole export rows, fast enough for 50,000-row exports.

Same result as ``app.domain.pan.redact_value`` (and stricter about numbers); a C-speed
regex pre-check (13 digits in a row, single spaces/dashes allowed) lets the many strings
that cannot hold a card number skip the redactor's per-character scan.
"""

from __future__ import annotations

import re
from typing import Any

from app.domain.pan import is_card_number, redact_card_numbers

_MAYBE_CARD = re.compile(r"\d(?:[ -]?\d){12}")


def redact_text(text: str) -> str:
    return redact_card_numbers(text) if _MAYBE_CARD.search(text) else text


def redact(value: Any) -> Any:
    """Every string inside a JSON-like value redacted, keys included; shape kept."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {(redact_text(k) if isinstance(k, str) else k): redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10**12:
        # Numbers that spell a card number (negative or 4012000098765439.0 included) become
        # masked text; the domain redactor only looks at positive integers.
        if isinstance(value, float) and not value.is_integer():
            return value
        digits = str(abs(int(value)))
        return redact_card_numbers(digits) if is_card_number(digits) else value
    return value
