"""Finance synonym table for mapping suggestions: words that name the same idea.

A word may belong to several ideas ("transaction" names both a payment and its reference);
name similarity compares the ideas of two names, not their spelling alone.
"""

from __future__ import annotations

import re

CONCEPTS: dict[str, frozenset[str]] = {
    "amount": frozenset({"amount", "amt", "total", "sum", "value", "price", "gross", "paid"}),
    "invoice": frozenset({"invoice", "inv", "bill", "invno"}),
    "reference": frozenset(
        {"reference", "ref", "po", "transaction", "txn", "trans", "confirmation", "key"}
    ),
    "date": frozenset({"date", "created", "at", "time", "day", "dt", "timestamp", "when"}),
    "customer": frozenset({"customer", "client", "payer", "cust", "custno", "buyer"}),
    "method": frozenset({"method", "type", "kind", "mode", "tender"}),
    "id": frozenset({"id", "number", "no", "num", "nbr", "code"}),
    "status": frozenset({"status", "state", "result", "outcome"}),
    "payment": frozenset({"payment", "pay", "transaction", "txn", "receipt", "charge"}),
    "memo": frozenset({"memo", "description", "desc", "note", "notes", "comment"}),
    "email": frozenset({"email", "mail", "emailed"}),
    "name": frozenset({"name", "company"}),
    "order": frozenset({"order", "so", "sales"}),
    "account": frozenset({"account", "acct", "acc"}),
    "ledger": frozenset({"gl", "ledger"}),
    "tax": frozenset({"tax", "vat"}),
    "zip": frozenset({"zip", "postcode", "postal"}),
    "street": frozenset({"street", "address1", "line1"}),
    "last4": frozenset({"last4", "last"}),
    "expiry": frozenset({"expiry", "expiration", "exp"}),
}

# Words that name a place or a grouping, not the value itself.
NOISE = frozenset({"address", "billing", "shipping", "credit", "card", "check", "the", "of"})
# "state" is a status word, but in an address it is a region.
_REGION_CONTEXT = frozenset({"address", "billing", "shipping"})

_WORD_OF: dict[str, set[str]] = {}
for _concept, _words in CONCEPTS.items():
    for _word in _words:
        _WORD_OF.setdefault(_word, set()).add(_concept)


def words(name: str) -> list[str]:
    """``PaymentReference`` → payment, reference; ``billing_address.zip`` → billing, ..."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def concepts(name: str) -> set[str]:
    """The ideas a field name speaks of (a word with no known idea stands for itself)."""
    found: set[str] = set()
    tokens = words(name)
    for word in tokens:
        if word in NOISE:
            continue
        if word == "state" and _REGION_CONTEXT & set(tokens):
            found.add("region")
            continue
        found |= _WORD_OF.get(word, {word})
    return found


def shared_words(a: str, b: str) -> list[str]:
    """The ideas two names share, for the explanation."""
    return sorted(concepts(a) & concepts(b))
