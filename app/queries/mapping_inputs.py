"""What the Mapping page's editor opens with: the active version (the shipped template saved
as version 1 on a first visit), the newest PayTrace sample rows, the Sage Pro customers
linked to them and what earlier versions chose. Qt-free; the page loads it on a worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import (
    MappingDocument,
    NoMappingVersionError,
    SuggestionMemory,
    active_version,
    all_documents,
    ensure_active_version,
    load_sample_rows,
)
from app.store import Store
from app.store.models import SageProCustomer


@dataclass(frozen=True)
class MappingInputs:
    """What the editor is opened with."""

    document: MappingDocument
    sample_rows: list[dict[str, Any]]
    customer_links: dict[str, str]  # PayTrace customer id → Sage Pro CustomerID
    memory: SuggestionMemory


def customer_links(session: Session, rows: list[dict[str, Any]]) -> dict[str, str]:
    """The Sage Pro customers linked to the PayTrace customers these rows name."""
    wanted = {str(r.get("customer_id") or "").strip() for r in rows} - {""}
    if not wanted:
        return {}
    found = session.execute(
        select(SageProCustomer.paytrace_customer_id, SageProCustomer.customer_id).where(
            SageProCustomer.paytrace_customer_id.in_(sorted(wanted))
        )
    )
    return {str(pt): str(cid) for pt, cid in found}


def load_mapping_inputs(store: Store) -> MappingInputs:
    """The active version (the shipped template is saved as version 1 on a first visit),
    the newest sample rows, their customer links and what earlier versions chose."""
    with store.read() as session:
        try:
            _version_id, document = active_version(session)
        except NoMappingVersionError:
            document = None
    if document is None:
        with store.write() as session:
            _version_id, document = ensure_active_version(session)
    with store.read() as session:
        rows = load_sample_rows(session)
        links = customer_links(session, rows)
        memory = SuggestionMemory.from_documents(all_documents(session))
    return MappingInputs(document, rows, links, memory)
