"""What proposals already claim of each invoice and Sage Pro does not know yet: approval
checks room on an invoice with it, matching and Collect take it off the open balance."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.store.models import Proposal, ProposalApplication


def claimed_cents(
    session: Session,
    invoice_ids: Sequence[str] | None,
    *,
    exclude: int,
    statuses: Sequence[str] = ("approved",),
) -> dict[str, int]:
    """Amounts proposals in ``statuses`` apply to each invoice (None: to every invoice),
    not yet in the Sage Pro cache."""
    query = (
        select(ProposalApplication.invoice_id, func.sum(ProposalApplication.amount_cents))
        .join(Proposal)
        .where(
            Proposal.status.in_(list(statuses)),
            Proposal.id != exclude,
            Proposal.kind == "payment",
        )
        .group_by(ProposalApplication.invoice_id)
    )
    if invoice_ids is not None:
        query = query.where(ProposalApplication.invoice_id.in_(list(invoice_ids)))
    return {invoice_id: int(total or 0) for invoice_id, total in session.execute(query)}
