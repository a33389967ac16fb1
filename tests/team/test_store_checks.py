"""The reliability suites' store read-outs on PostgreSQL must be able to fail: a constraint
left unvalidated is reported, and every b-tree index is actually checked."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from app.store import open_store_url
from tests.support.store_checks import integrity_check, store_summary


def test_integrity_check_reports_an_unvalidated_constraint(pg_url: str):
    open_store_url(pg_url).dispose()
    assert integrity_check(pg_url) == "ok"
    engine = create_engine(pg_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "ALTER TABLE outbox ADD CONSTRAINT attempts_small "
                    "CHECK (attempts < 1000) NOT VALID"
                )
            )
            checked = connection.execute(
                text("SELECT count(*) FROM pg_stat_user_indexes WHERE idx_scan >= 0")
            ).scalar_one()
    finally:
        engine.dispose()
    assert checked > 5  # the store has indexes for amcheck to walk
    assert integrity_check(pg_url) == "constraint attempts_small not validated"


def test_store_summary_reads_the_same_rows_on_postgresql(pg_url: str):
    open_store_url(pg_url).dispose()
    summary = store_summary(pg_url)
    assert summary == {"transactions": set(), "outbox": set(), "proposals_open": set()}
