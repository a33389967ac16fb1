"""Re-match / split checks what is typed as it is typed: invoices of two customers, an
amount above an invoice's open balance or below zero disable OK with the reason beside it,
and every allocation typed stays where it was."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox

from app.domain.money import display_money, from_cents
from app.ui.dialogs.applications_dialog import ApplicationsDialog
from tests.gui.demo_app import WAIT_MS
from tests.gui.ui_app import make_context


def _ok_enabled(dialog: ApplicationsDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def _rows_of_two_customers(dialog: ApplicationsDialog) -> tuple[int, int]:
    model = dialog.invoices
    first = 0
    other = next(
        r
        for r in range(model.rowCount())
        if model.row_dict(r) is not None  # in a loaded block
        and model.value(r, "customer_id") != model.value(first, "customer_id")
        and str(model.value(r, "currency") or "USD") == "USD"
    )
    return first, other


def test_checks_run_while_typing_and_keep_what_was_typed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    dialog = ApplicationsDialog(ctx.store, payment=Decimal("1000000"), customer_id="")
    qtbot.addWidget(dialog)
    dialog.show()
    model: Any = dialog.invoices
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 2, timeout=WAIT_MS)
    assert dialog.remainder.text() == "On account: $1,000,000.00"  # reads as money
    first, other = _rows_of_two_customers(dialog)

    dialog.add_invoice_row(first)
    dialog.chosen.item(0, 1).setText("10.00")
    assert _ok_enabled(dialog)
    dialog.add_invoice_row(other)
    dialog.chosen.item(1, 1).setText("20.00")
    assert not _ok_enabled(dialog)
    assert "different customers" in dialog.remainder.text()
    assert [dialog.chosen.item(r, 1).text() for r in (0, 1)] == ["10.00", "20.00"]

    dialog.chosen.removeRow(1)
    dialog._update_remainder()
    assert _ok_enabled(dialog)
    balance = from_cents(int(model.value(first, "balance")))
    dialog.chosen.item(0, 1).setText(f"{balance + Decimal('0.01'):.2f}")
    assert not _ok_enabled(dialog)
    assert dialog.remainder.text() == (
        f"Invoice {model.value(first, 'invoice_id')} has only {display_money(balance)} open."
    )
    dialog.chosen.item(0, 1).setText("0")
    assert not _ok_enabled(dialog) and "above zero" in dialog.remainder.text()
    ctx.store.dispose()
