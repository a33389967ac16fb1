"""Card-number (PAN) detection and redaction.

A candidate is 13–19 digits, optionally grouped by single spaces or dashes, not touching
other digits or letters. It counts as a card number only when it passes Luhn *and* starts
with a known brand prefix, so invoice and order numbers stay untouched. Redaction keeps at
most the first 6 and last 4 digits (PCI DSS display limit).
"""

from __future__ import annotations

import re

# Digits with optional single space/dash/dot separators, bounded so we never start or end
# inside a longer run of digits or a word. A run may be longer than a card when a card is
# typed next to another number ("1 4012 0000 9876 5439"): its groups are then tried too.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d(?:[ .-]?\d){12,}(?![0-9A-Za-z])")
_SEPARATOR = re.compile(r"[ .-]")
MASK_CHAR = "*"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """Brand by IIN prefix and length, or None when no known brand fits."""
    length = len(digits)
    two = int(digits[:2])
    three = int(digits[:3])
    four = int(digits[:4])
    six = int(digits[:6])
    if digits[0] == "4" and length in (13, 16, 19):
        return "Visa"
    if (51 <= two <= 55 or 222100 <= six <= 272099) and length == 16:
        return "Mastercard"
    if two in (34, 37) and length == 15:
        return "Amex"
    if (four == 6011 or two == 65 or 644 <= three <= 649 or 622126 <= six <= 622925) and (
        16 <= length <= 19
    ):
        return "Discover"
    if 3528 <= four <= 3589 and 16 <= length <= 19:
        return "JCB"
    if (300 <= three <= 305 or two in (36, 38, 39) or three == 309) and 14 <= length <= 19:
        return "Diners"
    if two in (50, 56, 57, 58, 63, 67) and 12 <= length <= 19:
        return "Maestro"
    if digits[:2] == "62" and 16 <= length <= 19:
        return "UnionPay"
    return None


def is_card_number(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and card_brand(digits) is not None and luhn_ok(digits)


def _mask(digits: str) -> str:
    return digits[:6] + MASK_CHAR * (len(digits) - 10) + digits[-4:]


def _card_spans(run: str) -> list[tuple[int, int]]:
    """(start, end) offsets in ``run`` of the card numbers it holds.

    The whole run first; otherwise every span of whole separator-delimited groups, longest
    first, so a card typed beside another number is still found but a long unseparated
    number is never cut into an arbitrary "card".
    """
    digits = _SEPARATOR.sub("", run)
    if 13 <= len(digits) <= 19 and is_card_number(digits):
        return [(0, len(run))]
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run)]
    # Every span of whole groups holding 13–19 digits (at most 19 groups, so linear).
    found: list[tuple[int, int, int, int]] = []  # (-digits, first, last, ...) longest first
    for first in range(len(groups)):
        count = 0
        for last in range(first, len(groups)):
            count += groups[last][1] - groups[last][0]
            if count > 19:
                break
            if count >= 13:
                found.append((-count, first, last, 0))
    spans: list[tuple[int, int]] = []
    taken = [False] * len(groups)
    for _, first, last, _ in sorted(found):
        if any(taken[first : last + 1]):
            continue
        start, end = groups[first][0], groups[last][1]
        if is_card_number(_SEPARATOR.sub("", run[start:end])):
            spans.append((start, end))
            for i in range(first, last + 1):
                taken[i] = True
    return sorted(spans)


def find_card_numbers(text: str) -> list[str]:
    """Every card number in ``text``, as bare digits."""
    found = []
    for match in _CANDIDATE.finditer(text):
        run = match.group()
        for start, end in _card_spans(run):
            found.append(_SEPARATOR.sub("", run[start:end]))
    return found


def contains_card_number(text: str) -> bool:
    return bool(find_card_numbers(text))


def redact_card_numbers(text: str) -> str:
    """``text`` with every card number reduced to first 6 + last 4."""
    if not text or not any(ch.isdigit() for ch in text):
        return text

    def replace(match: re.Match[str]) -> str:
        run = match.group()
        spans = _card_spans(run)
        if not spans:
            return run
        out, last = [], 0
        for start, end in spans:
            out.append(run[last:start])
            out.append(_mask(_SEPARATOR.sub("", run[start:end])))
            last = end
        out.append(run[last:])
        return "".join(out)

    return _CANDIDATE.sub(replace, text)


def redact_value(value: object) -> object:
    """Redact every string inside a JSON-like value (dicts, lists), keys included."""
    if isinstance(value, str):
        return redact_card_numbers(value)
    if isinstance(value, dict):
        return {redact_card_numbers(str(k)): redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10**12:
        text = str(value)
        return redact_card_numbers(text) if is_card_number(text) else value
    return value
