"""One matching pass of a sync cycle, in bounded write transactions (docs/storage.md).

First, when Sage Pro's picture changed (``rematch``), the undecided proposals are matched
again, one chunk of transactions per write transaction; then the new payments, one chunk per
write transaction, oldest first. No write transaction grows with the size of a first sync
or of a backlog of waiting payments. The chunks share one read of the Sage Pro cache
(``MatchingReads``): a chunk's cost grows with its own size, not with the invoice list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from app.config import Profile
from app.store import Store
from app.sync.inbound.old_sales import OldSaleLookup
from app.sync.outbox.mapping_bridge import active_record_mapper
from app.sync.review import rematch
from app.sync.review.matching_reads import MatchingReads
from app.sync.review.pipeline import PROPOSE_CHUNK, PipelineCounts, TransactionKey, propose


def match_in_chunks(
    store: Store,
    profile: Profile,
    clock: Callable[[], datetime],
    auto_approve: bool,
    *,
    sagepro_read: bool,
    old_sales: OldSaleLookup,
) -> PipelineCounts:
    """The re-evaluation (only on a fresh copy of Sage Pro: after a failed read the flag
    waits for recovery), then the new payments, all on one read of the Sage Pro cache."""
    total = PipelineCounts()
    reads = MatchingReads()
    if sagepro_read:
        total.add(
            rematch_in_chunks(store, profile, clock, auto_approve, old_sales=old_sales, reads=reads)
        )
    total.add(
        propose_in_chunks(store, profile, clock, auto_approve, old_sales=old_sales, reads=reads)
    )
    return total


def rematch_in_chunks(
    store: Store,
    profile: Profile,
    clock: Callable[[], datetime],
    auto_approve: bool,
    *,
    old_sales: OldSaleLookup,
    chunk_size: int = rematch.REMATCH_CHUNK,
    reads: MatchingReads | None = None,
) -> PipelineCounts:
    """Every undecided proposal matched again if the flag says so, ``chunk_size``
    transactions per write transaction; the last chunk clears the flag. A crash in between
    leaves the flag set: the next pass starts over, and what it already re-matched says the
    same again and stays as it is."""
    total = PipelineCounts()
    with store.read() as session:
        if not rematch.is_due(session):
            return total

    shared = reads or MatchingReads()

    def arguments(after: TransactionKey | None) -> dict[str, Any]:
        return {
            "reevaluate": rematch.Chunk(after, chunk_size),
            "old_sales": old_sales,
            "reads": shared,
        }

    for counts in _chunks(store, profile, clock, auto_approve, arguments):
        total.add(counts)
    return total


def propose_in_chunks(
    store: Store,
    profile: Profile,
    clock: Callable[[], datetime],
    auto_approve: bool,
    *,
    old_sales: OldSaleLookup,
    reads: MatchingReads | None = None,
) -> PipelineCounts:
    """The new payments, one bounded write transaction per chunk (oldest first). A crash
    between chunks leaves the rest unmatched for the next cycle, as if it had not run yet."""

    shared = reads or MatchingReads()

    def arguments(after: TransactionKey | None) -> dict[str, Any]:
        return {
            "old_sales": old_sales,
            "after": after,
            "limit": PROPOSE_CHUNK,
            "reads": shared,
        }

    total = PipelineCounts()
    for counts in _chunks(store, profile, clock, auto_approve, arguments):
        total.add(counts)
    return total


def _chunks(
    store: Store,
    profile: Profile,
    clock: Callable[[], datetime],
    auto_approve: bool,
    arguments: Callable[[TransactionKey | None], dict[str, Any]],
) -> Iterator[PipelineCounts]:
    """``propose`` once per write transaction, each chunk starting after the last key of the
    one before, until a chunk reports no last key."""
    after: TransactionKey | None = None
    while True:
        with store.write() as session:
            counts = propose(
                session,
                profile=profile,
                mapper=active_record_mapper(session, profile),
                now=clock(),
                auto_approve=auto_approve,
                **arguments(after),
            )
        yield counts
        if counts.last_key is None:
            return
        after = counts.last_key
