"""The reconciliation grid's SQL without Qt: a status group reads exactly its proposals (the
rows and the totals agree with the table), each row's tint band follows its status and
score, and the search box reads amounts as cents and bare digits as ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.queries import reconciliation as recon
from app.queries.sql_query import QuerySpec, read_block, read_totals
from app.queries.windowing import plan_block
from app.store.models import PayTraceTransaction, Proposal
from tests.gui.ui_seed import seed_store


def _spec(recon_filter: recon.ReconFilter) -> QuerySpec:
    return QuerySpec(
        columns=[*recon.COLUMNS, *recon.HIDDEN],
        source=recon.source(None),
        key=recon.KEY,
        where=tuple(recon_filter.clauses()),
        sum_expr=recon.SUM,
    )


@pytest.mark.parametrize("status", ["approved", "posted", "rejected"])
def test_a_status_group_reads_its_proposals_and_their_total(tmp_path: Path, status: str) -> None:
    store = seed_store(tmp_path / "recon.db")
    spec = _spec(recon.ReconFilter(status=status))
    with store.read() as session:
        rows = read_block(session, spec, plan_block(0, block_size=10_000, total=10_000))
        count, total = read_totals(session, spec)
        expected = session.execute(
            select(func.count(), func.coalesce(func.sum(PayTraceTransaction.amount_cents), 0))
            .select_from(Proposal)
            .join(PayTraceTransaction)
            .where(Proposal.status == status)
        ).one()
    assert rows and (count, total) == tuple(expected) and len(rows) == count
    keys = [c.key for c in spec.columns]
    as_dicts = [dict(zip(keys, row, strict=False)) for row in rows]
    assert {r["status"] for r in as_dicts} == {status}
    assert {recon.row_band(r) for r in as_dicts} == {"done"}


def test_an_undecided_row_is_tinted_by_its_score() -> None:
    bands = [recon.row_band({"status": "review", "confidence": c}) for c in (95, 90, 75, 69, None)]
    assert bands == ["high", "high", "medium", "low", "low"]


@pytest.mark.parametrize(
    ("text", "cents"),
    [("$1,204.50", 120450), ("84.20", 8420), ("12345", None), ("Acme", None), ("1.2.3", None)],
)
def test_the_search_box_reads_amounts_as_cents_and_digits_as_ids(
    text: str, cents: int | None
) -> None:
    assert recon.search_amount(text) == cents
