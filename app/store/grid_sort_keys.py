"""The reconciliation grid's stored keys: ``proposals.customer_sort_key``,
``proposals.card_sort_key`` and ``proposals.search_text``.

The first two are what the grid shows in its Customer and Card / ACH columns: the Sage Pro
customer's name (else the PayTrace billing name, else the customer id) and "Visa ··1111" /
"ACH" / the payment method. Computed on the fly they cost a sort of every joined row
(seconds at a million); stored on the proposal, each has an index (key, id) the grid walks.
``search_text`` is every text the search box looks in (customer, billing name, references,
description, reason, invoices), one per line: one column of one index to scan for a word
instead of six columns over a join.

They are recomputed in SQL, from the rows they come from, whenever one of those changes:
- ORM writes (a new proposal, a re-match to another customer, a customer renamed in a
  session) are caught after each flush of a store write session (``keep_sort_keys``);
- Core bulk writes call ``refresh_sort_keys`` themselves (ingest's transaction updates,
  the Sage Pro customer cache refresh).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, case, event, func, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.store.models import (
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SageProCustomer,
)

P = cast(Table, Proposal.__table__)
T = cast(Table, PayTraceTransaction.__table__)
C = cast(Table, SageProCustomer.__table__)
A = cast(Table, ProposalApplication.__table__)

# Parameters per IN list: well under SQLite's and psycopg's limits.
CHUNK = 500
# Which attribute changes move a key.
_PROPOSAL_FIELDS = ("customer_id", "transaction_id", "reason")
_TRANSACTION_FIELDS = (
    "billing_name",
    "payment_method",
    "card_brand",
    "card_last4",
    "invoice_ref",
    "customer_reference_id",
    "description",
)
_CUSTOMER_FIELDS = ("name",)


def card_text(t: Any = T) -> Any:
    """ "ACH", "Visa ··1111" or the payment method, from a transactions row ``t``."""
    return case(
        (t.c.payment_method == "ACH", "ACH"),
        (t.c.card_last4 != "", func.trim(t.c.card_brand + " ··" + t.c.card_last4)),
        else_=t.c.payment_method,
    )


def customer_key() -> Any:
    """The proposal's customer as the grid shows it, correlated to ``proposals``."""
    name = select(C.c.name).where(C.c.customer_id == P.c.customer_id).scalar_subquery()
    billing = (
        select(func.nullif(T.c.billing_name, ""))
        .where(T.c.transaction_id == P.c.transaction_id)
        .scalar_subquery()
    )
    return func.coalesce(name, billing, P.c.customer_id)


def card_key() -> Any:
    """The proposal's card or ACH as the grid shows it, correlated to ``proposals``."""
    card = select(card_text()).where(T.c.transaction_id == P.c.transaction_id).scalar_subquery()
    return func.coalesce(card, "")


def search_key() -> Any:
    """Every text the grid's search box looks in, one per line (a search cannot hold a line
    break, so no match spans two fields), correlated to ``proposals``."""
    fields = [T.c.billing_name, T.c.invoice_ref, T.c.customer_reference_id, T.c.description]
    lines: Any = fields[0]
    for field in fields[1:]:
        lines = lines + "\n" + field
    payment = select(lines).where(T.c.transaction_id == P.c.transaction_id).scalar_subquery()
    invoices = (
        select(func.aggregate_strings(A.c.invoice_id, " "))
        .where(A.c.proposal_id == P.c.id)
        .scalar_subquery()
    )
    parts = [customer_key(), func.coalesce(payment, ""), P.c.reason, func.coalesce(invoices, "")]
    text = parts[0]
    for part in parts[1:]:
        text = text + "\n" + part
    return text


def refresh_sort_keys(
    session: Session,
    *,
    proposal_ids: Iterable[int] = (),
    transaction_ids: Iterable[int] = (),
    customer_ids: Iterable[str] = (),
) -> None:
    """Recompute the keys of these proposals, of every proposal of these transactions, and
    of every proposal of these Sage Pro customers, in the session's transaction."""
    targets: list[tuple[Any, Iterable[Any]]] = [
        (P.c.id, proposal_ids),
        (P.c.transaction_id, transaction_ids),
        (P.c.customer_id, customer_ids),
    ]
    for column, ids in targets:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), CHUNK):
            session.execute(
                update(P)
                .where(column.in_(wanted[start : start + CHUNK]))
                .values(
                    customer_sort_key=customer_key(),
                    card_sort_key=card_key(),
                    search_text=search_key(),
                )
            )


def _changed(instance: Any, fields: tuple[str, ...]) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _after_flush(session: Session, _context: Any) -> None:
    # session.new / dirty / deleted still hold what this flush wrote (SQLAlchemy documents
    # after_flush as seeing the pre-flush lists and attribute histories).
    proposals: set[int] = set()
    transactions: set[int] = set()
    customers: set[str] = set()
    for obj in session.new:
        if isinstance(obj, Proposal):
            proposals.add(obj.id)
        elif isinstance(obj, ProposalApplication):
            proposals.add(obj.proposal_id)
        elif isinstance(obj, SageProCustomer):
            customers.add(obj.customer_id)
    for obj in session.dirty:
        if isinstance(obj, Proposal) and _changed(obj, _PROPOSAL_FIELDS):
            proposals.add(obj.id)
        elif isinstance(obj, PayTraceTransaction) and _changed(obj, _TRANSACTION_FIELDS):
            transactions.add(obj.transaction_id)
        elif isinstance(obj, SageProCustomer) and _changed(obj, _CUSTOMER_FIELDS):
            customers.add(obj.customer_id)
    customers.update(o.customer_id for o in session.deleted if isinstance(o, SageProCustomer))
    proposals.update(o.proposal_id for o in session.deleted if isinstance(o, ProposalApplication))
    if proposals or transactions or customers:
        refresh_sort_keys(
            session, proposal_ids=proposals, transaction_ids=transactions, customer_ids=customers
        )


def keep_sort_keys(factory: sessionmaker[Session]) -> None:
    """Keep the keys in step with every ORM write of sessions made by ``factory``."""
    event.listen(factory, "after_flush", _after_flush)


__all__ = [
    "card_key",
    "card_text",
    "customer_key",
    "keep_sort_keys",
    "refresh_sort_keys",
    "search_key",
]
