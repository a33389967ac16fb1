"""Issue 24: no write transaction of a sync grows with the number of payments. Matching a
first sync of the 30-day demo company (auto-approval on) commits its proposals in chunks of
``PROPOSE_CHUNK`` transactions instead of holding the write lock for all of them at once; so
does the re-evaluation of a backlog of undecided proposals (``REMATCH_CHUNK``), and a crash
between its chunks leaves nothing a second pass does not finish the same way."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.config import Profile
from app.connectors.paytrace.parse_transactions import ParsedRecord
from app.store import Store, open_store
from app.store.models import Proposal
from app.sync.cycle import run_cycle
from app.sync.inbound.ingest import ingest_transactions
from app.sync.inbound.old_sales import OldSaleLookup
from app.sync.inbound.sagepro_cache import CacheRefresh, apply_changes
from app.sync.review import rematch
from app.sync.review.matching_pass import match_in_chunks, rematch_in_chunks
from app.sync.review.pipeline import PROPOSE_CHUNK
from tests.support.matching_scenarios import generate_at_scale
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv

NOW = datetime(2025, 6, 30, 12, 0)


def count_new_proposals_per_write(store: Store) -> list[int]:
    """From now on, each write transaction of ``store`` appends how many proposals it added."""
    write = store.write
    new_per_write: list[int] = []

    @contextmanager
    def counted_write() -> Iterator[Session]:
        with write() as session:
            before = session.execute(select(func.count(Proposal.id))).scalar_one()
            yield session
            session.flush()
            new_per_write.append(
                session.execute(select(func.count(Proposal.id))).scalar_one() - before
            )

    store.write = counted_write  # type: ignore[method-assign]
    return new_per_write


def test_matching_commits_its_proposals_in_bounded_chunks(sync_env: SyncEnv):
    store = sync_env.store
    new_per_write = count_new_proposals_per_write(store)
    result = run_cycle(sync_env.context(), since=DEMO_TODAY - timedelta(days=31), auto_approve=True)
    assert result.errors == 0, result.notes
    assert result.proposals > 2 * PROPOSE_CHUNK  # the company is big enough to need chunks
    assert max(new_per_write) <= PROPOSE_CHUNK, sorted(new_per_write)[-5:]
    assert sum(new_per_write) == result.proposals


def _match(store: Store) -> int:
    counts = match_in_chunks(
        store, Profile(name="Bounds"), lambda: NOW, False, sagepro_read=True,
        old_sales=OldSaleLookup(),
    )  # fmt: skip
    return counts.rematched


def _standing(store: Store) -> set[tuple[int, str, str, tuple[tuple[str, int], ...]]]:
    with store.read() as session:
        rows = session.execute(select(Proposal).where(Proposal.status != "superseded"))
        return {
            (p.transaction_id, p.status, p.rule,
             tuple(sorted((a.invoice_id, a.amount_cents) for a in p.applications)))
            for p in rows.scalars()
        }  # fmt: skip


@pytest.fixture
def backlog(tmp_path: Path) -> Path:
    """A store whose 3 chunks' worth of payments were matched before any of their invoices
    was known (so all wait, undecided), and whose invoices have just arrived."""
    data = generate_at_scale(3 * rematch.REMATCH_CHUNK, 6 * rematch.REMATCH_CHUNK)
    store = open_store(tmp_path / "backlog.db")
    with store.write() as session:
        ingest_transactions(session, [ParsedRecord(t, {}) for t in data.payments], now=NOW)
        apply_changes(session, CacheRefresh(list(data.customers), [], True, NOW))
    _match(store)
    with store.write() as session:
        apply_changes(session, CacheRefresh([], list(data.invoices), False, NOW))
        rematch.mark_due(session, NOW)
    store.dispose()
    return tmp_path / "backlog.db"


def test_re_evaluating_a_backlog_of_undecided_proposals_commits_in_bounded_chunks(
    backlog: Path,
):
    store = open_store(backlog)
    with store.read() as session:
        undecided = len(rematch.undecided_proposals(session, ("payment",)))
    assert undecided > 2 * rematch.REMATCH_CHUNK  # big enough to need chunks
    new_per_write = count_new_proposals_per_write(store)
    rematched = _match(store)
    assert rematched > rematch.REMATCH_CHUNK, rematched
    assert max(new_per_write) <= rematch.REMATCH_CHUNK, sorted(new_per_write)[-5:]
    with store.read() as session:
        assert not rematch.is_due(session)
    store.dispose()


def test_a_crash_between_re_evaluation_chunks_is_finished_the_same_by_the_next_pass(
    backlog: Path, tmp_path: Path
):
    shutil.copyfile(backlog, tmp_path / "uninterrupted.db")
    uninterrupted = open_store(tmp_path / "uninterrupted.db")
    _match(uninterrupted)

    crashed = open_store(backlog)
    write, writes = crashed.write, []

    @contextmanager
    def dies_on_the_second_write() -> Iterator[Session]:
        writes.append(1)
        if len(writes) == 2:
            raise KeyboardInterrupt("killed between two chunks")
        with write() as session:
            yield session

    crashed.write = dies_on_the_second_write  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        _match(crashed)
    crashed.write = write  # type: ignore[method-assign]
    with crashed.read() as session:
        assert rematch.is_due(session)  # the first chunk alone did not clear the flag
    _match(crashed)
    assert _standing(crashed) == _standing(uninterrupted)
    for store in (crashed, uninterrupted):
        store.dispose()


def count_invoice_cache_loads(store: Store) -> list[str]:
    """From now on, every statement of ``store``'s writer that reads the whole invoice cache
    (a SELECT from sagepro_invoices not narrowed to given invoices) is appended."""
    loads: list[str] = []

    def seen(conn, cursor, statement: str, *args: object) -> None:  # type: ignore[no-untyped-def]
        text = " ".join(statement.split())
        narrowed = (
            "sagepro_invoices.invoice_id =" in text or "sagepro_invoices.invoice_id IN" in text
        )
        if text.startswith("SELECT") and "FROM sagepro_invoices" in text and not narrowed:
            loads.append(text)

    event.listen(store.writer, "before_cursor_execute", seen)
    return loads


def test_a_re_evaluation_pass_reads_the_invoice_cache_once_not_once_per_chunk(
    backlog: Path, tmp_path: Path
):
    """Issue 24: each chunk reloaded every open invoice (and every invoice's keys), so a
    backlog of 2,800 undecided proposals took 57 reloads of the cache. A pass reads it once;
    each chunk reads only the claims, and its answers are those of one chunk for all."""
    shutil.copyfile(backlog, tmp_path / "one-chunk.db")
    one_chunk = open_store(tmp_path / "one-chunk.db")
    rematch_in_chunks(
        one_chunk, Profile(name="Bounds"), lambda: NOW, False, old_sales=OldSaleLookup(),
        chunk_size=10 * rematch.REMATCH_CHUNK,
    )  # fmt: skip

    store = open_store(backlog)
    loads = count_invoice_cache_loads(store)
    counts = rematch_in_chunks(
        store, Profile(name="Bounds"), lambda: NOW, False, old_sales=OldSaleLookup(),
        chunk_size=rematch.REMATCH_CHUNK // 5,
    )  # fmt: skip
    assert counts.rematched > rematch.REMATCH_CHUNK  # so there were 15 chunks
    # one read of the open invoices, one of every invoice's keys (order to cash)
    assert len(loads) <= 2, f"{len(loads)} reads of the invoice cache: {loads[:3]}"
    assert _standing(store) == _standing(one_chunk)
    for opened in (store, one_chunk):
        opened.dispose()
