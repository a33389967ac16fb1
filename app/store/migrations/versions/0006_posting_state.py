"""posting state: contract v1.1 PostingState of each posting, and the staged worklist

A bridge over a real Sage Pro answers ``PostingState: Staged`` for a receipt the bookkeeper
still has to enter in Sage Pro. The outbox remembers the state; ``staged_postings`` keeps
what the worklist shows (customer, date, amount, invoices, the reference to type) and when
the item was staged, looked up and found entered.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("posting_state", sa.String(12), nullable=True))
        batch.create_index("ix_outbox_posting_state", ["posting_state"])
    op.create_table(
        "staged_postings",
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id"), primary_key=True),
        sa.Column("token", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.String(10), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("invoices", sa.String(400), nullable=False),
        sa.Column("staged_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_staged_postings_staged_at", "staged_postings", ["staged_at"])


def downgrade() -> None:
    op.drop_index("ix_staged_postings_staged_at", table_name="staged_postings")
    op.drop_table("staged_postings")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_posting_state")
        batch.drop_column("posting_state")
