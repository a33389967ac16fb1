"""Refund to card (issue 11) from the reconciliation grid: the offer for the invoice of a
posted card payment, confirmed in the dialog, queues exactly one PayTrace intent; asking
again is refused in plain words and queues nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.store import Store
from app.store.models import OutboxItem
from app.sync.outbound.refund_outbound import card_refund_offer
from app.ui.dialogs.refund_dialog import RefundDialog
from app.ui.pages.reconciliation import ReconciliationPage
from app.ui.widgets import notices
from tests.gui.ui_app import make_context

WAIT = 20_000


def _paytrace_intents(store: Store) -> list[OutboxItem]:
    with store.read() as s:
        return list(s.scalars(select(OutboxItem).where(OutboxItem.target == "paytrace")))


@pytest.fixture
def page(qtbot, tmp_path: Path) -> Iterator[ReconciliationPage]:  # type: ignore[no-untyped-def]
    page = ReconciliationPage(make_context(tmp_path))
    qtbot.addWidget(page)
    page.status.setCurrentIndex(page.status.findData("posted"))
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=WAIT)
    notices.open_notices.clear()
    yield page
    notices.open_notices.clear()  # our notices die with the page; leave none behind


def _row_with_offer(page: ReconciliationPage) -> tuple[int, str]:
    """A posted payment whose (first) invoice has a card payment left to give back."""
    for row in range(page.model.rowCount()):
        values = page.model.row_dict(row)
        assert values is not None
        invoice = str(values["invoices"] or "").split(",")[0].strip()
        if invoice and card_refund_offer(page.ctx.store, invoice) is not None:
            return row, invoice
    raise AssertionError("the seeded store has no refundable card payment")


def _press_refund(qtbot, page: ReconciliationPage, row: int) -> None:  # type: ignore[no-untyped-def]
    page.grid.select_only(row)
    page.refund_action.trigger()  # the grid's context-menu action


def test_refund_offer_queues_one_intent_and_a_second_is_refused(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    store = page.ctx.store
    assert _paytrace_intents(store) == []
    row, invoice = _row_with_offer(page)
    offer = card_refund_offer(store, invoice)
    assert offer is not None

    _press_refund(qtbot, page, row)
    qtbot.waitUntil(lambda: page.refund_flow.dialog is not None, timeout=WAIT)
    dialog: RefundDialog = page.refund_flow.dialog
    assert dialog.isVisible()
    text = dialog.kind_label.text()
    assert ("void" in text) == (offer.action == "void") and "next sync" in text
    # More than the offer's maximum cannot be confirmed; a part of it can.
    dialog.amount_edit.setText(f"{offer.refundable + Decimal('0.01'):.2f}")
    assert (
        dialog.amount() is None
        and not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    )
    part = (offer.refundable / 2).quantize(Decimal("0.01"))
    dialog.amount_edit.setText(f"{part:.2f}")
    assert dialog.amount() == part and "refund it to the card" in dialog.kind_label.text()
    dialog.accept()
    qtbot.waitUntil(lambda: len(_paytrace_intents(store)) == 1, timeout=WAIT)
    [intent] = _paytrace_intents(store)
    assert intent.kind == "paytrace_refund" and intent.status == "pending"
    assert Decimal(str(intent.payload["amount"])) == part
    assert intent.payload["sagepro_invoice_id"] == invoice

    # Pressing the action again: the refund under way is named, no dialog, nothing queued.
    first_dialog = page.refund_flow.dialog
    _press_refund(qtbot, page, row)
    qtbot.waitUntil(lambda: bool(notices.open_notices), timeout=WAIT)
    assert "already under way" in notices.open_notices[-1].text()
    assert page.refund_flow.dialog is first_dialog

    # A dialog confirmed late (opened before the first was queued): the service refuses.
    notices.open_notices.clear()
    page.refund_flow.queue(invoice, part)
    qtbot.waitUntil(lambda: bool(notices.open_notices), timeout=WAIT)
    assert "already under way" in notices.open_notices[-1].text()
    assert len(_paytrace_intents(store)) == 1


def test_no_card_payment_means_no_offer(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    page.refund_flow.start("NO-SUCH-INVOICE")
    qtbot.waitUntil(lambda: bool(notices.open_notices), timeout=WAIT)
    assert "NO-SUCH-INVOICE" in notices.open_notices[-1].text()
    assert page.refund_flow.dialog is None and _paytrace_intents(page.ctx.store) == []
