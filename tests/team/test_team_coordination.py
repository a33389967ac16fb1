"""How workstations sharing one PostgreSQL store stay out of each other's way: the poll lock,
outbox claims (SKIP LOCKED, per-invoice order, reclaiming dead or stale claims) and
approvals."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.store import Store, dialect, open_store_url
from app.store.claimants import ClaimantLease, LeaseError, claimants_gone
from app.store.models import OutboxItem, Proposal
from app.store.presence import os_user_name
from app.sync.cycle import run_cycle
from app.sync.errors import SyncBusyError
from app.sync.outbound.poster import OutboxPoster
from app.sync.outbox.claims import due_rows
from app.sync.review.actions import approve_proposals
from app.sync.run_lock import team_poll_lock
from tests.support.sync_fixtures import DEMO_TODAY
from tests.team.team_env import running_team_env

NOW = datetime(2026, 3, 1, 12, 0)


class NoGateway:
    """The claim tests never reach Sage Pro."""


def _poster(store: Store, worker: str = "paysage") -> OutboxPoster:
    return OutboxPoster(store, NoGateway(), worker=worker, clock=lambda: NOW)  # type: ignore[arg-type]


def _queue(store: Store, rows: list[tuple[str, str, int]]) -> None:
    """Pending outbox rows (key, ordering key, sequence), all due."""
    with store.write() as session:
        for key, ordering_key, sequence in rows:
            session.add(
                OutboxItem(
                    key=key,
                    kind="payment",
                    payload={},
                    status="pending",
                    sequence=sequence,
                    ordering_key=ordering_key,
                    next_attempt_at=NOW - timedelta(minutes=1),
                    created_at=NOW,
                )
            )


# -- the poll lock ---------------------------------------------------------------------------


def test_one_workstation_polls_a_profile_at_a_time(pg_url: str):
    first, second = open_store_url(pg_url), open_store_url(pg_url)
    try:
        with team_poll_lock(first, "Production"):
            with (
                pytest.raises(SyncBusyError, match="another workstation"),
                team_poll_lock(second, "Production"),
            ):
                pass
            with team_poll_lock(second, "Sandbox"):  # another profile is another lock
                pass
        with team_poll_lock(second, "Production"):  # released
            pass
    finally:
        first.dispose()
        second.dispose()


def _wait_until_gone(store: Store, backend_pid: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    query = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
    while True:
        with store.read() as session:
            if not session.execute(query, {"pid": backend_pid}).scalar_one():
                return
        assert time.monotonic() < deadline, "the server kept the dead session"
        time.sleep(0.02)


def test_a_crashed_workstations_poll_lock_ends_with_its_connection(pg_url: str):
    first, second = open_store_url(pg_url), open_store_url(pg_url)
    try:
        connection = first.writer.connect()
        assert dialect.try_session_lock(connection, "paysage:poll:Production")
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with pytest.raises(SyncBusyError), team_poll_lock(second, "Production"):
            pass
        connection.invalidate()  # the process died: its socket closes ...
        connection.close()
        _wait_until_gone(second, backend)  # ... and the server ends that session
        with team_poll_lock(second, "Production"):
            pass
    finally:
        first.dispose()
        second.dispose()


def test_a_second_workstations_cycle_is_busy(tmp_path: Path, pg_url: str):
    with running_team_env(tmp_path, pg_url) as env:
        other = open_store_url(pg_url)
        try:
            with (
                team_poll_lock(other, env.profile.name),
                pytest.raises(SyncBusyError, match="another workstation"),
            ):
                run_cycle(env.context(), since=DEMO_TODAY)
        finally:
            other.dispose()


# -- claims ----------------------------------------------------------------------------------


def test_claims_skip_locked_rows_and_keep_per_invoice_order(pg_url: str):
    store = open_store_url(pg_url)
    try:
        _queue(store, [("K-1", "INV1", 1), ("K-2", "INV1", 2), ("L-3", "INV2", 3)])
        a, b = _poster(store, "a"), _poster(store, "b")
        # While A's claim transaction holds K-1's row lock, B skips it instead of waiting,
        # and does not jump to K-2: an earlier effect on INV1 is still open.
        with store.claim() as session:
            locked = due_rows(session, a.clock(), set(), 1, lock=True)
            assert [item.key for item in locked] == ["K-1"]
            claimed = b._claim(set(), 5)
            assert [c.key for c in claimed] == ["L-3"]
        assert [c.key for c in a._claim(set(), 5)] == ["K-1"]  # now that A's look ended
        assert b._claim(set(), 5) == []  # K-2 waits for K-1 to post
        with store.read() as session:
            rows = dict(session.execute(select(OutboxItem.key, OutboxItem.claimed_by)).all())
        assert rows["K-1"] == a.claimant and rows["L-3"] == b.claimant and rows["K-2"] is None
        assert a.claimant != b.claimant and a.claimant.startswith("a@")
    finally:
        store.dispose()


def _in_flight(store: Store, claims: dict[str, tuple[str | None, datetime | None]]) -> None:
    _queue(store, [(key, "", n) for n, key in enumerate(claims)])
    with store.write() as session:
        for item in session.execute(select(OutboxItem)).scalars():
            item.status = "in_flight"
            item.claimed_by, item.claimed_at = claims[item.key]


def test_reclaim_takes_only_stale_own_or_dead_claims_on_a_shared_store(pg_url: str):
    store, elsewhere = open_store_url(pg_url), open_store_url(pg_url)
    try:
        me = _poster(store, "me")
        _in_flight(
            store,
            {
                "busy-elsewhere": ("other@pc2/7", NOW - timedelta(minutes=2)),
                "dead-elsewhere": ("other@pc5/3", NOW - timedelta(minutes=2)),
                "crashed-long-ago": ("other@pc3/9", NOW - timedelta(minutes=11)),
                "mine": (me.claimant, NOW - timedelta(minutes=1)),
                "never-stamped": ("other@pc4/1", None),
            },
        )
        # pc2 is posting right now (it holds its lease); pc5's process is gone.
        with ClaimantLease(elsewhere, "other@pc2/7"):
            assert me.reclaim_in_flight() == 4
            with store.read() as session:
                status = dict(session.execute(select(OutboxItem.key, OutboxItem.status)).all())
        assert status == {
            "busy-elsewhere": "in_flight",
            "dead-elsewhere": "pending",
            "crashed-long-ago": "pending",
            "mine": "pending",
            "never-stamped": "pending",
        }
        assert me.reclaim_in_flight() == 1  # pc2 stopped: its lease ended with it
    finally:
        store.dispose()
        elsewhere.dispose()


def test_a_killed_posters_lease_ends_with_its_connection(pg_url: str):
    store, admin = open_store_url(pg_url), open_store_url(pg_url)
    try:
        lease = ClaimantLease(store, "other@pc2/7").__enter__()
        assert claimants_gone(admin, ["other@pc2/7", "other@pc9/1"]) == ["other@pc9/1"]
        with pytest.raises(LeaseError, match="already working as"):
            ClaimantLease(admin, "other@pc2/7").__enter__()
        # The server ends the lease's backend, as it does when the process dies.
        with admin.writer.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
                )
            )
            connection.commit()
        deadline = time.monotonic() + 10
        while claimants_gone(admin, ["other@pc2/7"]) != ["other@pc2/7"]:
            assert time.monotonic() < deadline, "the lease outlived its connection"
            time.sleep(0.05)
        with pytest.raises(LeaseError, match=r"connection .* was lost"):
            lease.check()
        lease.__exit__(None, None, None)  # releasing a lost lease is not an error
    finally:
        store.dispose()
        admin.dispose()


def test_reclaim_on_sqlite_takes_every_in_flight_row(tmp_path: Path):
    from app.store import open_store

    store = open_store(tmp_path / "one.db")
    try:
        me = _poster(store)
        assert me.claimant == "paysage"  # unchanged on a single-user store
        _in_flight(store, {"a": ("paysage", NOW), "b": ("elsewhere", NOW)})
        assert me.reclaim_in_flight() == 2
    finally:
        store.dispose()


# -- approvals -------------------------------------------------------------------------------


def test_two_people_approving_one_proposal_make_one_outbox_row(tmp_path: Path, pg_url: str):
    with running_team_env(tmp_path, pg_url) as env:
        run_cycle(env.context(), since=DEMO_TODAY - timedelta(days=10), auto_approve=False)
        with env.store.read() as session:
            ids = (
                session.execute(
                    select(Proposal.id)
                    .where(Proposal.status == "proposed", Proposal.kind == "payment")
                    .order_by(Proposal.id)
                    .limit(2)
                )
                .scalars()
                .all()
            )
        assert len(ids) == 2
        contested, solo = ids
        stores = {"amy": env.store, "bob": open_store_url(pg_url)}
        start = threading.Barrier(2)
        results = {}

        def approve(user: str) -> None:
            start.wait()
            results[user] = approve_proposals(
                stores[user], [contested], user=user, profile=env.profile
            )

        threads = [threading.Thread(target=approve, args=(u,)) for u in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stores["bob"].dispose()

        winners = [u for u, r in results.items() if r.approved == [contested]]
        assert len(winners) == 1
        (loser,) = set(stores) - set(winners)
        assert results[loser].refused == {
            contested: f"This proposal was already approved by {winners[0]}."
        }
        with env.store.read() as session:
            proposal = session.get(Proposal, contested)
            assert proposal is not None and proposal.decided_by == winners[0]
            keys = session.execute(
                select(OutboxItem.key).where(OutboxItem.proposal_id == contested)
            ).scalars()
            assert len(list(keys)) == 1

        # Without a user name the OS user is recorded.
        assert approve_proposals(env.store, [solo], user="", profile=env.profile).approved
        with env.store.read() as session:
            assert session.get(Proposal, solo).decided_by == os_user_name()  # type: ignore[union-attr]
