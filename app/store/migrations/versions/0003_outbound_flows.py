"""outbound flows: recurring billing schedules and the Sage Pro sales-order cache

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recurring_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("sagepro_customer_id", sa.String(length=10), nullable=False),
        sa.Column("paytrace_customer_id", sa.String(length=64), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("recurrence_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("recurring_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recurring_schedules_paytrace_customer_id"),
            ["paytrace_customer_id"],
            unique=False,
        )
    op.create_table(
        "sagepro_orders",
        sa.Column("order_number", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.String(length=10), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("payment_status", sa.String(length=10), nullable=False),
        sa.Column("payment_reference", sa.String(length=40), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("order_number"),
    )


def downgrade() -> None:
    op.drop_table("sagepro_orders")
    with op.batch_alter_table("recurring_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recurring_schedules_paytrace_customer_id"))
    op.drop_table("recurring_schedules")
