"""The store's contract on both engines: schema = models after the same Alembic migrations,
upgrades keep data, writes commit or roll back whole, concurrent writers keep the audit chain
intact, and no SQLite-only SQL hides outside the store's dialect layer."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text

from app.connectors.paytrace import parse_transactions_export
from app.connectors.paytrace.json_body import decode_body
from app.store import Store, audit, dialect, open_store_url
from app.store.migrate import (
    all_revisions,
    current_revision,
    head_revision,
    migrate_to_head,
    upgrade,
)
from app.store.models import AuditEvent, Base, RawRecord, SyncCursor, TransactionEvent
from app.sync.inbound.ingest import IngestCounts, ingest_transactions
from tests.unit.test_paytrace_parse import REFERENCE_ROW

APP = Path(__file__).resolve().parents[2] / "app"


def _schema_diff(url: str) -> list[object]:
    engine = create_engine(dialect.normalise_url(url))
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))
    finally:
        engine.dispose()


def test_fresh_store_matches_the_models(store_url: str):
    open_store_url(store_url).dispose()
    assert _schema_diff(store_url) == []


@pytest.mark.parametrize("revision", all_revisions())
def test_upgrade_from_every_revision_keeps_rows(store_url: str, revision: str):
    store = Store(store_url)
    try:
        upgrade(store.writer, revision)
        assert current_revision(store.writer) == revision
        with store.writer.begin() as conn:
            conn.execute(
                text("INSERT INTO sync_cursors (name, updated_at) VALUES ('kept', :at)"),
                {"at": datetime(2026, 1, 1)},
            )
        migrate_to_head(store.writer, None)
        assert current_revision(store.writer) == head_revision()
        assert migrate_to_head(store.writer, None) is None  # at head: nothing to do
        with store.read() as session:
            assert session.execute(select(SyncCursor.name)).scalars().all() == ["kept"]
    finally:
        store.dispose()
    assert _schema_diff(store_url) == []


def test_write_rolls_back_on_error_and_commits_on_success(any_store: Store):
    now = datetime(2026, 1, 1)
    with pytest.raises(RuntimeError), any_store.write() as session:
        session.add(SyncCursor(name="a", updated_at=now))
        session.flush()
        raise RuntimeError("boom")
    with any_store.write() as session:
        session.add(SyncCursor(name="b", updated_at=now))
    with any_store.read() as session:
        assert session.execute(select(SyncCursor.name)).scalars().all() == ["b"]


def test_two_workstations_writing_at_once_keep_the_audit_chain(any_store: Store):
    """Writers on separate stores (as on two machines) append to one hash chain: each append
    reads the chain's tail, so without the writer lock two would fork it."""
    second = Store(any_store.url)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(store: Store, n: int) -> None:
        try:
            start.wait()
            for i in range(15):
                with store.write() as session:
                    session.add(SyncCursor(name=f"{n}-{i}", updated_at=datetime(2026, 1, 1)))
                    audit.record(session, "test", "cursor", f"{n}-{i}", actor=f"w{n}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [
        threading.Thread(target=writer, args=(store, n))
        for n, store in enumerate([any_store, second, any_store, second])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.dispose()
    assert errors == []
    with any_store.read() as session:
        assert session.execute(select(func.count()).select_from(SyncCursor)).scalar() == 60
        check = audit.verify(session)
    assert check.ok and check.events == 60, check


def test_audit_chain_detects_edits_and_card_numbers_are_redacted(any_store: Store):
    with any_store.write() as session:
        for i in range(3):
            audit.record(session, "post", "outbox", i, actor="amy", after={"n": i})
        audit.record(session, "fetch", "transaction", 9, after={"d": "card 4012 0000 9876 5439"})
    with any_store.read() as session:
        assert audit.verify(session).ok
        after = session.execute(select(AuditEvent.after).where(AuditEvent.id == 4)).scalar()
    assert "9876 5439" not in str(after) and "5439" in str(after)
    with any_store.write() as session:
        session.execute(text("UPDATE audit_events SET actor='mallory' WHERE id=2"))
    with any_store.read() as session:
        check = audit.verify(session)
    assert check.broken_at == 2 and "changed" in check.reason


def test_joined_text_is_spelled_for_each_engine(any_store: Store):
    with any_store.write() as session:
        for name in ("INV1", "INV2"):
            session.add(SyncCursor(name=name, updated_at=datetime(2026, 1, 1)))
    with any_store.read() as session:
        joined = session.execute(select(dialect.joined_text(SyncCursor.name, ", "))).scalar_one()
    assert sorted(joined.split(", ")) == ["INV1", "INV2"]


def test_postgresql_write_holds_the_writer_lock_and_claims_share_it(pg_url: str):
    store = open_store_url(pg_url)
    other = create_engine(dialect.normalise_url(pg_url))
    key = dialect.advisory_key(dialect.WRITER_LOCK)

    def can_take(shared: bool) -> bool:
        function = "pg_try_advisory_xact_lock_shared" if shared else "pg_try_advisory_xact_lock"
        with other.begin() as conn:
            return bool(conn.execute(text(f"SELECT {function}(:k)"), {"k": key}).scalar())

    try:
        with store.write():
            assert not can_take(shared=False) and not can_take(shared=True)
        with store.claim():
            assert can_take(shared=True) and not can_take(shared=False)
        assert can_take(shared=False)
    finally:
        other.dispose()
        store.dispose()


# SQL that only SQLite understands. The store's engine set-up (database.py) is where PRAGMAs
# and BEGIN IMMEDIATE belong; the stand-ins in app/sandbox and the Sage Pro bridge in
# app/bridge keep their own sqlite3 files (never a team store).
SQLITE_ONLY = re.compile(
    r"PRAGMA |BEGIN IMMEDIATE|INSERT OR (REPLACE|IGNORE)|\bAUTOINCREMENT\b|sqlite_master|"
    r"(?i:group_concat|julianday|last_insert_rowid|ifnull\()|(?<![.\w])strftime\(|"
    r"datetime\('now"
)
ALLOWED = {
    "store/database.py",  # the SQLite engine set-up
    "store/write_lock.py",  # its BEGIN IMMEDIATE with retry (SQLite only; PostgreSQL skips it)
    "store/dialect.py",  # the dialect layer itself
    "store/migrate.py",  # backs the SQLite file up with sqlite3's backup API
    "doctor.py",  # checks the local SQLite file's integrity with sqlite3 directly
}
# Known and reported to their owner; remove once fixed.
PENDING: set[str] = set()


def test_no_sqlite_only_sql_outside_the_dialect_layer():
    found = []
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).as_posix()
        if relative in ALLOWED | PENDING or relative.startswith(("sandbox/", "bridge/")):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQLITE_ONLY.search(line) and not line.lstrip().startswith("#"):
                found.append(f"app/{relative}:{number}: {line.strip()}")
    assert found == [], "SQLite-only SQL (use app/store/dialect.py):\n" + "\n".join(found)


def test_ingest_stores_new_changed_and_unchanged_rows_on_both_engines(any_store: Store):
    """The ingest's bulk path (pre-encoded JSON payloads, one expanding id parameter)."""
    rows = [dict(REFERENCE_ROW, transaction_id=n, description=f"Order {n}") for n in (1, 2, 3)]
    rows[2]["description"] = "card 4012 0000 9876 5439"  # the row that is redacted
    now = datetime(2025, 3, 15, 9, 30)

    def ingest(export_rows: list[dict[str, object]]) -> IngestCounts:
        body = json.dumps({"transactions": export_rows}).encode()
        parsed = parse_transactions_export(decode_body(body, "transactions"))
        with any_store.write() as session:
            return ingest_transactions(session, parsed.records, parsed.errors, now=now)

    assert ingest(rows).new == 3
    assert ingest(rows).unchanged == 3
    changed = ingest([rows[0], rows[1], dict(rows[2], amount=99)])
    assert (changed.new, changed.changed, changed.unchanged) == (0, 1, 2)
    with any_store.read() as session:
        stored = session.execute(select(RawRecord.source_id, RawRecord.payload)).all()
        events = session.scalar(select(func.count()).select_from(TransactionEvent))
    assert len(stored) == 4 and events == 4  # two versions of transaction 3
    payloads = {source_id: payload for source_id, payload in stored}
    assert payloads["1"] == rows[0]
    assert "9876 5439" not in json.dumps(payloads)
    assert payloads["3"]["description"] == "card 401200******5439"
