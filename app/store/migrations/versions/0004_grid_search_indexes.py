"""grid search indexes: invoice reference prefix, proposals by customer

The reconciliation and transactions grids look a typed invoice number up by prefix on
``transactions.invoice_ref`` and a customer name through ``proposals.customer_id`` (after
matching the small customer table), so neither is a scan of a million rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_transactions_invoice_ref", "transactions", ["invoice_ref"])
    op.create_index("ix_proposals_customer", "proposals", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_proposals_customer", table_name="proposals")
    op.drop_index("ix_transactions_invoice_ref", table_name="transactions")
