"""Crash at every step (DESIGN §2.4, §3): SIGKILL the sync-and-post after its Nth committed
write or its Nth Sage Pro call, restart it, and demand the crash-free run's Sage Pro books:
every expected effect exactly once, nothing lost, the store file and audit chain sound.

The default run crashes a small company at a sample of points (the first steps, every
k-th, every Sage Pro change early on, the last); ``-m reliability`` crashes a 60-transaction
demo company (every kind of transaction and of Sage Pro effect) at every single step.
``RELIABILITY_CRASH_TRANSACTIONS`` sizes the long run's company (300: the app's demo company).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.support.reliability_crash import (
    check_report,
    crash_everywhere,
    crash_points,
    reference_run,
)
from tests.support.reliability_env import small_company
from tests.support.reliability_long_run import crash_at_every_step, long_run_company

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the harness forks its children (POSIX only)"
)


def test_crash_at_sampled_steps_of_a_small_company(tmp_path: Path):
    company = small_company()
    started = time.perf_counter()
    reference = reference_run(company, tmp_path / "reference")
    assert reference.sagepro["payments"] and reference.sagepro["journal_entries"]
    # The first Sage Pro changes matter most: a kill right after one is a posting whose
    # answer nobody recorded — the case the lookup-before-post exists for.
    changes = reference.sagepro_changes()
    report = crash_everywhere(
        company,
        reference,
        write_points=crash_points(reference.writes, every=13, first=2),
        sagepro_points=crash_points(reference.sagepro_calls, every=13, first=1) + changes[:3],
    )
    check_report(
        report, f"{len(company.transactions)} transactions, sampled", time.perf_counter() - started
    )
    assert report.runs >= 12


@pytest.mark.reliability
@pytest.mark.timeout(12 * 3600)
def test_crash_at_every_step_of_the_demo_company(tmp_path: Path):
    crash_at_every_step(long_run_company(), tmp_path, "")
