"""more status checks: settlement batches and recurring schedules accept only their states

As in 0010_status_checks, the states are written out here (not imported from
app.domain.states) so this revision keeps meaning what it meant when it was written, and on
SQLite the CHECK is added by rebuilding the table (batch mode; app/store/migrate.py turns
foreign keys off around it and checks every reference before commit).

Existing rows: a settlement batch in ``proposed`` (the name the schema's comment once gave
a batch whose journal entry waits in the outbox; the app has always written ``queued``) is
rewritten to ``queued``. Any other text the states do not know stops the upgrade with a
message naming the table, the column and the values; the upgrade is one transaction, so
nothing is changed, and the backup taken before it stays beside the database.

The Sage Pro copies' ``status`` columns (sagepro_customers, sagepro_invoices,
sagepro_orders) hold Sage Pro's own words as it sends them and get no CHECK here: the
connector passes those words through, so a CHECK would turn one unexpected word from a real
Sage Pro into a failed refresh.

Revision ID: 0012_more_status_checks
Revises: 0011_grid_sort_key_columns
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_more_status_checks"
down_revision = "0011_grid_sort_key_columns"
branch_labels = None
depends_on = None

# table -> (constraint name, column, states)
CHECKS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "settlement_batches": (
        "ck_settlement_batches_status",
        "status",
        ("new", "mismatch", "queued", "posted"),
    ),
    "recurring_schedules": (
        "ck_recurring_schedules_status",
        "status",
        ("creating", "active", "unknown", "failed", "deleted"),
    ),
}
# table -> (column, {old text: state it means})
RENAMED: dict[str, tuple[str, dict[str, str]]] = {
    "settlement_batches": ("status", {"proposed": "queued"}),
}


def _condition(column: str, states: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(s) for s in states)})"


def _rename_old_words() -> None:
    for table, (column, renames) in RENAMED.items():
        for old, new in renames.items():
            op.execute(
                sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old").bindparams(
                    new=new, old=old
                )
            )


def _refuse_unknown_states() -> None:
    bind = op.get_bind()
    problems = []
    for table, (_name, column, states) in CHECKS.items():
        query = sa.text(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NULL "
            f"OR NOT ({_condition(column, states)})"
        )
        unknown = sorted(repr(value) for (value,) in bind.execute(query))
        if unknown:
            problems.append(
                f"{table}.{column} holds {', '.join(unknown)}; it may hold {', '.join(states)}"
            )
    if problems:
        raise RuntimeError(
            "The database cannot be upgraded: " + "; ".join(problems) + ". Nothing was "
            "changed; correct those rows (or restore the backup) and start again."
        )


def upgrade() -> None:
    _rename_old_words()
    _refuse_unknown_states()
    for table, (name, column, states) in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(name, _condition(column, states))


def downgrade() -> None:
    for table, (name, _column, _states) in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="check")
