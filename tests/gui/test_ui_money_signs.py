"""Every money cell carries its row's currency sign (issue 21): PayTrace's money in the
company's base currency ("$1,234.50", "-$5.00"), an invoice in another currency with that
currency's unmistakable sign ("CA$1,364.50") — the grids, the split dialog, the Collect list,
a posting's payload and the detail panel's candidates alike."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app.store.models import SageProInvoice
from app.sync.outbound.collect import collect_invoices, collectable_invoices
from app.sync.outbound.refund_outbound import RefundOffer
from app.ui.dialogs.applications_dialog import ApplicationsDialog
from app.ui.dialogs.refund_dialog import RefundDialog
from app.ui.models.sql_table import SqlTableModel
from app.ui.pages.collect import CollectPage
from app.ui.widgets.payload_table import PayloadTable
from tests.gui.demo_app import WAIT_MS, wait_idle
from tests.gui.test_ui_collect import _link_stored_cards
from tests.gui.ui_app import make_context, make_window, wait_page_ready
from tests.gui.ui_seed import seed_store

CAD_INVOICE = "CA9001"


@pytest.fixture
def ctx(tmp_path: Path):  # type: ignore[no-untyped-def]
    context = make_context(tmp_path)
    yield context
    context.store.dispose()


def _add_cad_invoice(ctx: Any, customer_id: str, cents: int) -> None:
    with ctx.store.write() as s:
        s.add(
            SageProInvoice(
                invoice_id=CAD_INVOICE,
                customer_id=customer_id,
                amount_cents=cents,
                balance_cents=cents,
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


def _money_cells(model: SqlTableModel, rows: int = 20) -> list[str]:
    money = [i for i, c in enumerate(model.columns) if c.kind == "money"]
    assert money, f"{type(model).__name__} has no money column"
    return [
        str(model.data(model.index(r, c)) or "")
        for r in range(min(rows, model.rowCount()))
        for c in money
    ]


def _base_money(text: str) -> bool:
    return text == "" or (text.startswith(("$", "-$")) and text[-3] == ".")


def test_grids_show_every_amount_with_its_sign(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ctx)
    window.show()
    qtbot.waitExposed(window)
    for key in ("transactions", "reconciliation", "settlements"):
        window.show_page(key)
        page = window.page(key)
        wait_page_ready(qtbot, key, page)
        for name in ("model", "members"):
            model = getattr(page, name, None)
            if model is None:
                continue
            cells = _money_cells(model)
            assert cells and all(_base_money(c) for c in cells), (key, name, cells[:8])
            assert any(c.startswith("$") for c in cells), (key, name, cells[:8])
    wait_idle(qtbot)


def test_an_invoice_in_another_currency_reads_in_that_currency(qtbot, ctx, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    with ctx.store.read() as s:
        customer = str(
            s.scalars(
                select(SageProInvoice.customer_id).where(SageProInvoice.status == "Open").limit(1)
            ).one()
        )
    _add_cad_invoice(ctx, customer, 136_450)
    dialog = ApplicationsDialog(
        ctx.store, payment=Decimal("1000"), customer_id=customer, title="Re-match or split"
    )
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.invoices
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() >= 2, timeout=WAIT_MS)
    balances = {
        str(model.value(r, "invoice_id")): str(
            model.data(model.index(r, model.column_index("balance")))
        )
        for r in range(model.rowCount())
    }
    assert balances.pop(CAD_INVOICE) == "CA$1,364.50"
    assert balances and all(_base_money(text) for text in balances.values()), balances

    row = next(r for r in range(model.rowCount()) if model.value(r, "invoice_id") == CAD_INVOICE)
    dialog.add_invoice_row(row)
    applied = dialog.chosen.item(0, 1)
    assert applied is not None and applied.text() == "$1,000.00"  # the payment's dollars
    assert dialog.chosen.horizontalHeaderItem(1).text() == "Apply (USD)"
    assert dialog.applications() == [(CAD_INVOICE, Decimal("1000.00"))]  # the sign reads back
    qtbot.keyClicks(dialog.rate, "1.3645")
    assert dialog.conversion.text() == (
        "$1,000.00 × 1.3645 = CA$1,364.50 (rounded half up to the cent)."
    )
    qtbot.wait(50)  # the wrapped conversion line's new height, laid out
    dialog.grab().save(str(artifacts_dir / "split-dialog-foreign-currency.png"))
    dialog.close()
    wait_idle(qtbot)


def test_a_foreign_posting_shows_its_amount_in_the_invoice_currency(qtbot) -> None:  # type: ignore[no-untyped-def]
    table = PayloadTable()
    qtbot.addWidget(table)
    table.show_payload(
        {
            "InvoiceID": CAD_INVOICE,
            "Amount": "1364.50",
            "Currency": "CAD",
            "ExchangeRate": "1.3645",
            "BaseAmount": "1000.00",
        }
    )
    shown = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert shown["Amount"] == "CA$1,364.50"
    assert shown["Base amount"] == "$1,000.00"
    table.show_payload({"Amount": "-5", "CustomerID": "C1"})  # a base-currency posting
    assert table.item(0, 1).text() == "-$5.00"


def test_collect_lists_balances_in_their_currency_and_never_adds_two_currencies(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store = seed_store(tmp_path / "collect.db")
    _link_stored_cards(store)
    ctx = make_context(tmp_path, store)
    first = collectable_invoices(store)[0]
    _add_cad_invoice(ctx, first.customer_id, 50_000)
    page = CollectPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None, timeout=WAIT_MS)
    rows, model = page.invoices.rows, page.invoices
    balance = next(i for i, c in enumerate(model.columns) if c.header == "Balance")
    cad = next(n for n, r in enumerate(rows) if r.invoice_id == CAD_INVOICE)
    assert model.data(model.index(cad, balance)) == "CA$500.00"
    other = next(n for n, r in enumerate(rows) if r.invoice_id != CAD_INVOICE)
    assert str(model.data(model.index(other, balance))).startswith("$")
    page.select_invoices([CAD_INVOICE, rows[other].invoice_id])
    text = page.selection_label.text()
    assert text == f"Selected: 2 invoices · ${rows[other].balance:,.2f} + CA$500.00", text
    # A stored card is charged in the base currency: not offered for the CAD invoice...
    assert not page.charge_button.isEnabled()
    assert "is in CAD and a stored card is charged in USD" in page.charge_button.toolTip()
    page.select_invoices([rows[other].invoice_id])
    assert page.charge_button.isEnabled() and page.charge_button.toolTip() == ""
    # ... and refused by the service, the rest of the batch going on.
    result = collect_invoices(
        store, [CAD_INVOICE, rows[other].invoice_id], user="maria", profile=ctx.profile
    )
    assert "is in CAD" in result.refused[CAD_INVOICE]
    assert CAD_INVOICE not in [i.invoice_id for i in result.queued]
    handled = [i.invoice_id for i in result.queued] + list(result.refused)
    assert rows[other].invoice_id in handled  # the other invoice went its own way
    wait_idle(qtbot)
    store.dispose()


def test_a_company_keeping_its_books_in_euros_reads_euros(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    """The base currency's own sign wherever PayTrace's money is shown or typed."""
    ctx.profile.base_currency = "EUR"
    window = make_window(qtbot, ctx)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("transactions")
    page = window.page("transactions")
    wait_page_ready(qtbot, "transactions", page)
    cells = _money_cells(page.model)
    assert cells and all(c.startswith(("€", "-€")) for c in cells), cells[:5]
    assert page.amount_min.placeholderText() == "Min €"
    qtbot.waitUntil(lambda: "·" in page.totals.text(), timeout=WAIT_MS)
    assert " · €" in page.totals.text(), page.totals.text()  # "300 rows · €691,162.84"
    window.show_page("reconciliation")
    recon = window.page("reconciliation")
    assert recon.amount_max.placeholderText() == "Max €"
    window.show_page("settings")
    settings = window.page("settings")
    labels = {label.text() for label in settings.findChildren(QLabel)}
    assert {"Large payment from €", "Card € per transaction"} <= labels
    assert "Large payment from $" not in labels
    wait_idle(qtbot)


def test_the_refund_dialog_speaks_the_company_currency(qtbot) -> None:  # type: ignore[no-untyped-def]
    offer = RefundOffer("104613", 80091096, "5439", Decimal("4522.35"), "refund", "")
    dialog = RefundDialog(offer, base_currency="EUR")
    qtbot.addWidget(dialog)
    words = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Up to €4,522.35 can be given back." in words
    assert "PayTrace will refund it to the card: €4,522.35." in words
