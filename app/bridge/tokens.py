"""The token a staged posting carries into Sage Pro: what the bookkeeper types in the
Check/Reference No. (bridge doc §4.1). Deterministic, so a restart, a retry or a lost store
finds the same token from the key alone."""

from __future__ import annotations

import hashlib

MIN_TOKEN_WIDTH = 8  # below this a hashed token has too few characters to be unique
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class TokenWidthError(ValueError):
    pass


def token_for(key: str, width: int) -> str:
    """What the bookkeeper types: the key itself (upper case) when it fits the field, else
    "P" + a kind letter + base36 of its SHA-256, cut to the width. Deterministic, so a
    restart or a retry finds the same token without a stored mapping."""
    if width < MIN_TOKEN_WIDTH:
        raise TokenWidthError(
            f"the reference field is {width} characters wide; at least {MIN_TOKEN_WIDTH} "
            "are needed to carry a token"
        )
    key = key.strip().upper()
    if len(key) <= width:
        return key
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest(), "big")
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits += _BASE36[rest]
    kind = key.rsplit("-", 1)[-1][:1] or "X"  # PAY → P, REFUND → R …
    return ("P" + kind + digits)[:width]
