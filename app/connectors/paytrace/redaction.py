"""Card-number redaction of whole export rows, fast enough for 50,000-row exports.

Same result as ``app.domain.pan.redact_value`` (and stricter about numbers). Most strings
cannot hold a card number, and the walk proves that cheaply: a card is at least 13 digits,
so shorter text is kept as it is, and a C-speed regex pre-check (13 digits in a row, single
spaces/dashes allowed) lets the rest skip the redactor's per-character scan. Leaves are
tested inline rather than by a call per value: an export row has ~75 strings.
"""

from __future__ import annotations

import re
from typing import Any

from app.domain.pan import is_card_number, redact_card_numbers

# The separators the domain redactor allows between a card's digits (dots included).
_MAYBE_CARD = re.compile(r"\d(?:[ .-]?\d){12}")
_SHORTEST_CARD = 13  # digits; text shorter than this holds none
_SMALLEST_CARD = 10**12  # numbers below this in size have fewer than 13 digits
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz_"


# For ``json_bytes_hold_no_card``: digits become "0" and an exponent's e/E becomes "e"; the
# second step drops the separators, so a card's digits become a run of 13+ zeros.
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789E", b"0000000000e")
_CARD_SEPARATORS = b" .-"
_THIRTEEN_DIGITS = b"0" * _SHORTEST_CARD


def json_bytes_hold_no_card(data: bytes) -> bool:
    """True when no string, key or number of this JSON text can hold a card number, proved
    on the bytes at C speed; then ``redact`` of its decoded value changes nothing.

    A card needs 13 digits with at most one separator between them, so without a run like
    that anywhere in the text there is none in any value or key. Text is refused when it
    could hide digits from that test: ``\\u`` escapes, non-ASCII (other scripts' digits) and
    numbers with an exponent (``4.2e15`` is a 16-digit number). False means "look closer".
    """
    if not data.isascii() or b"\\u" in data:
        return False
    digits = data.translate(_DIGITS_AS_ZERO)
    if b"0e" in digits:
        return False
    return _THIRTEEN_DIGITS not in digits.translate(None, _CARD_SEPARATORS)


def redact_text(text: str) -> str:
    if len(text) < _SHORTEST_CARD or not _MAYBE_CARD.search(text):
        return text
    return redact_card_numbers(text)


def redact(value: Any) -> Any:
    """Every string inside a JSON-like value redacted, keys included; shape kept."""
    kind = type(value)
    if kind is dict:
        return _redact_dict(value)
    if kind is str:
        return redact_text(value)
    if kind is list:
        return [redact(v) for v in value]
    return _redact_other(value)


def _redact_dict(row: dict[Any, Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key, value in row.items():
        # Field names ("transaction_id") are lower-case letters and underscores: no digit.
        if type(key) is str and len(key) >= _SHORTEST_CARD and key.strip(_NAME_CHARS):
            key = redact_text(key)
        kind = type(value)
        if kind is str:
            out[key] = value if len(value) < _SHORTEST_CARD else redact_text(value)
        elif kind is dict:
            out[key] = _redact_dict(value)
        elif value is None or kind is bool:
            out[key] = value
        elif kind is int and -_SMALLEST_CARD < value < _SMALLEST_CARD:
            out[key] = value  # too few digits for a card
        elif kind is float and len(repr(value)) < _SHORTEST_CARD:
            out[key] = value  # its JSON text has too few digits for a card
        else:
            out[key] = redact(value)
    return out


def _redact_other(value: Any) -> Any:
    """Subclasses of str/dict/list (never from a JSON parser, kept for safety) and numbers."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {(redact_text(k) if isinstance(k, str) else k): redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10**12:
        # Numbers that spell a card number (negative or 4012000098765439.0 included) become
        # masked text; the domain redactor only looks at positive integers.
        whole = not isinstance(value, float) or value.is_integer()
        digits = str(abs(int(value))) if whole else ""
        if whole and is_card_number(digits):
            return redact_card_numbers(digits)
    if isinstance(value, float):
        # Its JSON text is what a reader sees: 6244544980424044.0 reads as a 17-digit card.
        shown = repr(value)
        masked = redact_card_numbers(shown)
        return masked if masked != shown else value
    return value
