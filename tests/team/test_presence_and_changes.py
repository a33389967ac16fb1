"""Presence (who else is connected) and the change feed (when to refresh), on both engines;
LISTEN/NOTIFY on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from app.store import Store, audit, open_store_url
from app.store.change_feed import ChangeListener, changes_since, listener_for
from app.store.models import OutboxItem, SyncCursor
from app.store.presence import (
    WorkstationIdentity,
    heartbeat,
    others_online,
    sign_off,
    this_workstation,
)

T0 = datetime(2026, 3, 1, 9, 0)
AMY = WorkstationIdentity("amy", "PC-AMY")
BOB = WorkstationIdentity("bob", "PC-BOB")
CAL = WorkstationIdentity("cal", "PC-CAL")


def test_others_online_lists_recent_heartbeats_but_not_me(any_store: Store):
    heartbeat(any_store, AMY, now=T0)
    heartbeat(any_store, BOB, now=T0)
    heartbeat(any_store, CAL, now=T0 - timedelta(minutes=10))  # went away
    heartbeat(any_store, BOB, now=T0 + timedelta(minutes=1))
    seen = others_online(any_store, AMY, now=T0 + timedelta(minutes=2))
    assert [(s.user, s.host) for s in seen] == [("bob", "PC-BOB")]
    assert seen[0].started_at == T0 and seen[0].last_seen == T0 + timedelta(minutes=1)
    assert [s.user for s in others_online(any_store, BOB, now=T0 + timedelta(minutes=2))] == ["amy"]
    sign_off(any_store, BOB)
    assert others_online(any_store, AMY, now=T0 + timedelta(minutes=2)) == []


def test_this_workstation_is_the_os_user_on_this_host():
    me = this_workstation()
    assert me.id == f"{me.user}@{me.host}" and me.user and me.host


def test_changes_since_reports_what_other_writers_changed(any_store: Store):
    start = changes_since(any_store, None)
    assert not start.any
    assert changes_since(any_store, start.token) == start  # nothing new
    with any_store.write() as session:
        audit.record(session, "approve", "proposal", 7, actor="bob")
        audit.record(session, "post", "outbox", "PT-1-PAY", actor="bob")
    later = changes_since(any_store, start.token)
    assert later.entity_types == {"proposal", "outbox"} and later.token != start.token
    assert not changes_since(any_store, later.token).any


def _outbox_row(store: Store, key: str) -> None:
    with store.write() as session:
        session.add(
            OutboxItem(
                key=key,
                kind="payment",
                payload={},
                status="pending",
                sequence=1,
                next_attempt_at=T0,
                created_at=T0,
            )
        )


@pytest.mark.timeout(60)
def test_postgresql_notifies_listeners_after_relevant_commits(pg_url: str):
    store = open_store_url(pg_url)
    listener = listener_for(store)
    assert isinstance(listener, ChangeListener)
    try:
        with listener:
            _outbox_row(store, "PT-1-PAY")  # an ORM insert
            assert listener.wait(5) == [frozenset({"outbox"})]
            with store.write() as session:  # a bulk update
                session.execute(update(OutboxItem).values(status="posted"))
            assert listener.wait(5) == [frozenset({"outbox"})]
            with store.write() as session:  # nothing a grid shows
                session.add(SyncCursor(name="c", updated_at=T0))
            try:
                with store.write() as session:  # rolled back: never happened
                    session.execute(update(OutboxItem).values(status="pending"))
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            assert listener.wait(0.2) == []
            _outbox_row(store, "PT-2-PAY")
            assert listener.wait(5) == [frozenset({"outbox"})]
    finally:
        store.dispose()


def test_sqlite_has_no_listener_so_the_window_polls(tmp_path):
    from app.store import open_store

    store = open_store(tmp_path / "one.db")
    try:
        assert listener_for(store) is None
    finally:
        store.dispose()
