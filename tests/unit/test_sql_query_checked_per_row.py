"""``checked_per_row``: a filter term SQLite must test row by row instead of seeking an index
on it (unary ``+``), while every other database reads the very same condition."""

from __future__ import annotations

import sqlite3

from sqlalchemy import column, select, table
from sqlalchemy.dialects import postgresql, sqlite

from app.queries.sql_query import checked_per_row

T = table("t", column("status"), column("score"))


def _sql(statement, dialect) -> str:  # type: ignore[no-untyped-def]
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def test_only_the_named_column_is_kept_off_its_index() -> None:
    clause = T.c.status.in_(["a", "b"]) & (T.c.score > 5)
    checked = checked_per_row(clause, T.c.status)
    assert _sql(checked, sqlite.dialect()) == "+t.status IN ('a', 'b') AND t.score > 5"
    assert _sql(checked, postgresql.dialect()) == "t.status IN ('a', 'b') AND t.score > 5"
    assert _sql(clause, sqlite.dialect()) == "t.status IN ('a', 'b') AND t.score > 5"


def test_sqlite_walks_the_order_index_and_keeps_the_same_rows() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, score INT)")
    con.execute("CREATE INDEX ix_t_status ON t (status)")
    con.execute("CREATE INDEX ix_t_score ON t (score, id)")
    con.executemany(
        "INSERT INTO t VALUES (?, ?, ?)", [(i, "abc"[i % 3], i * 7 % 11) for i in range(1, 300)]
    )
    seeked = select(column("id")).select_from(T).where(T.c.status.in_(["a", "b"]))
    walked = select(column("id")).select_from(T)
    walked = walked.where(checked_per_row(T.c.status.in_(["a", "b"]), T.c.status))
    order = (T.c.score, column("id"))
    plans, results = [], []
    for statement in (seeked, walked):
        sql = _sql(statement.order_by(*order).limit(20), sqlite.dialect())
        plans.append(" | ".join(r[-1] for r in con.execute("EXPLAIN QUERY PLAN " + sql)))
        results.append(con.execute(sql).fetchall())
    assert "ix_t_status" in plans[0] and "TEMP B-TREE" in plans[0]
    assert "SCAN t USING INDEX ix_t_score" in plans[1] and "TEMP B-TREE" not in plans[1]
    assert results[0] == results[1] and len(results[0]) == 20
