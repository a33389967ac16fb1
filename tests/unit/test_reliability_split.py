"""How ``-m reliability`` splits its long tests over the xdist workers (issue 24): longest
first, each to the group with the least work, so that two 10-minute tests never share a
worker while the other runs the short ones."""

from __future__ import annotations

from tests.support.reliability_run import UNMEASURED_S, split_longest_first


def test_the_longest_tests_go_to_different_workers_and_the_totals_stay_close():
    seconds = {"crash": 600.0, "crash_pg": 590.0, "soak": 400.0, "soak_pg": 380.0,
               "fault": 430.0, "fuzz_a": 140.0, "fuzz_b": 100.0, "fuzz_c": 40.0}  # fmt: skip
    groups = split_longest_first(list(seconds), 2, seconds)
    assert {groups[0][0], groups[1][0]} == {"crash", "crash_pg"}  # longest first, apart
    totals = [sum(seconds[name] for name in group) for group in groups]
    assert abs(totals[0] - totals[1]) <= 140.0  # within the shortest long test
    assert sorted(name for group in groups for name in group) == sorted(seconds)
    for group in groups:  # each group runs its longest first
        assert [seconds[n] for n in group] == sorted((seconds[n] for n in group), reverse=True)


def test_a_test_not_measured_yet_counts_as_a_middling_one():
    seconds = {"long": 10 * UNMEASURED_S, "short": UNMEASURED_S / 10}
    groups = split_longest_first(["new", "long", "short"], 2, seconds)
    assert groups == [["long"], ["new", "short"]]
