"""Exports keep amounts numeric, with the row's currency sign in the workbook's number format,
and add a Currency column where rows may be in different currencies (issue 21): the Sage Pro
worklist holds a payment of an invoice in CAD beside the base-currency ones."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from app.queries.export_view import export_view
from app.queries.sagepro_worklist import rows as worklist_rows
from app.store import Store
from app.store.models import OutboxItem
from app.ui.models.sagepro_worklist import WorklistModel
from app.ui.models.transactions import TransactionsModel
from app.ui.worklist_print import worklist_html
from tests.gui.ui_seed import NOW, seed_store

CAD_FORMAT = '"CA$"#,##0.00;-"CA$"#,##0.00'
USD_FORMAT = '"$"#,##0.00;-"$"#,##0.00'


def _one_staged_in_cad(store: Store) -> str:
    """Turn one staged payment into a payment of a CAD invoice; returns its key."""
    with store.write() as session:
        item = session.scalars(
            select(OutboxItem).where(OutboxItem.posting_state == "Staged").order_by(OutboxItem.id)
        ).first()
        assert item is not None
        item.payload = {**item.payload, "Currency": "CAD", "ExchangeRate": "1.3645"}
        return item.key


def _loaded(qtbot, model) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()


def test_the_worklist_shows_and_exports_each_row_in_its_currency(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = seed_store(tmp_path / "ui.db")
    cad_key = _one_staged_in_cad(store)
    model = WorklistModel(store, clock=lambda: NOW)
    _loaded(qtbot, model)
    amount = model.column_index("amount")
    shown = {
        str(model.value(r, "key")): str(model.data(model.index(r, amount)))
        for r in range(model.rowCount())
    }
    assert shown.pop(cad_key).startswith("CA$")
    assert shown and all(text.startswith("$") for text in shown.values()), shown

    n = export_view(store, model.spec, len(model.columns), tmp_path / "w.csv")
    rows = list(csv.reader((tmp_path / "w.csv").open(encoding="utf-8-sig")))
    assert n == model.rowCount() and rows[0][-1] == "Currency"  # the grid keeps it hidden
    by_reference = {r[4]: r for r in rows[1:]}
    assert by_reference[cad_key][-1] == "CAD"
    assert {r[-1] for k, r in by_reference.items() if k != cad_key} == {""}
    Decimal(by_reference[cad_key][2])  # the amount stays a plain number

    export_view(store, model.spec, len(model.columns), tmp_path / "w.xlsx")
    sheet = load_workbook(tmp_path / "w.xlsx").active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=False))
    assert [c.value for c in table[0]][-1] == "Currency"
    for row in table[1:]:
        cell = row[2]
        assert isinstance(cell.value, int | float | Decimal)  # numeric, not text
        cad = row[4].value == cad_key
        assert cell.number_format == (CAD_FORMAT if cad else USD_FORMAT), row[4].value

    with store.read() as session:
        listed = worklist_rows(session)
    page = worklist_html(listed, profile="Sandbox", printed_at=datetime(2025, 11, 20, 9, 0))
    assert "CA$" in page and " + CA$" in page  # the total never adds two currencies
    store.dispose()


def test_the_worklist_total_never_adds_two_currencies(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = seed_store(tmp_path / "ui.db")
    model = WorklistModel(store, clock=lambda: NOW)
    _loaded(qtbot, model)
    assert model.rowCount() > 1 and model.total_sum is not None  # all in dollars: one total
    _one_staged_in_cad(store)
    _loaded(qtbot, model)
    assert model.total_count == model.rowCount() and model.total_sum is None  # the count alone
    store.dispose()


def test_a_base_currency_grid_exports_with_its_sign_and_no_currency_column(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store = seed_store(tmp_path / "ui.db")
    model = TransactionsModel(store)
    _loaded(qtbot, model)
    export_view(store, model.spec, len(model.columns), tmp_path / "t.csv")
    header = next(csv.reader((tmp_path / "t.csv").open(encoding="utf-8-sig")))
    assert "Currency" not in header  # PayTrace's money: every row in the base currency
    export_view(store, model.spec, len(model.columns), tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    amount = [c.value for c in next(sheet.iter_rows())].index("Amount")
    formats = {row[amount].number_format for row in sheet.iter_rows(min_row=2)}
    assert formats == {USD_FORMAT}
    store.dispose()
