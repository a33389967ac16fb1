"""The bounded unique subset-sum search."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.matching.subset_sum import SubsetOutcome, find_unique_subset


def test_a_unique_pair_is_found() -> None:
    result = find_unique_subset([1000, 2550, 7300, 123], 3550)
    assert result.outcome is SubsetOutcome.UNIQUE
    assert result.solutions == ((0, 1),)


def test_no_subset_is_none() -> None:
    assert find_unique_subset([1000, 2000], 2500).outcome is SubsetOutcome.NONE
    assert find_unique_subset([], 100).outcome is SubsetOutcome.NONE
    assert find_unique_subset([100], 0).outcome is SubsetOutcome.NONE


def test_two_answers_are_several_never_a_pick() -> None:
    # 1000 + 4000 == 2000 + 3000
    result = find_unique_subset([1000, 2000, 3000, 4000], 5000)
    assert result.outcome is SubsetOutcome.SEVERAL
    assert len(result.solutions) == 2


def test_equal_amounts_make_a_tie() -> None:
    assert find_unique_subset([500, 500, 700], 1200).outcome is SubsetOutcome.SEVERAL


def test_min_size_excludes_single_items() -> None:
    assert find_unique_subset([500, 200, 300], 500, min_size=2).solutions == ((1, 2),)
    assert find_unique_subset([500, 200, 300], 500, min_size=1).outcome is SubsetOutcome.SEVERAL


def test_max_size_bounds_the_parts() -> None:
    amounts = [100, 200, 300, 400]
    assert find_unique_subset(amounts, 1000, max_size=3).outcome is SubsetOutcome.NONE
    assert find_unique_subset(amounts, 1000, max_size=4).outcome is SubsetOutcome.UNIQUE


def test_too_many_items_is_too_large_not_a_guess() -> None:
    result = find_unique_subset([100 + i for i in range(50)], 1000, max_items=40)
    assert result.outcome is SubsetOutcome.TOO_LARGE
    assert result.solutions == ()


def test_items_larger_than_the_target_do_not_count_against_the_cap() -> None:
    amounts = [10_000 + i for i in range(100)] + [300, 700]
    assert find_unique_subset(amounts, 1000, max_items=5).outcome is SubsetOutcome.UNIQUE


def test_the_search_budget_caps_the_work() -> None:
    amounts = [1000 + 7 * i for i in range(38)]
    result = find_unique_subset(amounts, 987_654, max_size=6, budget=500)
    assert result.outcome in (SubsetOutcome.TOO_LARGE, SubsetOutcome.NONE)
    assert result.explored <= 501


def _brute_force(amounts: list[int], target: int, max_size: int) -> list[tuple[int, ...]]:
    return [
        combo
        for size in range(2, max_size + 1)
        for combo in itertools.combinations(range(len(amounts)), size)
        if sum(amounts[i] for i in combo) == target
    ]


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(st.integers(min_value=1, max_value=60), min_size=0, max_size=9),
    target=st.integers(min_value=1, max_value=200),
)
def test_agrees_with_brute_force(amounts: list[int], target: int) -> None:
    expected = _brute_force(amounts, target, max_size=4)
    result = find_unique_subset(amounts, target, max_size=4, budget=1_000_000)
    if not expected:
        assert result.outcome is SubsetOutcome.NONE
    elif len(expected) == 1:
        assert result.outcome is SubsetOutcome.UNIQUE
        assert result.solutions == (expected[0],)
    else:
        assert result.outcome is SubsetOutcome.SEVERAL
        assert all(sum(amounts[i] for i in s) == target for s in result.solutions)
