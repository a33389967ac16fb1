"""status checks: every workflow status column accepts only its entity's states

The states are written out here (not imported from app.domain.states) so this revision keeps
meaning what it meant when it was written. On SQLite a CHECK can only be added by rebuilding
the table (batch mode); app/store/migrate.py turns foreign keys off around the upgrade and
checks every reference before commit, as SQLite's table-rebuild recipe asks.

Revision ID: 0010_status_checks
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0010_status_checks"
down_revision = "0007_grid_sort_keys"
branch_labels = None
depends_on = None

# table -> (constraint name, column, states)
CHECKS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "proposals": (
        "ck_proposals_status",
        "status",
        ("proposed", "review", "approved", "posted", "rejected", "superseded", "reversed"),
    ),
    "outbox": (
        "ck_outbox_status",
        "status",
        ("pending", "in_flight", "posted", "dead", "resolved", "discarded"),
    ),
    "exception_items": (
        "ck_exception_items_status",
        "status",
        ("open", "resolved", "discarded"),
    ),
    "sync_runs": (
        "ck_sync_runs_status",
        "status",
        ("running", "ok", "failed", "cancelled"),
    ),
    "transactions": (
        "ck_transactions_match_status",
        "match_status",
        (
            "unmatched",
            "pending",
            "declined",
            "proposed",
            "review",
            "approved",
            "posted",
            "reversed",
            "ignored",
            "changed_after_posting",
        ),
    ),
}


def _condition(column: str, states: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(s) for s in states)})"


def upgrade() -> None:
    for table, (name, column, states) in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(name, _condition(column, states))


def downgrade() -> None:
    for table, (name, _column, _states) in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="check")
