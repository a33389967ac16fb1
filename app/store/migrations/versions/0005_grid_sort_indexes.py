"""grid sort indexes: proposals by status, score and reason, each then by id

The reconciliation grid sorts ``ORDER BY <column>, proposals.id``. With these it reads the
first block along an index (per status of the chosen group in order, or walking score or
reason and checking each row's status) instead of sorting a million joined rows.

On PostgreSQL the reason index leaves out reasons over 2,000 bytes: a B-tree entry there may
not exceed ~2.7 kB, and a reason is free text.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_proposals_status_id", "proposals", ["status", "id"])
    op.create_index("ix_proposals_confidence", "proposals", ["confidence", "id"])
    op.create_index(
        "ix_proposals_reason",
        "proposals",
        ["reason", "id"],
        postgresql_where=sa.text("octet_length(reason) <= 2000"),
    )


def downgrade() -> None:
    op.drop_index("ix_proposals_reason", table_name="proposals")
    op.drop_index("ix_proposals_confidence", table_name="proposals")
    op.drop_index("ix_proposals_status_id", table_name="proposals")
