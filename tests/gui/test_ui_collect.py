"""The Collect page: open invoices of customers with a stored card, charged by selection,
with a confirmation that states the total, refusals in plain words, and the charge left
for the next sync (an intent in the outbox, nothing sent yet)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.store import Store
from app.store.models import (
    CustomerProfileRow,
    OutboxItem,
    PayTraceTransaction,
    ProposalApplication,
    SageProCustomer,
    SageProInvoice,
)
from app.sync.outbound.collect import collectable_invoices
from app.ui.pages.collect import CollectPage
from app.ui.widgets.notices import open_notices
from tests.gui.ui_app import make_context, make_window
from tests.gui.ui_seed import seed_store

NOW = datetime(2025, 11, 20, 14, 5)


def _link_stored_cards(store: Store) -> None:
    """Give every seeded customer with a PayTrace link its vault profile."""
    with store.write() as s:
        for customer in s.execute(select(SageProCustomer)).scalars():
            token = customer.paytrace_customer_id.strip()
            if token:
                s.add(
                    CustomerProfileRow(
                        customer_id=token,
                        billing_name=customer.name,
                        card_brand="Visa",
                        card_last4=customer.card_last4 or "5439",
                        content_hash=f"h{token}",
                        updated_at=NOW,
                    )
                )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = seed_store(tmp_path / "ui.db")
    _link_stored_cards(store)
    return store


@pytest.fixture
def page(qtbot, tmp_path: Path, store: Store) -> CollectPage:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path, store)
    page = CollectPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    return page


def test_lists_the_open_invoices_of_customers_with_a_stored_card(page, store) -> None:  # type: ignore[no-untyped-def]
    expected = collectable_invoices(store)
    assert expected, "the seeded company has customers with PayTrace profiles"
    assert [r.invoice_id for r in page.invoices.rows] == [r.invoice_id for r in expected]
    balance = page.invoices.index(0, 5).data()
    assert balance == f"${expected[0].balance:,.2f}"  # with its currency sign
    assert not page.charge_button.isEnabled()


def _unclaimed(page: CollectPage, store: Store) -> list:  # type: ignore[type-arg]
    """Invoices no PayTrace payment or proposal already names (those are refused)."""
    with store.read() as s:
        refs = [r or "" for r in s.execute(select(PayTraceTransaction.invoice_ref)).scalars()]
        applied = set(s.execute(select(ProposalApplication.invoice_id)).scalars())
    named = " ".join(refs)
    return [
        r for r in page.invoices.rows if r.invoice_id not in applied and r.invoice_id not in named
    ]


def test_charge_confirms_the_total_and_queues_for_the_next_sync(qtbot, page, store) -> None:  # type: ignore[no-untyped-def]
    chosen = _unclaimed(page, store)[:2]
    assert len(chosen) == 2
    page.select_invoices([r.invoice_id for r in chosen])
    assert page.charge_button.isEnabled()
    total = sum((r.balance for r in chosen), Decimal(0))
    asked: list[str] = []
    page.confirm = lambda text: asked.append(text) or True  # type: ignore[method-assign]
    messages: list[str] = []
    page.ctx.signals.status_message.connect(messages.append)
    page.charge_button.click()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=10_000)
    assert f"${total:,.2f}" in asked[0] and "next sync" in asked[0]
    assert {i.invoice_id for i in page.last_result.queued} == {r.invoice_id for r in chosen}
    with store.read() as s:
        keys = s.execute(select(OutboxItem.key).where(OutboxItem.key.like("COLLECT-%"))).all()
    assert len(keys) == 2
    assert any("next sync" in m for m in messages)
    # The page reloads (outbox changed) and shows both as queued.
    qtbot.waitUntil(lambda: sum(1 for r in page.invoices.rows if r.queued_key) == 2, timeout=10_000)


def test_declining_the_confirmation_charges_nothing(qtbot, page, store) -> None:  # type: ignore[no-untyped-def]
    page.select_invoices([page.invoices.rows[0].invoice_id])
    page.confirm = lambda _text: False  # type: ignore[method-assign]
    page.charge_button.click()
    qtbot.wait(100)
    assert page.last_result is None
    with store.read() as s:
        assert s.execute(select(OutboxItem).where(OutboxItem.key.like("COLLECT-%"))).first() is None


def test_refusals_are_shown_in_plain_words(qtbot, page, store) -> None:  # type: ignore[no-untyped-def]
    first, second = _unclaimed(page, store)[:2]
    with store.write() as s:  # paid by cheque after the list was loaded
        invoice = s.get(SageProInvoice, first.invoice_id)
        invoice.status, invoice.balance_cents = "Paid", 0
    page.select_invoices([first.invoice_id, second.invoice_id])
    page.confirm = lambda _text: True  # type: ignore[method-assign]
    page.charge_button.click()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=10_000)
    assert list(page.last_result.refused) == [first.invoice_id]
    shown = [box.text() for box in open_notices]
    assert any(f"Invoice {first.invoice_id} is paid in Sage Pro" in t for t in shown)
    assert any("1 charge queued" in t for t in shown)
    for box in list(open_notices):
        box.close()


def test_screenshot_of_the_collect_page(qtbot, tmp_path: Path, store, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, make_context(tmp_path, store))
    window.show()
    window.show_page("collect")
    page = window.page("collect")
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    page.select_invoices([r.invoice_id for r in page.invoices.rows[:3]])
    qtbot.wait(50)
    path = artifacts_dir / "page-collect.png"
    assert window.width() == 1280
    assert window.grab().save(str(path))
    assert path.stat().st_size > 10_000
