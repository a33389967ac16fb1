"""outbox claim indexes: due rows walked in post order, earlier effects found by key

The poster's claim (``app.sync.outbox.claims``) walks pending rows in sequence order and, for
each, asks whether an earlier effect on the same invoice/customer is still open. With these
two indexes a claim reads the rows it returns and their predecessors, not the whole queue.

(The revision id was given for this issue's grid sort keys as well; the grid's stored sort
keys are not in it yet.)

Revision ID: 0007_grid_sort_keys
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0007_grid_sort_keys"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_claim", "outbox", ["status", "target", "sequence", "id"])
    op.create_index("ix_outbox_ordering", "outbox", ["ordering_key", "sequence"])


def downgrade() -> None:
    op.drop_index("ix_outbox_ordering", table_name="outbox")
    op.drop_index("ix_outbox_claim", table_name="outbox")
