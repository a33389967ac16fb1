"""How ``uv run pytest`` and ``uv run pytest -m reliability`` run (issue 24): their tests
spread over the CPUs with pytest-xdist. The default run's many short tests go by
``--dist worksteal``. ``-m reliability`` is a dozen tests of 1–20 minutes each, where
stealing cannot help (a worker keeps the last tests it queued, and worksteal hands each
worker a contiguous half of the list): they run longest first by the time each took alone
(``MEASURED_S``), handed out one at a time to whichever worker is free (``--dist
loadgroup`` with no groups: each test its own unit, each worker holding at most one
waiting), so the two longest start at once and the short ones fill in at the end. The
figures each test prints
(kill points, lost, duplicates, longest lock wait …) are repeated at the end, since xdist's
workers' output is otherwise captured and dropped.

An explicit ``-n`` or ``--dist`` (``-n 0`` for a plain in-process run, e.g. to debug) always
wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import pytest

FIGURES_TITLE = "reliability figures"
# Seconds each -m reliability test took in the ``-n 2`` run of 8 December 2026 (load average
# 7–22 on the two shared cores; the SQLite soak, which failed early there, as its PostgreSQL
# twin). Only their order matters.
MEASURED_S = {
    "test_crash_at_every_step_on_postgresql": 1035.0,
    "test_crash_at_every_step_of_the_demo_company": 864.0,
    "test_independent_company_five_seeds_of_a_thousand": 768.0,
    "test_fault_soak_two_thousand_transactions": 500.0,
    "test_reads_approvals_schedule_and_sync_now_at_once_on_postgresql_long": 336.0,
    "test_reads_approvals_schedule_and_sync_now_at_once_long": 336.0,
    "test_hostile_rows_are_stored_or_queued_long": 252.0,
    "test_hostile_rows_never_crash_a_cycle_long": 164.0,
    "test_any_settings_file_loads_or_is_refused_in_plain_words_long": 161.0,
    "test_garbled_mapping_documents_load_or_are_refused_long": 67.0,
    "test_garbled_answers_over_a_socket_become_typed_errors_long": 62.0,
    "test_garbled_list_pages_are_parsed_or_refused_with_a_wire_error_long": 54.0,
    "test_garbled_records_are_parsed_or_refused_with_a_wire_error_long": 39.0,
}
UNMEASURED_S = 120.0  # a test not measured yet counts as a middling one
LONG_TEST_TIMEOUT_S = 3600


def _selects_reliability(config: pytest.Config) -> bool:
    expression = str(config.option.markexpr or "")
    return "reliability" in expression and "not reliability" not in expression


def _selects_default_suite(config: pytest.Config) -> bool:
    """The plain ``uv run pytest``: the markexpr of pyproject's addopts, nothing narrower."""
    expression = str(config.option.markexpr or "")
    return all(f"not {marker}" in expression for marker in ("bench", "reliability", "frozen"))


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """``-m reliability`` and the default run spread over the CPUs; benchmarks and the
    frozen build never do (a benchmark's ratio needs a quiet machine, ``-s`` its output)."""
    option = config.option
    if not config.pluginmanager.hasplugin("xdist"):
        return
    if not (_selects_reliability(config) or _selects_default_suite(config)):
        return
    # xdist's workers run this hook too, with -n cleared: they must not start workers of
    # their own (that recursion is a fork bomb).
    if hasattr(config, "workerinput") or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if getattr(option, "numprocesses", None) is not None or option.collectonly or option.usepdb:
        return
    option.numprocesses = os.cpu_count() or 2
    if option.dist == "no":
        option.dist = "loadgroup" if _selects_reliability(config) else "worksteal"


def longest_first(names: Sequence[str], seconds: Mapping[str, float]) -> list[str]:
    """``names`` by the time each took alone, longest first (unmeasured: ``UNMEASURED_S``)."""
    return sorted(names, key=lambda n: (-seconds.get(n, UNMEASURED_S), n))


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects: only the order and marks change
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a ``-m reliability`` run: the reliability tests longest first, each with a
    timeout for a long test."""
    if not _selects_reliability(config):
        return
    long_tests = [item for item in items if item.get_closest_marker("reliability")]
    seconds = {
        item.nodeid: MEASURED_S.get(getattr(item, "originalname", item.name), UNMEASURED_S)
        for item in long_tests
    }
    by_id = {item.nodeid: item for item in long_tests}
    for item in long_tests:
        if item.get_closest_marker("timeout") is None:
            # A long test's length is its work count (examples, cycles, kill points);
            # pyproject's 300 s guards the default run, and on two shared cores these tests
            # take longer than that without anything being wrong.
            item.add_marker(pytest.mark.timeout(LONG_TEST_TIMEOUT_S))
    others = [item for item in items if item.nodeid not in by_id]
    items[:] = [by_id[nodeid] for nodeid in longest_first(list(by_id), seconds)] + others


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Each reliability test's printed figures, gathered from every worker (only when the
    run selects ``-m reliability``; the default run stays as quiet as before)."""
    if not _selects_reliability(terminalreporter.config):
        return
    lines: list[str] = []
    for kind in ("passed", "failed"):
        for report in terminalreporter.stats.get(kind, []):
            if report.when != "call":
                continue
            printed = report.capstdout.strip()
            if printed:
                lines.append(f"{report.nodeid}:")
                lines.extend(f"  {line}" for line in printed.splitlines())
    if lines:
        terminalreporter.write_sep("=", FIGURES_TITLE)
        for line in lines:
            terminalreporter.write_line(line)
