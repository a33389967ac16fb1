"""The reconciliation grid's SQL: one row per proposal, joined to its transaction and
customer, with the proposed invoices, confidence, reason, status and open anomaly flags.
Filters become WHERE clauses shaped so SQLite can use an index (see ``text_clause``); the
FROM and the plan follow the sort (see ``source`` and ``adapt_spec``). Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.domain.money import MoneyError, to_cents, to_money
from app.queries.payment_ranges import payment_range_clauses
from app.queries.sql_query import (
    Column,
    QuerySpec,
    checked_per_row,
    driving_join,
    prefix_range,
)
from app.store.like import like_pattern
from app.store.models import (
    ExceptionItem,
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SageProCustomer,
)
from app.store.review_queue import WAITING_STATUSES, waiting_for_review

P = Proposal.__table__
T = PayTraceTransaction.__table__
C = SageProCustomer.__table__
A = ProposalApplication.__table__
E = ExceptionItem.__table__

# Below this many proposals in the chosen status group, reading them all by status and
# sorting beats walking every transaction in date order for the first 200 matches
# (break-even near sqrt(block size x transactions): ~14k at a million).
SMALL_GROUP = 20_000
# Sort columns with an index on ``transactions``: the grid drives from that table.
TRANSACTION_SORTS = (None, "date", "amount", "paytrace_id")
# Sort columns walked along their (column, id) index on ``proposals`` when the status group is
# large (see ``adapt_spec``). Status needs no walk: SQLite reads its (status, id) index one
# status of the group after the other, already in order.
WALKED_PROPOSAL_SORTS = ("confidence", "reason", "customer", "card")

STATUS_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "open": ("Needs review", WAITING_STATUSES),
    "approved": ("Approved, not posted", ("approved",)),
    "posted": ("Posted", ("posted",)),
    "rejected": ("Rejected", ("rejected",)),
    "reversed": ("Unreconciled", ("reversed",)),
    "all": ("All", (*WAITING_STATUSES, "approved", "posted", "rejected", "reversed")),
}

# Confidence bands (the grid tints each row by its band).
HIGH, MEDIUM = 90, 70
DECIDED_STATUSES = ("approved", "posted", "rejected", "reversed")


@dataclass(frozen=True)
class ReconFilter:
    status: str = "open"
    date_from: date | None = None
    date_to: date | None = None
    customer: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    text: str = ""
    unusual_only: bool = False  # only payments with an open anomaly flag

    def clauses(self) -> list[Any]:
        # "Needs review" is the one definition the dashboard counts with too.
        waiting = self.status == "open"
        statuses = P.c.status.in_(self.group_statuses())
        where: list[Any] = [waiting_for_review() if waiting else statuses]
        where += payment_range_clauses(
            self.date_from, self.date_to, self.amount_min, self.amount_max
        )
        if self.customer.strip():
            pattern = like_pattern(self.customer.strip())
            where.append(
                or_(
                    P.c.customer_id == self.customer.strip().upper(),
                    P.c.customer_id.in_(_customers_named(pattern)),
                    T.c.billing_name.like(pattern, escape="\\"),
                )
            )
        if self.text.strip():
            where.append(text_clause(self.text.strip()))
        if self.unusual_only:
            # On the proposal's own column: the count then needs no join (the same rows).
            where.append(P.c.transaction_id.in_(select(E.c.transaction_id).where(*_OPEN_ANOMALY)))
        return where

    def group_statuses(self) -> tuple[str, ...]:
        return STATUS_GROUPS[self.status][1]


_OPEN_ANOMALY = (E.c.status == "open", E.c.category == "anomaly")


def _customers_named(pattern: str) -> Any:
    """Sage Pro customers whose name contains the text: a small table, scanned once per
    query (a list SQLite keeps in memory), never once per payment row."""
    return select(C.c.customer_id).where(C.c.name.like(pattern, escape="\\"))


def search_amount(text: str) -> int | None:
    """Cents when ``text`` reads as an amount ("$1,204.50", "84.20"); bare digits are ids."""
    if not any(mark in text for mark in ".$,"):
        return None
    try:
        return to_cents(to_money(text.replace("$", "").replace(",", "").strip()))
    except (MoneyError, ArithmeticError, ValueError):
        return None


def text_clause(text: str) -> Any:
    """The search box. Ids, invoice numbers and amounts are looked up through indexes
    (an index seek, whatever the row count). Words are looked for in the proposal's stored
    search text (customer, billing name, references, description, reason, invoices; see
    app/store/grid_sort_keys.py): a scan of one index, whose count needs no join.
    """
    cents = search_amount(text)
    if cents is not None:
        return T.c.amount_cents == cents
    if text.isdigit():
        applied = select(P.c.transaction_id).join(A, A.c.proposal_id == P.c.id)
        return or_(
            T.c.transaction_id == int(text),
            prefix_range(T.c.invoice_ref, text),
            T.c.transaction_id.in_(applied.where(prefix_range(A.c.invoice_id, text))),
        )
    return P.c.search_text.like(like_pattern(text), escape="\\")


def _proposals_first(join: Callable[[Any, Any], Any]) -> Any:
    """Proposals joined to their transaction (with ``join``)."""
    return join(T, T.c.transaction_id == P.c.transaction_id)


def anomaly_text() -> Any:
    """The words of the payment's newest open anomaly flag (None when it has none): read
    per shown row through the index on exception_items.transaction_id."""
    words = E.c.title + case((E.c.detail == "", ""), else_=": " + E.c.detail)
    return (
        select(words)
        .where(E.c.transaction_id == T.c.transaction_id, *_OPEN_ANOMALY)
        .order_by(E.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def anomaly_count() -> Any:
    return (
        select(func.count())
        .where(E.c.transaction_id == T.c.transaction_id, *_OPEN_ANOMALY)
        .scalar_subquery()
    )


def invoices_text() -> Any:
    return (
        select(func.aggregate_strings(A.c.invoice_id, ", "))  # portable across engines
        .where(A.c.proposal_id == P.c.id)
        .scalar_subquery()
    )


COLUMNS = (
    Column("date", "Paid on", T.c.merchant_date, "date", not_null=True, width=116),
    # Customer and card as stored on the proposal (app/store/grid_sort_keys.py): shown
    # and sorted along their (key, id) indexes.
    Column("customer", "Customer", P.c.customer_sort_key, not_null=True, width=165),
    Column("amount", "Amount", T.c.amount_cents, "money", not_null=True, width=90),
    Column(
        "invoices",
        "Invoices",
        invoices_text(),
        sortable=False,
        width=100,
        tooltip="The invoices the payment is proposed for",
    ),
    Column(
        "confidence",
        "Score",
        P.c.confidence,
        "percent",
        not_null=True,
        width=64,
        tooltip="How often matches like this were right when measured, 0-100",
    ),
    Column("status", "Status", P.c.status, "status", not_null=True, width=84),
    Column("reason", "Reason", P.c.reason, not_null=True, width=280),
    Column("paytrace_id", "PayTrace id", T.c.transaction_id, "int", not_null=True, width=95),
    Column("card", "Card / ACH", P.c.card_sort_key, not_null=True, width=120),
)
HIDDEN = (
    Column("customer_id", "Customer id", P.c.customer_id),
    Column("rule", "Rule", P.c.rule),
    Column("kind", "Kind", P.c.kind),
    Column("match_status", "Match status", T.c.match_status),
    Column("on_account", "On account", P.c.on_account_cents, "money"),
    Column("anomalies", "Unusual", anomaly_text(), sortable=False),
    Column("anomaly_count", "Flags", anomaly_count(), "int", sortable=False),
)
KEY = P.c.id
SUM = T.c.amount_cents
# Every proposal has exactly one transaction (a foreign key): a filter on proposals alone is
# counted on their indexes, without the join the sum needs.
COUNT_FROM = P


def source(sort: str | None) -> Any:
    """Driven from ``transactions`` when the sort has an index there, so the first block
    is a walk along that index rather than a sort of the whole join."""
    if sort in TRANSACTION_SORTS:
        return driving_join(T, P, T.c.transaction_id == P.c.transaction_id)
    return P.join(T, T.c.transaction_id == P.c.transaction_id)


def adapt_spec(session: Session, spec: QuerySpec, recon_filter: ReconFilter) -> QuerySpec:
    """A small status group (e.g. approved) is read from proposals by status. A large one
    sorted by score or reason walks that column's index and checks each row's status, so
    the first block is the first rows walked. Not when another filter is on: it may pass
    few of the rows walked, and the planner's own choice is the safer one."""
    sort = None if spec.sort is None else spec.sort.key
    if sort in TRANSACTION_SORTS:
        if recon_filter.status == "all" or not _small_group(session, recon_filter):
            return spec
        return replace(spec, source=_proposals_first(P.join))
    if sort in WALKED_PROPOSAL_SORTS and len(spec.where) == 1:
        if _small_group(session, recon_filter):
            return spec
        where = tuple(checked_per_row(clause, P.c.status) for clause in spec.where)
        return replace(spec, source=_proposals_first(partial(driving_join, P)), where=where)
    return spec


def _small_group(session: Session, recon_filter: ReconFilter) -> bool:
    statuses = recon_filter.group_statuses()
    probe = select(P.c.id).where(P.c.status.in_(statuses)).limit(SMALL_GROUP + 1)
    size = session.scalar(select(func.count()).select_from(probe.subquery()))
    return size is not None and size <= SMALL_GROUP


def confidence_band(confidence: int) -> str:
    return "high" if confidence >= HIGH else "medium" if confidence >= MEDIUM else "low"


def row_band(row: dict[str, Any]) -> str:
    """How the grid tints a row: "done" once decided, else its confidence band."""
    if row["status"] in DECIDED_STATUSES:
        return "done"
    return confidence_band(int(row["confidence"] or 0))


__all__ = [
    "COLUMNS",
    "HIDDEN",
    "STATUS_GROUPS",
    "ReconFilter",
    "adapt_spec",
    "confidence_band",
    "row_band",
    "search_amount",
    "source",
    "text_clause",
]
