"""The tag expressions of a FoxPro/Visual FoxPro compound index (.CDX), read defensively.

``dbflib.read_cdx_definitions`` walks the whole index without bounds or cycle checks, so a
damaged CDX (cut short by a copy, zeroed by a crash) makes it loop for ever; a survey must
say "damaged" instead. Only the tag directory (the compound header's own tree, whose leaf
keys are tag names pointing at each tag's header) is walked here, with every node offset
checked and visited once. Layout (compact index, as dbflib writes and reads it): 512-byte
pages; a header holds the root node at 0, the key length at 12, options at 14, descending
at 502 and the key then FOR expression from 512; a node holds its attributes at 0 (bit 2 =
leaf), key count at 2, right sibling at 8, and a leaf's packed entries from 24.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

PAGE = 512


class CdxDamagedError(ValueError):
    pass


@dataclass(frozen=True)
class TagDefinition:
    tag: str
    key: str
    filter: str
    unique: bool
    descending: bool


def read_tag_definitions(path: Path, encoding: str = "cp1252") -> list[TagDefinition]:
    data = path.read_bytes()
    if len(data) < 2 * PAGE or len(data) % PAGE:
        raise CdxDamagedError(f"{len(data)} bytes is not a whole number of index pages")
    tags = []
    for name, header in _leaf_entries(data, 0):
        _page(data, header)
        _page(data, header + PAGE)
        options = data[header + 14]
        (descending,) = struct.unpack_from("<H", data, header + 502)
        pool = data[header + PAGE : header + 2 * PAGE]
        key, _, rest = pool.partition(b"\x00")
        condition = rest.split(b"\x00")[0]
        tags.append(
            TagDefinition(
                name.rstrip(b"\x00 ").decode(encoding),
                key.decode(encoding),
                condition.decode(encoding),
                bool(options & 0x01),
                bool(descending),
            )
        )
    return tags


def _page(data: bytes, offset: int) -> int:
    if offset < PAGE or offset % PAGE or offset + PAGE > len(data):
        raise CdxDamagedError(f"a node offset {offset} points outside the index")
    return offset


def _leaf_entries(data: bytes, header: int) -> list[tuple[bytes, int]]:
    """(key, record field) of every leaf entry of the tree whose header is at ``header``;
    for the tag directory the record field is the offset of each tag's header."""
    (root,) = struct.unpack_from("<i", data, header)
    (key_length,) = struct.unpack_from("<H", data, header + 12)
    if not 0 < key_length <= 240:
        raise CdxDamagedError(f"a key length of {key_length} is impossible")
    seen: set[int] = set()
    node = _page(data, root)
    while not struct.unpack_from("<H", data, node)[0] & 2:  # down to the leftmost leaf
        if node in seen:
            raise CdxDamagedError("the index tree loops")
        seen.add(node)
        node = _page(data, struct.unpack_from(">I", data, node + 12 + key_length + 4)[0])
    entries: list[tuple[bytes, int]] = []
    while True:
        if node in seen:
            raise CdxDamagedError("the index leaves loop")
        seen.add(node)
        _, count, _, right = struct.unpack_from("<HHii", data, node)
        (recno_mask,) = struct.unpack_from("<I", data, node + 14)
        dup_mask, trail_mask, recno_bits, dup_bits, _, info_bytes = data[node + 18 : node + 24]
        if info_bytes == 0 or 24 + count * info_bytes > PAGE:
            raise CdxDamagedError("a leaf node holds more entries than fit in it")
        info, key_at, previous = node + 24, node + PAGE, b""
        for _ in range(count):
            packed = int.from_bytes(data[info : info + info_bytes], "little")
            info += info_bytes
            dup = (packed >> recno_bits) & dup_mask
            trail = (packed >> (recno_bits + dup_bits)) & trail_mask
            length = key_length - dup - trail
            if length < 0 or key_at - length < info:
                raise CdxDamagedError("a leaf key overlaps its node's entries")
            key_at -= length
            previous = previous[:dup] + data[key_at : key_at + length]
            entries.append((previous, packed & recno_mask))
        if right == -1:
            return entries
        node = _page(data, right)
