"""Faults on both stand-ins: the final Sage Pro state equals the fault-free run's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.store.models import OutboxItem
from app.sync.cycle import run_cycle
from app.sync.errors import SyncFatalError
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv, running_sync_env

SINCE = DEMO_TODAY - timedelta(days=31)


def books(env: SyncEnv) -> dict[str, object]:
    """What the Sage Pro stand-in holds, without the ids it assigned."""

    def strip(items: list[dict], key: str, drop: tuple[str, ...]) -> dict[str, dict]:
        return {i[key]: {k: v for k, v in i.items() if k not in drop} for i in items}

    return {
        "payments": strip(env.all_items("/api/payments"), "PaymentReference", ("PaymentID",)),
        "memos": strip(env.all_items("/api/creditmemos"), "Reference", ("CreditMemoID",)),
        "journals": strip(env.all_items("/api/journalentries"), "Reference", ("JournalID",)),
        "invoices": {
            i["InvoiceID"]: (i["Balance"], i["Status"], i["PaymentStatus"])
            for i in env.sagepro_get("/api/invoices", page_size=1000)["items"]
        },
        "customers": {
            c["CustomerID"]: (c["Balance"], c.get("CardLast4"))
            for c in env.sagepro_get("/api/customers", page_size=1000)["items"]
        },
    }


def sync_until_drained(env: SyncEnv, max_cycles: int = 40) -> tuple[int, int]:
    """Run cycles as the scheduler would until nothing waits; returns (cycles, fatal)."""
    fatal = 0
    for cycle in range(1, max_cycles + 1):
        try:
            # The first cycle reads the whole month; later ones the usual lookback window.
            run_cycle(env.context(), since=SINCE if cycle == 1 else None, auto_approve=True)
        except SyncFatalError:
            fatal += 1
            continue
        with env.store.read() as session:
            waiting = session.execute(
                select(func.count()).where(OutboxItem.status.in_(("pending", "in_flight")))
            ).scalar_one()
        if waiting == 0:
            return cycle, fatal
    raise AssertionError(f"outbox not drained after {max_cycles} cycles")


def test_faults_on_both_sides_reach_the_fault_free_state(tmp_path: Path):
    with running_sync_env(tmp_path / "clean", "Clean") as clean:
        sync_until_drained(clean)
        expected = books(clean)
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
