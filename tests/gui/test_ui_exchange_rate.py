"""The re-match dialog's exchange-rate field (issue 16): typed rate, the conversion shown
before saving, and the rate kept on the new proposal from the grid's "Re-match / split…"."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from sqlalchemy import select

from app.domain.exchange import convert
from app.domain.money import from_cents, to_cents
from app.store.models import Proposal, SageProInvoice
from app.ui.dialogs.applications_dialog import ApplicationsDialog
from app.ui.widgets import notices
from tests.gui.demo_app import WAIT_MS, wait_idle, widget_with_text
from tests.gui.modal import when_modal
from tests.gui.ui_app import make_context, make_window

RATE = Decimal("1.3645")


@pytest.fixture
def ctx(tmp_path: Path):  # type: ignore[no-untyped-def]
    context = make_context(tmp_path)
    yield context
    context.store.dispose()


def test_the_rate_typed_in_the_dialog_is_shown_converted_and_kept(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ctx)
    window.show()
    window.show_page("reconciliation")
    page = window.page("reconciliation")
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=WAIT_MS)
    row = next(
        r
        for r in range(page.model.rowCount())
        if page.model.value(r, "customer_id") and page.model.value(r, "status") == "proposed"
    )
    values = page.model.row_dict(row)
    old_id, payment = int(values["_key"]), from_cents(int(values["amount"]))
    converted = convert(payment, RATE)
    with ctx.store.write() as s:
        s.add(
            SageProInvoice(
                invoice_id="CA9001",
                customer_id=str(values["customer_id"]),
                amount_cents=to_cents(converted),
                balance_cents=to_cents(converted),
                amount_paid_cents=0,
                invoice_date=date(2025, 11, 10),
                status="Open",
                payment_status="Unpaid",
                currency="CAD",
                order_number="",
                po_number="",
                refreshed_at=datetime(2025, 11, 20),
            )
        )
    page.grid.select_only(row)
    qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.detail.detail.proposal_id == old_id, timeout=WAIT_MS)
    shown: list[str] = []

    def pay_in_cad(dialog: ApplicationsDialog) -> None:
        dialog.chosen.setRowCount(0)
        dialog.add_application("CA9001", payment)
        qtbot.keyClicks(dialog.rate, str(RATE))
        shown.append(dialog.conversion.text())
        artifacts = os.environ.get("PAYSAGE_ARTIFACTS")
        dialog.grab().save(str(Path(artifacts or tmp_path) / "exchange-rate-dialog.png"))
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    ran = when_modal(ApplicationsDialog, pay_in_cad)
    with qtbot.waitSignal(page.model.reset_done, timeout=WAIT_MS):
        qtbot.mouseClick(
            widget_with_text(page, QPushButton, "Re-match / split…"), Qt.MouseButton.LeftButton
        )
    wait_idle(qtbot)
    assert ran and not notices.open_notices, [n.text() for n in notices.open_notices]
    assert shown == [
        f"${payment:,.2f} × {RATE} = {converted:,.2f} in the invoice's currency "
        "(rounded half up to the cent)."
    ]
    with ctx.store.read() as s:
        new = s.scalars(
            select(Proposal).where(Proposal.details["replaces"].as_integer() == old_id)
        ).one()
    assert (new.details["currency"], new.details["exchange_rate"]) == ("CAD", str(RATE))
    assert f"at 1 USD = {RATE} CAD" in new.reason
