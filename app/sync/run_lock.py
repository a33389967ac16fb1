"""Never two cycles of one profile at once — in this process (scheduler + Sync now), in
another (the GUI and a Windows scheduled `paysage sync`), or, on a shared PostgreSQL store,
on another workstation (a per-profile advisory lock held for the whole cycle)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from app.config import data_dir
from app.store import Store, dialect
from app.store.instance_lock import AlreadyRunningError, SingleInstanceLock
from app.sync.errors import SyncBusyError

_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def profile_run_lock(profile: str, store: Store | None = None) -> Iterator[None]:
    with _guard:
        lock = _locks.setdefault(profile, threading.Lock())
    if not lock.acquire(blocking=False):
        raise SyncBusyError(f"A sync of profile {profile!r} is already running.")
    try:
        safe = "".join(ch if ch.isalnum() else "_" for ch in profile)
        try:
            file_lock = SingleInstanceLock(data_dir() / f"sync-{safe}.lock").acquire()
        except AlreadyRunningError:
            raise SyncBusyError(
                f"A sync of profile {profile!r} is already running in another Paysage window "
                "or scheduled task."
            ) from None
        try:
            if store is None or store.is_sqlite:
                yield
            else:
                with team_poll_lock(store, profile):
                    yield
        finally:
            file_lock.release()
    finally:
        lock.release()


@contextmanager
def team_poll_lock(store: Store, profile: str) -> Iterator[None]:
    """The shared store's lock on polling ``profile``: one workstation at a time. It lives on
    its own connection, so a crashed workstation's lock ends with its connection."""
    name = f"paysage:poll:{profile}"
    connection = store.writer.connect()
    try:
        if not dialect.try_session_lock(connection, name):
            raise SyncBusyError(
                f"A sync of profile {profile!r} is already running on another workstation."
            )
        try:
            yield
        finally:
            dialect.release_session_lock(connection, name)
    finally:
        connection.close()
