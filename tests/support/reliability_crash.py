"""Crash at every step: run a sync-and-post in a child process, SIGKILL it right after its
Nth committed write transaction or its Nth answered Sage Pro request, restart it to the end,
and compare what Sage Pro and the store hold with a run that never crashed.

No test hooks in app code: the child wraps ``Store.write`` (a write transaction is one
persisted step; the kill comes after its COMMIT) and its Sage Pro client's
``requests.Session.request`` (the kill comes after the answer arrived — the stand-in has
applied the call, the child never records it). The stand-ins run in the test process, so
their books outlive every child. The store is a SQLite file in a temp folder, or — given a
``StoreFactory`` — a fresh PostgreSQL database per run (team mode): the kill then drops the
child's connections mid-conversation, and the server must end its transactions and locks.

Children come from a ``forkserver`` that has imported the app once (a cold ``python``
start costs seconds; a fork costs milliseconds), every run starts from a copy of one
prepared store, and the crash-free reference runs once: what is left of a kill point's cost
is the sync itself (measured per phase for issue 24: stand-ins and store copy 0.01–0.35 s,
the read-outs ~0.3 s, the killed run and its restart together about one whole sync).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.sandbox.demo_data import DemoCompany
from app.store import Store, open_store, open_store_url
from app.store.database import sqlite_url
from app.store.models import OutboxItem
from app.sync.cycle import TRANSACTIONS_CURSOR, run_cycle
from app.sync.inbound.ingest import get_cursor
from tests.support.reliability_env import (
    audit_chain_ok,
    compare_snapshots,
    fast_context,
    running_stand_ins,
    sagepro_snapshot,
)
from tests.support.store_checks import integrity_check, store_summary

WRITE = "write"
SAGEPRO = "sagepro"
MODES = (WRITE, SAGEPRO)
MAX_CYCLES = 6
SQLITE_FILE = "paysage.db"
CHILD_TIMEOUT_S = 600
# SIGKILL where there is one; on Windows os.kill(SIGTERM) is TerminateProcess, as hard.
HARD_KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


# -- the child --------------------------------------------------------------------------


class _Steps:
    def __init__(self, mode: str | None, kill_at: int | None, kill_mark: Path) -> None:
        self.mode, self.kill_at, self.kill_mark = mode, kill_at, kill_mark
        self.counts = {WRITE: 0, SAGEPRO: 0}
        self.sagepro_methods: list[str] = []  # GET / POST / PUT, in call order

    def done(self, kind: str) -> None:
        self.counts[kind] += 1
        if self.mode == kind and self.counts[kind] == self.kill_at:
            self.kill_mark.write_text(f"{kind} {self.kill_at}", encoding="utf-8")
            os.kill(os.getpid(), HARD_KILL)


def _count_writes(steps: _Steps) -> None:
    """Every committed write transaction is a step: ``write()``, and on PostgreSQL the
    poster's ``claim()`` (on SQLite a claim is a ``write()``)."""
    for name in ("write", "claim"):
        original = getattr(Store, name)

        def counted(self: Store, _original: Any = original) -> Iterator[Any]:
            with _original(self) as session:
                yield session
            steps.done(WRITE)  # only reached once the transaction committed

        setattr(Store, name, contextmanager(counted))


def _count_sagepro_calls(session: Any, steps: _Steps) -> None:
    send = session.request

    def counted_request(method: str, *args: Any, **kwargs: Any) -> Any:
        steps.sagepro_methods.append(method.upper())
        try:
            return send(method, *args, **kwargs)
        finally:
            steps.done(SAGEPRO)

    session.request = counted_request


def _outbox_waiting(store: Store) -> int:
    with store.read() as session:
        return int(
            session.execute(
                select(func.count()).where(OutboxItem.status.in_(("pending", "in_flight")))
            ).scalar_one()
        )


def _resume_since(store: Store, first_since: date) -> date | None:
    """Where a restarted sync starts, as the scheduler's would: from its stored cursor (None
    = the cursor minus the look-back), or the first run's date when no cursor was stored."""
    with store.read() as session:
        cursor = get_cursor(session, TRANSACTIONS_CURSOR)
    return None if cursor is not None and cursor.cursor_date else first_since


def child_main(config: dict[str, Any]) -> None:
    """One sync-and-post as ``paysage sync --once --since … --auto-approve`` would run it,
    repeated (as the scheduler would) until the outbox is empty; dies at the chosen step.
    A restart (``resume``) runs as the scheduler would after the crash: from the cursor the
    killed run left behind, so a cursor moved ahead of its rows loses them here."""
    os.environ["PAYSAGE_HOME"] = config["home"]
    steps = _Steps(config.get("kill_mode"), config.get("kill_at"), _kill_mark(config))
    _count_writes(steps)
    url = config["store_url"]
    # A SQLite file is opened as the app opens its file; a server by URL.
    sqlite_file = make_url(url).database if url.startswith("sqlite") else None
    store = open_store(Path(sqlite_file)) if sqlite_file else open_store_url(url)
    ctx = fast_context(config["connection"], store)
    # Crash points are numbered steps, so every run must take the same steps: one posting in
    # the air at a time (concurrent posting groups its writes by timing; the fault soak and
    # tests/integration/test_poster_throughput.py cover it).
    ctx.poster_options["concurrency"] = 1
    _count_sagepro_calls(ctx.sagepro._http._session, steps)  # type: ignore[attr-defined]
    first_since = date.fromisoformat(config["since"])
    cycles, waiting = 0, -1
    try:
        since = _resume_since(store, first_since) if config.get("resume") else first_since
        for cycles in range(1, MAX_CYCLES + 1):  # noqa: B007 - reported below
            run_cycle(ctx, trigger="cli", since=since, auto_approve=True)
            waiting = _outbox_waiting(store)
            if waiting == 0:
                break
            since = None  # later cycles go on from the cursor, as scheduled ones do
    finally:
        store.dispose()
    result = {"writes": steps.counts[WRITE], "sagepro_calls": steps.counts[SAGEPRO],
              "sagepro_methods": steps.sagepro_methods, "cycles": cycles,
              "waiting": waiting}  # fmt: skip
    Path(config["result_path"]).write_text(json.dumps(result), encoding="utf-8")


# -- the parent -------------------------------------------------------------------------


def _process_context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


_CONTEXT = _process_context()


def process_context() -> Any:
    """The multiprocessing context children of the reliability suites start from."""
    return _CONTEXT


# What a forkserver child's exit code reads when the forkserver lost it under load
# (CPython issue 140867): the child's own marks say what happened instead.
LOST_EXIT_CODE = 255


def _kill_mark(config: dict[str, Any]) -> Path:
    return Path(config["result_path"]).with_name("killed.mark")


@dataclass
class ChildRun:
    exitcode: int | None
    result: dict[str, Any] | None
    kill_marked: bool = False  # the child reached its kill step and signalled itself

    @property
    def killed(self) -> bool:
        if self.exitcode == LOST_EXIT_CODE:
            return self.kill_marked and self.result is None
        return self.exitcode == -HARD_KILL or (sys.platform == "win32" and self.exitcode == 1)

    @property
    def finished(self) -> bool:
        """Ran to its end (its result is written last, after the store was closed)."""
        return self.result is not None and self.exitcode in (0, LOST_EXIT_CODE)


def run_child(config: dict[str, Any]) -> ChildRun:
    result_path = Path(config["result_path"])
    result_path.unlink(missing_ok=True)
    _kill_mark(config).unlink(missing_ok=True)
    process = _CONTEXT.Process(target=child_main, args=(config,), daemon=True)
    process.start()
    process.join(CHILD_TIMEOUT_S)
    if process.is_alive():
        process.kill()
        process.join()
        raise AssertionError(f"the sync child did not finish within {CHILD_TIMEOUT_S} s")
    data = json.loads(result_path.read_text("utf-8")) if result_path.exists() else None
    return ChildRun(process.exitcode, data, _kill_mark(config).exists())


@dataclass
class Reference:
    """The crash-free run every crashed run must end up equal to."""

    sagepro: dict[str, dict[str, Any]]
    store: dict[str, set[tuple[Any, ...]]]
    writes: int
    sagepro_calls: int
    sagepro_methods: list[str]

    def sagepro_changes(self) -> list[int]:
        """The numbers (1-based) of the Sage Pro calls that changed something."""
        return [n for n, method in enumerate(self.sagepro_methods, 1) if method != "GET"]


@dataclass
class CrashOutcome:
    mode: str
    n: int
    killed: bool
    lost: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    duplicate_posts: int = 0
    store_differences: list[str] = field(default_factory=list)
    integrity: str = "ok"
    audit_ok: bool = True
    problem: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.killed
            and not self.lost
            and not self.unexpected
            and not self.duplicate_posts
            and not self.store_differences
            and self.integrity == "ok"
            and self.audit_ok
            and not self.problem
        )


def since_of(company: DemoCompany) -> date:
    earliest = min(t.created_local.date() for t in company.transactions)
    return min(earliest, company.today - timedelta(days=1))


StoreFactory = Callable[[Path], AbstractContextManager[str]]
"""Given a run's temp folder, the URL of a fresh, empty store for that run (and its
clean-up on exit)."""


@contextmanager
def sqlite_store(folder: Path) -> Iterator[str]:
    yield sqlite_url(folder / SQLITE_FILE)


@contextmanager
def prepared_stores(new_store: StoreFactory, folder: Path) -> Iterator[StoreFactory]:
    """A factory of stores already at the schema's head: one store from ``new_store`` is
    migrated once, and every run gets a copy of it (a file copy on SQLite, ``CREATE
    DATABASE … TEMPLATE`` on PostgreSQL) instead of running the migrations again. The
    migrations were never kill points (a step is a ``write()``), so no step is lost."""
    folder.mkdir(parents=True, exist_ok=True)
    with new_store(folder) as prepared_url:
        store = open_store_url(prepared_url)
        store.dispose()  # the last connection closes: SQLite folds its WAL into the file
        url = make_url(prepared_url)
        if url.drivername.startswith("sqlite"):
            prepared = Path(str(url.database))
            assert not prepared.with_name(prepared.name + "-wal").exists()

            @contextmanager
            def copy_file(run_folder: Path) -> Iterator[str]:
                shutil.copyfile(prepared, run_folder / SQLITE_FILE)
                yield sqlite_url(run_folder / SQLITE_FILE)

            yield copy_file
            return
        from tests.team.pg_server import fresh_database

        server_url = url.set(database="postgres").render_as_string(hide_password=False)

        @contextmanager
        def copy_database(_run_folder: Path) -> Iterator[str]:
            with fresh_database(server_url, template=url.database) as copy_url:
                yield copy_url

        yield copy_database


def _config(
    folder: Path, store_url: str, connection: dict[str, str], company: DemoCompany
) -> dict[str, Any]:
    home = folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "home": str(home),
        "store_url": store_url,
        "result_path": str(folder / "result.json"),
        "connection": connection,
        "since": since_of(company).isoformat(),
    }


def reference_run(
    company: DemoCompany, folder: Path, new_store: StoreFactory = sqlite_store
) -> Reference:
    folder.mkdir(parents=True, exist_ok=True)
    with running_stand_ins(company) as stand_ins, new_store(folder) as store_url:
        config = _config(folder, store_url, stand_ins.connection(), company)
        run = run_child(config)
        assert run.finished and run.result is not None, f"reference run failed: {run}"
        assert run.result["waiting"] == 0, run.result
        assert not stand_ins.sagepro_app.duplicate_posts, stand_ins.sagepro_app.duplicate_posts
        return Reference(
            sagepro_snapshot(stand_ins.sagepro.url),
            store_summary(store_url),
            run.result["writes"],
            run.result["sagepro_calls"],
            run.result["sagepro_methods"],
        )


def scratch_folder() -> str | None:
    """Where crash runs keep their store: a RAM disk when there is one. A SIGKILL leaves the
    operating system's page cache alone, so what a killed process committed survives it
    just the same there — only the fsyncs of ``synchronous=FULL`` (power-loss safety, which
    a kill does not test) stop costing a disk write each (PostgreSQL's test cluster runs
    with fsync off for the same reason). None: the system's temp folder."""
    ram_disk = Path("/dev/shm")
    return str(ram_disk) if ram_disk.is_dir() and os.access(ram_disk, os.W_OK) else None


def crash_once(
    company: DemoCompany,
    reference: Reference,
    mode: str,
    n: int,
    new_store: StoreFactory = sqlite_store,
) -> CrashOutcome:
    """Kill at step ``n`` of ``mode``, restart to the end, and judge the result."""
    with (
        tempfile.TemporaryDirectory(prefix=f"crash-{mode}-{n}-", dir=scratch_folder()) as tmp,
        running_stand_ins(company) as stand_ins,
        new_store(Path(tmp)) as store_url,
    ):
        config = _config(Path(tmp), store_url, stand_ins.connection(), company)
        crashed = run_child({**config, "kill_mode": mode, "kill_at": n})
        outcome = CrashOutcome(mode, n, crashed.killed)
        if not crashed.killed:
            outcome.problem = f"the child was not killed at {mode} {n}: exit {crashed.exitcode}"
            return outcome
        restarted = run_child({**config, "resume": True})
        if not restarted.finished or not restarted.result or restarted.result["waiting"]:
            outcome.problem = f"the restart did not finish: {restarted}"  # still judged below
        comparison = compare_snapshots(reference.sagepro, sagepro_snapshot(stand_ins.sagepro.url))
        outcome.lost, outcome.unexpected = comparison.lost, comparison.unexpected
        outcome.duplicate_posts = sum(stand_ins.sagepro_app.duplicate_posts.values())
        summary = store_summary(store_url)
        outcome.store_differences = [
            f"{part}: missing {sorted(rows - summary[part])[:3]} extra "
            f"{sorted(summary[part] - rows)[:3]}"
            for part, rows in reference.store.items()
            if summary[part] != rows
        ]
        outcome.integrity = integrity_check(store_url)
        store = Store(store_url)
        try:
            outcome.audit_ok = audit_chain_ok(store).ok
        finally:
            store.dispose()
        return outcome


def crash_points(total: int, *, every: int = 1, first: int = 0) -> list[int]:
    """1..total when ``every`` is 1; else the first few, every k-th, and the last."""
    if total < 1:
        return []
    points = set(range(1, min(first, total) + 1)) | set(range(1, total + 1, every)) | {total}
    return sorted(points)


@dataclass
class CrashReport:
    outcomes: list[CrashOutcome]

    @property
    def runs(self) -> int:
        return len(self.outcomes)

    @property
    def lost(self) -> int:
        return sum(len(o.lost) for o in self.outcomes)

    @property
    def duplicates(self) -> int:
        return sum(len(o.unexpected) + o.duplicate_posts for o in self.outcomes)

    @property
    def failures(self) -> list[CrashOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def summary(self) -> str:
        by_mode = {m: sum(o.mode == m for o in self.outcomes) for m in MODES}
        return (
            f"runs={self.runs} (after write: {by_mode[WRITE]}, after Sage Pro call: "
            f"{by_mode[SAGEPRO]}) lost={self.lost} duplicates={self.duplicates} "
            f"failed={len(self.failures)}"
        )


def crash_everywhere(
    company: DemoCompany,
    reference: Reference,
    write_points: Iterable[int],
    sagepro_points: Iterable[int],
    *,
    workers: int = 2,
    new_store: StoreFactory = sqlite_store,
) -> CrashReport:
    """Crash at each of the points of both kinds of step, ``workers`` crashes at a time."""
    jobs = [(WRITE, n) for n in sorted(set(write_points))]
    jobs += [(SAGEPRO, n) for n in sorted(set(sagepro_points))]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda job: crash_once(company, reference, *job, new_store), jobs))
    return CrashReport(outcomes)


def check_report(report: CrashReport, label: str, elapsed: float) -> None:
    print(f"\ncrash at every step [{label}]: {report.summary()} elapsed={elapsed:.1f}s")
    for failure in report.failures[:10]:
        print("  FAILED", failure)
    assert report.failures == [], f"{len(report.failures)} crash points went wrong"
    assert report.lost == 0 and report.duplicates == 0
