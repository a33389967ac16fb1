"""The order ``-m reliability`` hands its long tests to the xdist workers (issue 24): longest
first, so the two longest start at once and the short ones fill in at the end, instead of a
20-minute crash run starting seventh."""

from __future__ import annotations

from tests.support.reliability_run import MEASURED_S, UNMEASURED_S, longest_first


def test_the_longest_tests_come_first():
    seconds = {"fuzz_c": 40.0, "crash": 600.0, "soak": 400.0, "crash_pg": 590.0, "fuzz_a": 140.0}
    assert longest_first(list(seconds), seconds) == [
        "crash", "crash_pg", "soak", "fuzz_a", "fuzz_c"
    ]  # fmt: skip


def test_a_test_not_measured_yet_counts_as_a_middling_one():
    seconds = {"long": 10 * UNMEASURED_S, "short": UNMEASURED_S / 10}
    assert longest_first(["short", "new", "long"], seconds) == ["long", "new", "short"]


def test_every_measured_time_is_positive():
    assert MEASURED_S and all(value > 0 for value in MEASURED_S.values())
