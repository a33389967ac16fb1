"""workstations: who is connected to a shared (team mode) store

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workstations",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("user_name", sa.String(length=80), nullable=False),
        sa.Column("host", sa.String(length=80), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workstations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workstations_last_seen"), ["last_seen"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workstations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workstations_last_seen"))
    op.drop_table("workstations")
