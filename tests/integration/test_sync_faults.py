"""Faults on both stand-ins: the final Sage Pro state equals the fault-free run's
(``clean_month``, made once per test process)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.store.models import OutboxItem
from tests.support.clean_month import books, clean_month, sync_until_drained
from tests.support.sync_fixtures import running_sync_env


def test_faults_on_both_sides_reach_the_fault_free_state(tmp_path: Path):
    expected = clean_month().books
    with running_sync_env(tmp_path / "faulty", "Faulty") as env:
        env.paytrace.faults.set_random(
            0.2,
            ["500", "503", "429", "reset", "expired_token", "malformed"],
            seed=11,
            retry_after_s=0,
        )
        env.sagepro.faults.set_random(
            0.2,
            ["500", "503", "429", "reset", "apply_then_drop", "malformed"],
            seed=12,
            retry_after_s=0,
        )
        cycles, fatal = sync_until_drained(env)
        print(
            f"\ncycles={cycles} fatal={fatal} faults pt={dict(env.paytrace.faults.counts)} "
            f"sp={dict(env.sagepro.faults.counts)}"
        )
        env.paytrace.faults.clear()
        env.sagepro.faults.clear()
        got = books(env)
        with env.store.read() as session:
            dead = session.execute(
                select(func.count()).where(OutboxItem.status == "dead")
            ).scalar_one()
    assert dead == 0
    assert len(expected["payments"]) > 100
    for part in expected:
        assert got[part] == expected[part], part
