"""An export reads like the grid: XLSX amounts are numbers formatted with two decimals and
separators, dates are dates, stored UTC times are local times, a score is a percentage, and
the CSV says the same words ("Approved", "100%") as the workbook."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Column as SqlColumn
from sqlalchemy import Date, DateTime, Integer, MetaData, String, Table, insert

from app.domain.display_time import show_date, show_local, to_local
from app.queries.export_view import DATE_FORMAT, MONEY_FORMAT, PERCENT_FORMAT, export_view
from app.queries.sql_query import Column, QuerySpec
from app.store import Store, open_store

_metadata = MetaData()
_rows = Table(
    "export_agreement_rows",
    _metadata,
    SqlColumn("id", Integer, primary_key=True),
    SqlColumn("paid_on", Date),
    SqlColumn("raised_at", DateTime),
    SqlColumn("amount_cents", Integer),
    SqlColumn("score", Integer),
    SqlColumn("status", String),
)
RAISED = datetime(2025, 11, 20, 13, 45)  # stored UTC, naive


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Store, QuerySpec, int]:
    store = open_store(tmp_path / "export.db")
    _metadata.create_all(store.writer)
    with store.write() as session:
        session.execute(
            insert(_rows),
            [
                {
                    "id": 1,
                    "paid_on": date(2025, 11, 19),
                    "raised_at": RAISED,
                    "amount_cents": 123456789,
                    "score": 100,
                    "status": "approved",
                },
                {
                    "id": 2,
                    "paid_on": date(2025, 11, 20),
                    "raised_at": RAISED,
                    "amount_cents": -500,
                    "score": 7,
                    "status": "changed_after_posting",
                },
            ],
        )
    columns = [
        Column("paid_on", "Paid on", _rows.c.paid_on, "date"),
        Column("raised", "Raised", _rows.c.raised_at, "datetime"),
        Column("amount", "Amount", _rows.c.amount_cents, "money"),
        Column("score", "Score", _rows.c.score, "percent"),
        Column("status", "Status", _rows.c.status, "status"),
    ]
    yield store, QuerySpec(columns=columns, source=_rows, key=_rows.c.id), len(columns)
    store.dispose()


def test_xlsx_cells_are_numbers_and_dates_with_formats(exported, tmp_path: Path) -> None:
    store, spec, shown = exported
    path = tmp_path / "view.xlsx"
    export_view(store, spec, shown, path)
    sheet = load_workbook(path).active
    assert sheet is not None
    paid, raised, amount, score, status = next(sheet.iter_rows(min_row=2))
    assert paid.is_date and paid.value.date() == date(2025, 11, 19)
    assert paid.number_format == DATE_FORMAT
    local = to_local(RAISED).replace(tzinfo=None)
    assert raised.is_date and raised.value == local  # local time, as the grid shows it
    assert amount.data_type == "n" and Decimal(str(amount.value)) == Decimal("1234567.89")
    assert amount.number_format == MONEY_FORMAT.format(sign="$")  # two decimals, separators
    assert score.number_format == PERCENT_FORMAT and Decimal(str(score.value)) == 1
    assert status.value == "Approved"


def test_csv_says_what_the_workbook_says(exported, tmp_path: Path) -> None:
    store, spec, shown = exported
    path = tmp_path / "view.csv"
    export_view(store, spec, shown, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first, second = list(csv.reader(handle))[1:]
    assert first == [
        show_date(date(2025, 11, 19)),
        show_local(RAISED.replace(tzinfo=UTC)),
        "1234567.89",
        "100%",
        "Approved",
    ]
    assert second[2] == "-5.00" and second[3] == "7%"
    assert second[4] == "Changed after posting"
