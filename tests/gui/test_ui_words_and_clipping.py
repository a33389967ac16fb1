"""Every page and dialog over demo data at 1280x800, read the way a bookkeeper reads it:
no text cut off without a tooltip holding it whole, and no word only a programmer would use
(rule codes, field names, statistics jargon, record ids, "payment(s)", raw JSON)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QPushButton, QWidget

from app.mapping.diff import Change
from app.mapping.version_actions import PromotionPlan
from app.queries.card_customers import CardCustomer
from app.sync.outbound.refund_outbound import RefundOffer
from app.ui.dialogs.applications_dialog import ApplicationsDialog
from app.ui.dialogs.connections_wizard import ConnectionsWizard
from app.ui.dialogs.new_profile_dialog import NewProfileDialog
from app.ui.dialogs.recurrence_dialog import RecurrenceDialog
from app.ui.dialogs.refund_dialog import RefundDialog
from app.ui.dialogs.reject_dialog import RejectDialog
from app.ui.main_window import PAGES
from app.ui.mapping.promote_dialog import PromoteDialog
from tests.gui.demo_app import wait_idle
from tests.gui.ui_app import make_context, make_window, page_loaded, wait_page_ready
from tests.gui.ui_words import Reading, developer_terms, read_window


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, make_context(tmp_path))
    window.show()
    qtbot.waitExposed(window)
    yield window
    wait_idle(qtbot)  # no query still running when the store goes
    window.ctx.store.dispose()


def _problems(reading: Reading) -> list[str]:
    return [f"cut off: {c}" for c in reading.clipped] + developer_terms(reading)


def _select_rows(qtbot: Any, page: Any, rows: range) -> list[str]:
    """Select each row in turn and read the window with its detail showing."""
    found: list[str] = []
    for row in rows:
        if row >= page.model.rowCount():
            break
        page.grid.selectRow(row)
        qtbot.wait(120)  # the detail is read off the GUI thread
        found += _problems(read_window(page.window()))
    return found


def _review_rows(page: Any) -> range:
    """The first rows, then the rows waiting for a person (their reasons differ)."""
    return range(0, min(40, page.model.rowCount()), 3)


def test_every_page_is_whole_and_in_plain_words(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    found: list[str] = []
    for key, _words, _factory in PAGES:
        window.show_page(key)
        page = window.page(key)
        wait_page_ready(qtbot, key, page)
        assert window.width() == 1280 and window.height() == 800
        found += [f"[{key}] {p}" for p in _problems(read_window(window))]
        if key in ("reconciliation", "exceptions"):
            found += [f"[{key}] {p}" for p in _select_rows(qtbot, page, _review_rows(page))]
        if key == "reconciliation":  # every view, not just what waits for review
            page.show_view("all")
            qtbot.waitUntil(lambda p=page: page_loaded(p), timeout=15_000)
            found += [f"[{key}/all] {p}" for p in _select_rows(qtbot, page, range(0, 30, 5))]
        if key == "transactions":  # each tab of the detail (the raw record is raw on purpose)
            for tab in range(page.detail.count()):
                if page.detail.tabText(tab) != "Raw record":
                    page.detail.setCurrentIndex(tab)
                    qtbot.wait(50)
                    found += [f"[{key}/tab {tab}] {p}" for p in _problems(read_window(window))]
    assert not sorted(set(found)), "\n".join(sorted(set(found)))


def _customer_with_invoices(window: Any) -> str:
    page = window.page("reconciliation")
    return str(page.model.value(0, "customer_id"))


def _dialogs(window: Any) -> list[QDialog | QWidget]:
    ctx = window.ctx
    offer = RefundOffer("104613", 80091096, "5439", Decimal("4522.35"), "refund", "")
    customers = [CardCustomer("C00009", "Evergreen Coffee Roasters LLC", "Visa 5439")]
    return [
        ApplicationsDialog(
            ctx.store,
            payment=Decimal("300"),
            customer_id=_customer_with_invoices(window),
            title="Re-match or split",
            parent=window,
        ),
        RejectDialog(3, window),
        RecurrenceDialog(customers, date(2025, 11, 20), window),
        RefundDialog(offer, window),
        NewProfileDialog(ctx.settings, window),
        PromoteDialog(
            PromotionPlan(
                4,
                "Sandbox",
                "Production",
                3,
                [
                    Change(
                        "changed",
                        "mapping",
                        "Payment.Memo",
                        "Payment memo: now 'Card payment {invoice}' (was 'Payment')",
                    )
                ],
            ),
            window,
        ),
    ]


def test_every_dialog_is_whole_and_in_plain_words(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.show_page("reconciliation")
    page = window.page("reconciliation")
    qtbot.waitUntil(lambda: page_loaded(page), timeout=15_000)
    found: list[str] = []
    wizard = ConnectionsWizard(window.ctx)  # as the app opens it on first run: on its own
    qtbot.addWidget(wizard)
    for dialog in [*_dialogs(window), wizard]:
        dialog.show()
        qtbot.waitExposed(dialog)
        invoices = getattr(dialog, "invoices", None)
        if invoices is not None:
            qtbot.waitUntil(lambda m=invoices: not m.loading and m.rowCount() > 0, timeout=10_000)
            dialog.add_invoice_row(0)  # type: ignore[attr-defined]
        qtbot.wait(50)
        found += [f"[{type(dialog).__name__}] {p}" for p in _problems(read_window(dialog))]
        dialog.close()
        wait_idle(qtbot)
    assert not sorted(set(found)), "\n".join(found)


def test_the_checker_sees_what_it_must() -> None:
    """The checker itself: each kind of defect it is there to find is found."""
    reading = Reading()
    for text in (
        "hard_key",
        "Invoice invoice_id is missing",
        "robust z-score 4.1",
        "Proposal 9",
        "2 payment(s)",
        '{"status": "posted"}',
    ):
        reading.add("sample", text)
    assert len(developer_terms(reading)) == 6
    plain = Reading()
    plain.add("sample", "Invoice number 104613 matches exactly; 2 payments, $4,522.35.")
    assert developer_terms(plain) == []


def test_the_checker_sees_cut_off_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A label, a button and a check box too narrow for their words are found; the same
    label with its words in a tooltip (an elision tooltip) is not."""
    box = QWidget()
    qtbot.addWidget(box)
    words = "Only during business hours, every weekday"
    cut = [QLabel(words, box), QPushButton(words, box), QCheckBox(words, box)]
    for widget in cut:
        widget.setFixedWidth(60)
    elided = QLabel(words[:8] + "…", box)
    elided.setFixedWidth(60)
    elided.setToolTip(words)
    box.show()
    qtbot.waitExposed(box)
    clipped = read_window(box).clipped
    assert len(clipped) == 3, clipped
