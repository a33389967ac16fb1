"""grid sort key columns: each proposal's customer and card as the grid shows them

The reconciliation grid sorted by customer and by card through expressions over three
joined tables, so a sort was a sort of every joined row (seconds at a million). The store
now keeps both on the proposal (app/store/grid_sort_keys.py) with an index (key, id) each;
this revision adds the columns, fills them for the rows already there and builds the
indexes. The SQL is written out here so the revision keeps meaning what it meant.

Revision ID: 0011_grid_sort_key_columns
Revises: 0010_status_checks
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_grid_sort_key_columns"
down_revision = "0010_status_checks"
branch_labels = None
depends_on = None

# Customer: the Sage Pro name, else the PayTrace billing name, else the customer id.
CUSTOMER_KEY = """
coalesce(
    (SELECT c.name FROM sagepro_customers c WHERE c.customer_id = proposals.customer_id),
    (SELECT nullif(t.billing_name, '') FROM transactions t
      WHERE t.transaction_id = proposals.transaction_id),
    proposals.customer_id)
"""
# Card: "ACH", "Visa ··1111", or the payment method.
CARD_KEY = """
coalesce(
    (SELECT CASE WHEN t.payment_method = 'ACH' THEN 'ACH'
                 WHEN t.card_last4 != '' THEN trim(t.card_brand || ' ··' || t.card_last4)
                 ELSE t.payment_method END
       FROM transactions t WHERE t.transaction_id = proposals.transaction_id),
    '')
"""


def upgrade() -> None:
    op.add_column(
        "proposals",
        sa.Column("customer_sort_key", sa.String(200), nullable=False, server_default=""),
    )
    op.add_column(
        "proposals",
        sa.Column("card_sort_key", sa.String(40), nullable=False, server_default=""),
    )
    op.execute(
        f"UPDATE proposals SET customer_sort_key = {CUSTOMER_KEY}, card_sort_key = {CARD_KEY}"
    )
    op.create_index("ix_proposals_customer_sort", "proposals", ["customer_sort_key", "id"])
    op.create_index("ix_proposals_card_sort", "proposals", ["card_sort_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_proposals_card_sort", table_name="proposals")
    op.drop_index("ix_proposals_customer_sort", table_name="proposals")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("card_sort_key")
        batch.drop_column("customer_sort_key")
