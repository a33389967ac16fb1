"""Which open invoices does one payment cover? A bounded search for a *unique* exact subset.

Subset-sum is NP-hard, so the search is capped three ways (items, subset size, visited
nodes). Hitting a cap is reported as TOO_LARGE, which the engine treats as ambiguous:
an answer we could not prove unique is never proposed. The search stops as soon as a
second solution shows up, since two answers are already a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class SubsetOutcome(StrEnum):
    UNIQUE = "unique"
    NONE = "none"
    SEVERAL = "several"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class SubsetSearch:
    outcome: SubsetOutcome
    solutions: tuple[tuple[int, ...], ...]  # positions in the input, ascending; at most two
    explored: int  # nodes visited, for tests and tuning


class _BudgetExhaustedError(Exception):
    """Unwinds the recursion when the node budget is spent."""


def find_unique_subset(
    amounts: Sequence[int],
    target: int,
    *,
    min_size: int = 2,
    max_size: int = 6,
    max_items: int = 40,
    budget: int = 20_000,
) -> SubsetSearch:
    """Search subsets of ``amounts`` (positive cents) of ``min_size..max_size`` items that
    sum exactly to ``target``."""
    if target <= 0 or min_size < 1 or max_size < min_size:
        return SubsetSearch(SubsetOutcome.NONE, (), 0)
    # Items larger than the target can never take part; dropping them first keeps the
    # item cap about the invoices that matter.
    usable = sorted(
        ((amount, position) for position, amount in enumerate(amounts) if 0 < amount <= target),
        reverse=True,
    )
    if len(usable) < min_size:
        return SubsetSearch(SubsetOutcome.NONE, (), 0)
    if len(usable) > max_items:
        return SubsetSearch(SubsetOutcome.TOO_LARGE, (), 0)
    values = [amount for amount, _ in usable]
    prefix = [0]
    for value in values:
        prefix.append(prefix[-1] + value)
    count = len(values)
    solutions: list[tuple[int, ...]] = []
    chosen: list[int] = []
    explored = 0

    def extend(start: int, need: int) -> None:
        nonlocal explored
        slots = max_size - len(chosen)
        for j in range(start, count):
            if len(solutions) >= 2:
                return
            value = values[j]
            if value > need:
                continue  # sorted descending: smaller values follow
            # Largest reachable sum from here with the slots left; values are descending.
            if prefix[min(count, j + slots)] - prefix[j] < need:
                return
            explored += 1
            if explored > budget:
                raise _BudgetExhaustedError
            chosen.append(j)
            if value == need:
                if len(chosen) >= min_size:
                    solutions.append(tuple(sorted(usable[k][1] for k in chosen)))
            elif slots > 1:
                extend(j + 1, need - value)
            chosen.pop()

    try:
        extend(0, target)
    except _BudgetExhaustedError:
        return SubsetSearch(SubsetOutcome.TOO_LARGE, tuple(solutions), explored)
    if not solutions:
        return SubsetSearch(SubsetOutcome.NONE, (), explored)
    if len(solutions) == 1:
        return SubsetSearch(SubsetOutcome.UNIQUE, tuple(solutions), explored)
    return SubsetSearch(SubsetOutcome.SEVERAL, tuple(solutions), explored)
