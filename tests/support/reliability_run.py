"""How ``uv run pytest`` and ``uv run pytest -m reliability`` run (issue 24): their tests
spread over the CPUs with pytest-xdist (``--dist worksteal``: a few long tests must not queue
behind one another). For ``-m reliability`` the figures each test prints (kill points,
lost, duplicates, longest lock wait …) are repeated at the end, since xdist's workers'
output is otherwise captured and dropped.

An explicit ``-n`` (``-n 0`` for a plain in-process run, e.g. to debug) always wins.
"""

from __future__ import annotations

import os

import pytest

FIGURES_TITLE = "reliability figures"


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
        option.dist = "worksteal"


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
