"""grid sort key columns: each proposal's customer and card as the grid shows them, and the
texts its search box looks in

The reconciliation grid sorted by customer and by card through expressions over three
joined tables, so a sort was a sort of every joined row (seconds at a million), and a word
search read six columns over the join. The store now keeps all three on the proposal
(app/store/grid_sort_keys.py) with an index each; this revision adds the columns, fills
them for the rows already there and builds the indexes. The SQL is written out here so the
revision keeps meaning what it meant.

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
# Search: customer, the payment's texts, the reason, the invoices; one per line ({nl}: a
# quoted line break, valid in both engines).
SEARCH_TEXT = """
{customer} || {nl} ||
coalesce(
    (SELECT t.billing_name || {nl} || t.invoice_ref || {nl} ||
            t.customer_reference_id || {nl} || t.description
       FROM transactions t WHERE t.transaction_id = proposals.transaction_id),
    '') || {nl} ||
proposals.reason || {nl} ||
coalesce(({invoices}), '')
"""


def _invoices_sql() -> str:
    """The proposal's invoice ids joined by spaces, in the connected engine's spelling."""
    a = sa.table("proposal_applications", sa.column("proposal_id"), sa.column("invoice_id"))
    joined = sa.select(sa.func.aggregate_strings(a.c.invoice_id, " ")).where(
        a.c.proposal_id == sa.literal_column("proposals.id")
    )
    dialect = op.get_bind().dialect
    return str(joined.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def upgrade() -> None:
    op.add_column(
        "proposals",
        sa.Column("customer_sort_key", sa.String(200), nullable=False, server_default=""),
    )
    op.add_column(
        "proposals",
        sa.Column("card_sort_key", sa.String(40), nullable=False, server_default=""),
    )
    op.add_column(
        "proposals", sa.Column("search_text", sa.Text(), nullable=False, server_default="")
    )
    search = SEARCH_TEXT.format(customer=CUSTOMER_KEY, nl="'\n'", invoices=_invoices_sql())
    op.execute(
        f"UPDATE proposals SET customer_sort_key = {CUSTOMER_KEY}, card_sort_key = {CARD_KEY},"
        f" search_text = {search}"
    )
    op.create_index("ix_proposals_customer_sort", "proposals", ["customer_sort_key", "id"])
    op.create_index("ix_proposals_card_sort", "proposals", ["card_sort_key", "id"])
    op.create_index(
        "ix_proposals_search",
        "proposals",
        ["status", "search_text"],
        postgresql_where=sa.text("octet_length(search_text) <= 2000"),
    )


def downgrade() -> None:
    op.drop_index("ix_proposals_search", table_name="proposals")
    op.drop_index("ix_proposals_card_sort", table_name="proposals")
    op.drop_index("ix_proposals_customer_sort", table_name="proposals")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("search_text")
        batch.drop_column("card_sort_key")
        batch.drop_column("customer_sort_key")
