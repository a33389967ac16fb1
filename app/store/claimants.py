"""Whether the worker holding an outbox claim is still alive.

A claim is committed before the call it covers, so a worker that dies mid-post leaves its
row ``in_flight``. On SQLite one poster runs per store, so every such row is a leftover. On
a shared PostgreSQL store another workstation may be posting that row right now: each
poster therefore holds a session-level advisory lock named after itself while it posts
(its lease). PostgreSQL ends the lock with the connection, so a lease another worker can
take belongs to a claimant that is gone — killed, crashed, or cut off — and its rows can be
reclaimed at once instead of after the claim timeout.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from app.store import dialect
from app.store.database import Store

LEASE_PREFIX = "paysage:claimant:"


class LeaseError(RuntimeError):
    """The poster cannot prove to other workstations that it is alive; it must stop."""


def _lease_name(claimant: str) -> str:
    return LEASE_PREFIX + claimant


class ClaimantLease:
    """Held for as long as a poster claims and posts (PostgreSQL; nothing on SQLite)."""

    def __init__(self, store: Store, claimant: str) -> None:
        self.store = store
        self.claimant = claimant
        self._connection: Connection | None = None

    def __enter__(self) -> ClaimantLease:
        if self.store.is_sqlite:
            return self
        connection = self.store.writer.connect()
        try:
            taken = dialect.try_session_lock(connection, _lease_name(self.claimant))
        except BaseException:
            connection.invalidate()
            connection.close()
            raise
        if not taken:
            connection.close()
            raise LeaseError(
                f"Another poster is already working as {self.claimant!r} on this store."
            )
        self._connection = connection
        return self

    def check(self) -> None:
        """Before each claim: the lease's connection must still be there, or other
        workstations would (rightly) take this worker's claims for a dead one's."""
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
        except SQLAlchemyError as exc:
            raise LeaseError(
                "The connection that shows other workstations this one is posting was lost; "
                "posting stops until the next sync."
            ) from exc

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            dialect.release_session_lock(connection, _lease_name(self.claimant))
        except SQLAlchemyError:  # a lost connection: the lock died with it
            connection.invalidate()
        finally:
            connection.close()


def claimants_gone(store: Store, claimants: Iterable[str]) -> list[str]:
    """Those of ``claimants`` whose lease nobody holds: their claims are leftovers.

    SQLite has no leases (one poster per store), so every claimant counts as gone."""
    names = sorted(set(claimants))
    if store.is_sqlite or not names:
        return names
    gone: list[str] = []
    with store.writer.connect() as connection:
        for claimant in names:
            if dialect.try_session_lock(connection, _lease_name(claimant)):
                dialect.release_session_lock(connection, _lease_name(claimant))
                gone.append(claimant)
    return gone
