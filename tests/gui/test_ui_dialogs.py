"""The re-match / split dialog: picking invoices by double-click, editing amounts, the
remainder going on account, refusing what cannot be posted — and the whole flow from the
reconciliation grid's "Re-match / split…" button to a new proposal in the database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from sqlalchemy import func, select

from app.domain.money import from_cents
from app.store.models import Proposal, ProposalApplication, SageProInvoice
from app.ui.dialogs.applications_dialog import ApplicationsDialog
from app.ui.widgets import notices
from tests.gui.demo_app import WAIT_MS, wait_idle, widget_with_text
from tests.gui.modal import when_modal
from tests.gui.ui_app import make_context, make_window


def _customer_with_invoices(store: Any, at_least: int) -> str:
    with store.read() as s:
        return str(
            s.execute(
                select(SageProInvoice.customer_id)
                .where(SageProInvoice.status == "Open", SageProInvoice.balance_cents > 0)
                .group_by(SageProInvoice.customer_id)
                .having(func.count() >= at_least)
                .order_by(SageProInvoice.customer_id)
            ).scalar()
        )


def _double_click(qtbot: Any, dialog: ApplicationsDialog, row: int) -> None:
    view = dialog.grid
    rect = view.visualRect(dialog.invoices.index(row, 0))
    # A press first, as a real double-click has: the view only acts on the row it saw pressed.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _set_amount(dialog: ApplicationsDialog, row: int, text: str) -> None:
    item = dialog.chosen.item(row, 1)
    assert item is not None
    item.setText(text)  # what typing into the cell ends with (itemChanged fires)


def _ok(dialog: ApplicationsDialog) -> QPushButton:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def _loaded(qtbot: Any, dialog: ApplicationsDialog) -> None:
    model = dialog.invoices
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() >= 2, timeout=WAIT_MS)


@pytest.fixture
def ctx(tmp_path: Path):  # type: ignore[no-untyped-def]
    context = make_context(tmp_path)
    yield context
    context.store.dispose()


def test_picking_splitting_and_the_remainder(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    customer = _customer_with_invoices(ctx.store, 2)
    dialog = ApplicationsDialog(ctx.store, payment=Decimal("500.00"), customer_id=customer)
    qtbot.addWidget(dialog)
    dialog.show()
    _loaded(qtbot, dialog)
    model = dialog.invoices
    assert all(model.value(r, "customer_id") == customer for r in range(model.rowCount()))
    assert dialog.remainder.text() == "On account: $500.00"  # nothing chosen: all on account

    _double_click(qtbot, dialog, 0)
    first = str(model.value(0, "invoice_id"))
    applied = min(from_cents(int(model.value(0, "balance"))), Decimal("500.00"))
    assert dialog.applications() == [(first, applied)]
    assert dialog.remainder.text() == f"On account: ${Decimal('500.00') - applied:,.2f}"
    _double_click(qtbot, dialog, 0)  # the same invoice twice is still one line
    assert dialog.chosen.rowCount() == 1

    _double_click(qtbot, dialog, 1)
    second = str(model.value(1, "invoice_id"))
    _set_amount(dialog, 0, "300.00")
    _set_amount(dialog, 1, "150.00")
    assert dialog.applications() == [(first, Decimal("300.00")), (second, Decimal("150.00"))]
    assert dialog.remainder.text() == "On account: $50.00" and _ok(dialog).isEnabled()
    assert dialog.on_account() == Decimal("50.00")

    _set_amount(dialog, 1, "250.00")  # more than the payment
    assert dialog.remainder.text() == "Applied $50.00 more than the payment."
    assert not _ok(dialog).isEnabled()
    _set_amount(dialog, 1, "abc")
    assert dialog.remainder.text() == "An amount is not a number."
    assert dialog.applications() is None and not _ok(dialog).isEnabled()

    dialog.chosen.selectionModel().select(
        dialog.chosen.model().index(1, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.mouseClick(
        widget_with_text(dialog, QPushButton, "Remove selected"), Qt.MouseButton.LeftButton
    )
    assert dialog.applications() == [(first, Decimal("300.00"))]
    assert dialog.remainder.text() == "On account: $200.00"

    dialog.only_customer.setChecked(False)  # every customer's open invoices
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    customers = {model.value(r, "customer_id") for r in range(min(model.rowCount(), 50))}
    assert len(customers) > 1


def test_rematch_split_from_the_grid_makes_a_new_proposal(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ctx)
    window.show()
    window.show_page("reconciliation")
    page = window.page("reconciliation")
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=WAIT_MS)
    with ctx.store.read() as s:
        rich = set(
            s.scalars(
                select(SageProInvoice.customer_id)
                .where(SageProInvoice.status == "Open")
                .group_by(SageProInvoice.customer_id)
                .having(func.count() >= 2)
            )
        )
    row = next(
        r
        for r in range(page.model.rowCount())
        if page.model.value(r, "customer_id") in rich
        and page.model.value(r, "status") == "proposed"
        and int(page.model.value(r, "amount")) >= 1_000  # $10 or more: room for a split
    )
    page.grid.select_only(row)
    values = page.model.row_dict(row)
    old_id, payment = int(values["_key"]), from_cents(int(values["amount"]))
    qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.detail.detail.proposal_id == old_id, timeout=WAIT_MS)
    chosen: list[tuple[str, Decimal]] = []

    def split(dialog: ApplicationsDialog) -> None:
        _loaded(qtbot, dialog)
        assert dialog.applications() == page.detail.detail.applications  # starts as is
        dialog.chosen.setRowCount(0)
        _double_click(qtbot, dialog, 0)
        _double_click(qtbot, dialog, 1)
        first, second = (dialog.chosen.item(r, 0).text() for r in (0, 1))
        balances = [from_cents(int(dialog.invoices.value(r, "balance"))) for r in (0, 1)]
        one = min(balances[0], payment - Decimal("5.00"))
        two = min(balances[1], Decimal("2.50"))
        _set_amount(dialog, 0, f"{one:.2f}")
        _set_amount(dialog, 1, f"{two:.2f}")
        chosen.extend([(first, one), (second, two)])
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    ran = when_modal(ApplicationsDialog, split)
    with qtbot.waitSignal(page.model.reset_done, timeout=WAIT_MS):
        qtbot.mouseClick(
            widget_with_text(page, QPushButton, "Re-match / split…"), Qt.MouseButton.LeftButton
        )
    wait_idle(qtbot)
    assert ran and not notices.open_notices, [n.text() for n in notices.open_notices]

    with ctx.store.read() as s:
        old = s.get(Proposal, old_id)
        assert old is not None and old.status == "superseded" and old.decided_by == "maria"
        new = s.scalars(
            select(Proposal).where(
                Proposal.transaction_id == old.transaction_id, Proposal.id != old_id
            )
        ).one()
        apps = s.execute(
            select(ProposalApplication.invoice_id, ProposalApplication.amount_cents)
            .where(ProposalApplication.proposal_id == new.id)
            .order_by(ProposalApplication.id)
        ).all()
    assert [(i, from_cents(c)) for i, c in apps] == chosen
    on_account = payment - sum((a for _i, a in chosen), Decimal(0))
    assert from_cents(new.on_account_cents) == on_account > 0
    assert new.status in ("proposed", "review")


def test_an_over_applied_split_cannot_be_accepted(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    customer = _customer_with_invoices(ctx.store, 1)
    dialog = ApplicationsDialog(
        ctx.store,
        payment=Decimal("10.00"),
        customer_id=customer,
        initial=[("999999", Decimal("12.00"))],
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert not _ok(dialog).isEnabled()
    dialog.buttons.accepted.emit()  # Enter on a stale button: still refused
    assert dialog.result() != ApplicationsDialog.DialogCode.Accepted and dialog.isVisible()
