"""Settlement batches with their totals, and whether their transactions add up to them."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor
from sqlalchemy import case, func, select

from app.store.models import PayTraceTransaction, SettlementBatchRow
from app.ui.models.sql_query import Column
from app.ui.models.sql_table import SqlTableModel

B = SettlementBatchRow.__table__
T = PayTraceTransaction.__table__
MISMATCH = QColor("#fde7e4")


def _members_net() -> Any:
    """Net of the batch's stored transactions: sales minus refunds (ix_transactions_batch)."""
    signed = case((T.c.transaction_type == "REFUND", -T.c.amount_cents), else_=T.c.amount_cents)
    return (
        select(func.coalesce(func.sum(signed), 0))
        .where(T.c.batch_number == B.c.number)
        .scalar_subquery()
    )


def _members_count() -> Any:
    return select(func.count()).where(T.c.batch_number == B.c.number).scalar_subquery()


class SettlementsModel(SqlTableModel):
    columns = (
        Column("number", "Batch", B.c.number, "int", not_null=True, width=80),
        Column("created", "Settled", B.c.created_local, "datetime", width=130),
        Column("count", "Count", B.c.transaction_count, "int", not_null=True, width=70),
        Column("gross", "Gross sales", B.c.sales_cents, "money", not_null=True, width=110),
        Column("refunds", "Refunds", B.c.refund_cents, "money", not_null=True, width=100),
        Column("net", "Net", B.c.net_cents, "money", not_null=True, width=110),
        Column(
            "members_net",
            "Adds up to",
            _members_net(),
            "money",
            width=110,
            tooltip="Net of the batch's transactions held in Paysage",
        ),
        Column(
            "members",
            "Held",
            _members_count(),
            "int",
            width=60,
            tooltip="How many of the batch's transactions Paysage holds",
        ),
        Column("status", "Status", B.c.status, "status", not_null=True, width=90),
    )

    def source(self) -> Any:
        return B

    def key(self) -> Any:
        return B.c.number

    def sum_expr(self) -> Any:
        return B.c.net_cents

    @staticmethod
    def adds_up(row: dict[str, Any]) -> bool:
        return row["members_net"] == row["net"] and row["members"] == row["count"]

    def row_background(self, row: dict[str, Any]) -> QColor | None:
        return None if self.adds_up(row) else MISMATCH

    def data(self, index: Any, role: int = 0) -> Any:
        from PySide6.QtCore import Qt

        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            row = self.row_dict(index.row())
            if row is not None and not self.adds_up(row):
                return (
                    "The transactions held for this batch do not add up to PayTrace's totals "
                    "(missing or changed transactions). Sync again or check the batch."
                )
        return super().data(index, role)
