"""The Sage Pro cache refresh tells real changes from re-reads (the overlap window re-reads
recent rows every time): only a new or altered customer or invoice may trigger re-matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from app.connectors.sagepro import SageProClient
from app.store import open_store
from app.sync.inbound.sagepro_cache import CacheRefresh, apply_changes, fetch_changes


def test_a_re_read_is_no_change_but_a_payment_or_a_new_invoice_is(
    sagepro_client: SageProClient, tmp_path: Path
):
    store = open_store(tmp_path / "cache.db")
    now = datetime.now(UTC).replace(tzinfo=None)
    first = fetch_changes(sagepro_client, None, now)
    with store.write() as session:
        applied = apply_changes(session, first)
    assert len(applied.changed_invoices) == len(first.invoices) > 0
    assert len(applied.changed_customers) == len(first.customers) > 0

    # The same rows read again (as the overlap does): nothing changed.
    with store.write() as session:
        again = apply_changes(session, CacheRefresh(first.customers, first.invoices, False, now))
    assert (again.changed_invoices, again.changed_customers) == (set(), set())

    # A payment inside Sage Pro changes one invoice (and its customer's balance).
    invoice = first.invoices[0]
    url = f"{sagepro_client.base_url}/_sandbox/invoices/{invoice.invoice_id}/pay"
    requests.post(url, json={}, timeout=5).raise_for_status()
    later = fetch_changes(sagepro_client, now - timedelta(minutes=1), now)
    assert len(later.invoices) >= 1
    with store.write() as session:
        changed = apply_changes(session, later)
    assert changed.changed_invoices == {invoice.invoice_id}
    assert changed.changed_customers == {invoice.customer_id}
    store.dispose()
