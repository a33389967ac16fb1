"""How to fetch one block of rows of a sorted SQL result cheaply (Qt-free).

Rows are shown in blocks. A block next to one already loaded is fetched by *keyset*
(``WHERE (sort, key) > (last sort, last key) LIMIT n``: an index seek, however deep).
Otherwise by OFFSET from whichever end is nearer, reading the result backwards for the
bottom half, so jumping to the last row costs as little as showing the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BlockPlan:
    block: int
    reverse: bool  # read in the opposite of the display order (rows come back reversed)
    offset: int
    limit: int
    # (sort value, key) the rows must lie strictly beyond, in the direction read; None = offset
    boundary: tuple[Any, Any] | None


def block_span(block: int, block_size: int, total: int) -> tuple[int, int]:
    """First row and one past the last row of ``block``."""
    start = block * block_size
    return start, max(start, min(total, start + block_size))


def plan_block(
    block: int,
    *,
    block_size: int,
    total: int,
    last_of_previous: tuple[Any, Any] | None = None,
    first_of_next: tuple[Any, Any] | None = None,
) -> BlockPlan:
    """The cheapest query for ``block`` given the neighbours' boundary rows, if loaded."""
    start, end = block_span(block, block_size, total)
    limit = end - start
    if last_of_previous is not None:
        return BlockPlan(block, False, 0, limit, last_of_previous)
    if first_of_next is not None:
        return BlockPlan(block, True, 0, limit, first_of_next)
    if start <= total - end:
        return BlockPlan(block, False, start, limit, None)
    return BlockPlan(block, True, total - end, limit, None)
