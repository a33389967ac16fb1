"""Export what a grid shows (its filter and sort, every row, not just the loaded ones) to
Excel or CSV. Qt-free; runs on a worker. Text passes the card-number redactor on the way
out even though no card number is ever stored: an export is where a leak would travel; and
text that a spreadsheet would run as a formula is neutralised (payer text is untrusted).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from app.domain.display_time import to_local
from app.domain.money import currency_sign, from_cents
from app.domain.pan import redact_card_numbers
from app.domain.spreadsheet_text import neutralise_formula
from app.queries.sql_query import Column, QuerySpec, format_value
from app.store import Store

ProgressCallback = Callable[[str, int, int], None]
_CHUNK = 2000


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


# Excel number formats: what the grid shows, as numbers and dates a spreadsheet can use.
MONEY_FORMAT = '"{sign}"#,##0.00;-"{sign}"#,##0.00'  # the row's currency sign, as in the grid
PERCENT_FORMAT = "0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm"


def _cell(kind: str, value: Any, sign: str = "$") -> tuple[Any, str | None]:
    """An xlsx cell and its number format: amounts (in the currency whose ``sign`` is given)
    and counts as numbers, dates as dates (stored UTC times in local time, as the grid shows
    them), everything else as the grid's own words, inert (redacted, and never a formula)."""
    if value is None:
        return None, None
    if kind == "money":
        return from_cents(int(value)), MONEY_FORMAT.format(sign=sign.replace('"', ""))
    if kind == "int" and _is_number(value):
        return value, None
    if kind == "percent" and _is_number(value):
        return Decimal(value) / 100, PERCENT_FORMAT  # shows "100%", as the grid and CSV do
    if kind == "datetime" and isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None), DATETIME_FORMAT
    if kind == "time" and isinstance(value, datetime):
        return value.time(), TIME_FORMAT
    if kind == "date" and isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date(), DATE_FORMAT
    return _inert(value, redact_card_numbers(format_value(kind, value))), None


def _text(kind: str, value: Any) -> str:
    """A CSV field: amounts as plain numbers (no thousands separator or currency sign, a
    minus sign stays a minus sign), text redacted and never a formula."""
    if kind == "money" and value is not None:
        return str(from_cents(int(value)))
    return _inert(value, redact_card_numbers(format_value(kind, value)))


def _sign(row: Any, exported: _Exported, base: str) -> str:
    code = "" if exported.currency_at is None else str(row[exported.currency_at] or "")
    return currency_sign(code, base)


def _inert(value: Any, text: str) -> str:
    # The text of a number (an id, a count) cannot be a formula; anything else may be.
    return text if _is_number(value) else neutralise_formula(text)


@dataclass(frozen=True)
class _Exported:
    """One exported column: where its value sits in a row, and its money's currency."""

    column: Column
    at: int
    currency_at: int | None = None  # the row's currency code (None: always the base)


def _exported(spec: QuerySpec, shown: int) -> list[_Exported]:
    """The first ``shown`` columns, plus the currency column of any amount whose rows may be
    in different currencies when the grid does not show it: the CSV (plain numbers) then
    says the currency too, and the workbook says what the CSV says."""
    everything = list(spec.columns)
    where = {c.key: i for i, c in enumerate(everything)}
    out = [_Exported(c, i, where.get(c.currency)) for i, c in enumerate(everything[:shown])]
    for extra in sorted(
        {e.currency_at for e in out if e.currency_at is not None} - set(range(shown))
    ):
        column = everything[extra]
        out.append(_Exported(replace(column, header="Currency", kind="text"), extra))
    return out


def export_view(
    store: Store,
    spec: QuerySpec,
    shown: int,
    path: Path,
    *,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    base_currency: str = "USD",
) -> int:
    """Write the first ``shown`` columns of ``spec``'s rows to ``path`` (.xlsx or .csv)
    (and a currency column the grid keeps hidden, see ``_exported``); returns the number of
    rows written. Amounts in ``base_currency`` or a row's own currency keep their sign in
    the workbook's number format."""
    columns = _exported(spec, shown)
    with store.read() as session:
        result = session.execute(spec.ordered()).yield_per(_CHUNK)
        if path.suffix.lower() == ".xlsx":
            written = _write_xlsx(result, columns, path, progress, cancelled, base_currency)
        else:
            written = _write_csv(result, columns, path, progress, cancelled)
    return written


def _write_csv(
    rows: Any, columns: list[_Exported], path: Path, progress: Any, cancelled: Any
) -> int:
    written = 0
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([e.column.header for e in columns])
        for row in rows:
            if cancelled():
                break
            writer.writerow([_text(e.column.kind, row[e.at]) for e in columns])
            written += 1
            if progress and written % _CHUNK == 0:
                progress("Exporting", written, 0)
    tmp.replace(path)
    return written


def _xlsx_cell(sheet: Any, kind: str, value: Any, sign: str) -> Any:
    shown, number_format = _cell(kind, value, sign)
    if number_format is None:
        return shown
    cell = WriteOnlyCell(sheet, value=shown)
    cell.number_format = number_format
    return cell


def _write_xlsx(
    rows: Any, columns: list[_Exported], path: Path, progress: Any, cancelled: Any, base: str
) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    sheet.append([e.column.header for e in columns])
    written = 0
    for row in rows:
        if cancelled():
            break
        sheet.append(
            [_xlsx_cell(sheet, e.column.kind, row[e.at], _sign(row, e, base)) for e in columns]
        )
        written += 1
        if progress and written % _CHUNK == 0:
            progress("Exporting", written, 0)
    tmp = path.with_suffix(".part.xlsx")
    book.save(tmp)
    tmp.replace(path)
    return written
