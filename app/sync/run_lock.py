"""Never two cycles of one profile at once — in this process (scheduler + Sync now) or in
another (the GUI and a Windows scheduled `paysage sync`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from app.config import data_dir
from app.store.instance_lock import AlreadyRunningError, SingleInstanceLock
from app.sync.errors import SyncBusyError

_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def profile_run_lock(profile: str) -> Iterator[None]:
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
            yield
        finally:
            file_lock.release()
    finally:
        lock.release()
