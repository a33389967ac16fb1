"""Issue 24: no write transaction of a sync grows with the number of payments. Matching a
first sync of the 30-day demo company (auto-approval on) commits its proposals in chunks of
``PROPOSE_CHUNK`` transactions instead of holding the write lock for all of them at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.store.models import Proposal
from app.sync.cycle import run_cycle
from app.sync.pipeline import PROPOSE_CHUNK
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv


def test_matching_commits_its_proposals_in_bounded_chunks(sync_env: SyncEnv):
    store = sync_env.store
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
    result = run_cycle(sync_env.context(), since=DEMO_TODAY - timedelta(days=31), auto_approve=True)
    assert result.errors == 0, result.notes
    assert result.proposals > 2 * PROPOSE_CHUNK  # the company is big enough to need chunks
    assert max(new_per_write) <= PROPOSE_CHUNK, sorted(new_per_write)[-5:]
    assert sum(new_per_write) == result.proposals
