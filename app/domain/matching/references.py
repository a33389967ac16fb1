"""Reading invoice references out of what a payer typed.

Payers write the same invoice as "104512", "INV-0104512", "#104512", " inv 104512 ",
"Invoice#104512" or bury it in a sentence; some pay several at once ("104512,104513",
"104512/104513", "104512 & 104513"). ``normalise_reference`` maps all spellings of one key
to the same text; invoice keys (InvoiceID, OrderNumber, PONumber) go through the same
function, so equality of normalised text is the join condition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

# Words payers put in front of a number. Stripped only when digits follow, so an
# alphanumeric key such as "POLY7" keeps its letters.
_PREFIXES = re.compile(
    r"^(?:(?:INVOICE|INV|PURCHASE\s*ORDER|P\.?\s?O|SALES\s*ORDER|S\.?\s?O|ORDER|ORD"
    r"|REFERENCE|REF|NUMBER|NUM|NBR|NO)[\s#:.\-_/]*)+(?=\d)"
)
_SEPARATORS = re.compile(r"[\s#:.\-_]+")
_LIST_SPLIT = re.compile(r"\s*(?:[,;/&+|]|\bAND\b)\s*", re.IGNORECASE)
_WORDS = re.compile(r"[^\s,;/&+|()\[\]\"']+")
_DIGIT_RUN = re.compile(r"\d{4,}")
_HAS_DIGIT = re.compile(r"\d")


def normalise_reference(text: str) -> str:
    """Upper case; no spaces, ``#``, dashes or dots; no ``INV-``-style prefix; no leading zeros.

    >>> normalise_reference(" inv-0104512 ")
    '104512'
    """
    if text.isdigit() and text.isascii():  # most keys: the rules below would only strip zeros
        return text.lstrip("0")
    cleaned = text.upper().strip().lstrip("#:.-_ ")
    cleaned = _PREFIXES.sub("", cleaned)
    cleaned = _SEPARATORS.sub("", cleaned)
    return cleaned.lstrip("0")


class ReferenceSource(StrEnum):
    """The Transaction field a reference came from."""

    INVOICE_ID = "invoice_id"
    CUSTOMER_REFERENCE = "customer_reference_id"
    DESCRIPTION = "description"


class ReferenceStrength(IntEnum):
    """How deliberately the payer named the key; higher is stronger."""

    TEXT_TOKEN = 1  # a number found in the free-text description
    FIELD_TOKEN = 2  # one item of a list, or a number inside a reference field
    WHOLE_FIELD = 3  # the whole reference field is the key: the hard key


@dataclass(frozen=True)
class ReferenceHit:
    key: str  # normalised
    source: ReferenceSource
    strength: ReferenceStrength
    text: str  # as the payer wrote it, for the explanation


# No Sage Pro key is this long (InvoiceID <= 10, PO numbers a little more): longer
# "keys" are sentences run together and can only waste a dictionary lookup.
_MAX_KEY_LENGTH = 24


def _is_key(key: str, min_length: int) -> bool:
    return min_length <= len(key) <= _MAX_KEY_LENGTH and _HAS_DIGIT.search(key) is not None


def _tokens(text: str, min_length: int) -> list[tuple[str, str]]:
    """(key, original) for every list item, word and 4+ digit run of ``text``."""
    found: list[tuple[str, str]] = []
    items = [item.strip() for item in _LIST_SPLIT.split(text) if item.strip()]
    if len(items) > 1:  # "INV 104512 & INV 104513": each item may be a prefixed key
        found.extend((normalise_reference(item), item) for item in items if not item.isdigit())
    # Bare numbers come only from the 4+ digit runs below ("qty 120" names nothing);
    # words with letters ("INV-0123", "SO20451") are deliberate and count as they are.
    for word in _WORDS.findall(text):
        if not word.isdigit():
            found.append((normalise_reference(word), word))
    for run in _DIGIT_RUN.findall(text):
        found.append((run.lstrip("0"), run))
    return [(key, original) for key, original in found if _is_key(key, min_length)]


def field_hits(
    text: str, source: ReferenceSource, min_length: int, can_be_hard: bool
) -> list[ReferenceHit]:
    """The keys one field holds (in the order found); ``extract_references`` combines them."""
    text = text.strip()
    if not text:
        return []
    hits: list[ReferenceHit] = []
    items = [item for item in _LIST_SPLIT.split(text) if item.strip()]
    if can_be_hard and len(items) == 1:
        whole = normalise_reference(text)
        if _is_key(whole, min_length):
            hits.append(ReferenceHit(whole, source, ReferenceStrength.WHOLE_FIELD, text))
    token_strength = ReferenceStrength.FIELD_TOKEN if can_be_hard else ReferenceStrength.TEXT_TOKEN
    for key, original in _tokens(text, min_length):
        hits.append(ReferenceHit(key, source, token_strength, original))
    return hits


def extract_references(
    invoice_id: str, customer_reference_id: str, description: str, min_length: int = 3
) -> tuple[ReferenceHit, ...]:
    """Every distinct key the payer wrote, each with its strongest occurrence, strongest first.

    Only ``invoice_id`` and ``customer_reference_id`` can carry a hard key; the description
    is free text, so whatever it holds is a token.
    """
    return strongest_hits(
        [
            *field_hits(invoice_id, ReferenceSource.INVOICE_ID, min_length, can_be_hard=True),
            *field_hits(
                customer_reference_id,
                ReferenceSource.CUSTOMER_REFERENCE,
                min_length,
                can_be_hard=True,
            ),
            *field_hits(description, ReferenceSource.DESCRIPTION, min_length, can_be_hard=False),
        ]
    )


def strongest_hits(hits: Sequence[ReferenceHit]) -> tuple[ReferenceHit, ...]:
    """Each key once, with its strongest occurrence, strongest first (``hits`` in field
    order: invoice_id, customer_reference_id, description)."""
    best: dict[str, ReferenceHit] = {}
    for hit in hits:  # earlier fields win among equal strengths: invoice_id is most deliberate
        current = best.get(hit.key)
        if current is None or hit.strength > current.strength:
            best[hit.key] = hit
    return tuple(sorted(best.values(), key=lambda h: -h.strength))
