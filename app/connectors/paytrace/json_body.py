"""PayTrace answers decoded from bytes, keeping each exported row's own JSON text.

An export of 50,000 rows is mostly rows no card number can be in; proving that on a row's
bytes (``redaction.json_bytes_hold_no_card``) is far cheaper than walking its decoded
strings. So the rows array is split into one ``msgspec.Raw`` per row, and the parser decodes
each row itself. The result equals ``json.loads`` of the same bytes: whatever msgspec
refuses (NaN, a lone surrogate, a byte-order mark, not UTF-8) is decoded by ``json.loads``.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_ANY = msgspec.json.Decoder()
_FIELDS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ROWS = msgspec.json.Decoder(list[msgspec.Raw])


class RawRows(list[bytes]):
    """The rows of an export array, each still its JSON text (see ``decode_row``), and the
    array's whole text (one card pre-check for all rows)."""

    def __init__(self, rows: list[bytes], text: bytes) -> None:
        super().__init__(rows)
        self.text = text


def decode_row(data: bytes | msgspec.Raw) -> Any:
    """One JSON value, exactly as ``json.loads`` reads it."""
    try:
        return _ANY.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return json.loads(bytes(data))


def decode_body(content: bytes, rows_key: str | None = None) -> Any:
    """``json.loads(content)``, except that the array under ``rows_key`` of a top-level
    object comes back as ``RawRows``. Raises ``ValueError`` as ``json.loads`` does."""
    if rows_key is None:
        return decode_row(content)
    try:
        fields = _FIELDS.decode(content)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return json.loads(content)  # not an object, or JSON only the stricter reader refuses
    return {
        key: _rows(value) if key == rows_key else decode_row(value) for key, value in fields.items()
    }


def _rows(data: msgspec.Raw) -> Any:
    try:
        return RawRows([bytes(row) for row in _ROWS.decode(data)], bytes(data))
    except (msgspec.DecodeError, msgspec.ValidationError):
        return decode_row(data)  # not an array: the parser reports what it is
