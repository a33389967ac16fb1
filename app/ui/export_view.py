"""Export what a grid shows (its filter and sort, every row, not just the loaded ones) to
Excel or CSV. Qt-free; runs on a worker. Text passes the card-number redactor on the way
out even though no card number is ever stored: an export is where a leak would travel; and
text that a spreadsheet would run as a formula is neutralised (payer text is untrusted).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from app.domain.money import from_cents
from app.domain.pan import redact_card_numbers
from app.domain.spreadsheet_text import neutralise_formula
from app.store import Store
from app.ui.models.sql_query import QuerySpec, format_value

ProgressCallback = Callable[[str, int, int], None]
_CHUNK = 2000


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _cell(kind: str, value: Any) -> Any:
    """An xlsx cell: amounts and counts as numbers, dates as dates, everything else as inert
    text (redacted, and never a formula)."""
    if value is None:
        return None
    if kind == "money":
        return from_cents(int(value))
    if kind in ("int", "percent") and _is_number(value):
        return value
    if kind in ("date", "datetime") and isinstance(value, date):
        return value
    return _inert(value, redact_card_numbers(str(value)))


def _text(kind: str, value: Any) -> str:
    """A CSV field: amounts as plain numbers (no thousands separator, a minus sign stays a
    minus sign), text redacted and never a formula."""
    text = redact_card_numbers(format_value(kind, value))
    if kind == "money":
        return text.replace(",", "")
    return _inert(value, text)


def _inert(value: Any, text: str) -> str:
    # The text of a number (an id, a count) cannot be a formula; anything else may be.
    return text if _is_number(value) else neutralise_formula(text)


def export_view(
    store: Store,
    spec: QuerySpec,
    shown: int,
    path: Path,
    *,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> int:
    """Write the first ``shown`` columns of ``spec``'s rows to ``path`` (.xlsx or .csv);
    returns the number of rows written."""
    columns = list(spec.columns)[:shown]
    with store.read() as session:
        result = session.execute(spec.ordered()).yield_per(_CHUNK)
        if path.suffix.lower() == ".xlsx":
            written = _write_xlsx(result, columns, path, progress, cancelled)
        else:
            written = _write_csv(result, columns, path, progress, cancelled)
    return written


def _write_csv(rows: Any, columns: list[Any], path: Path, progress: Any, cancelled: Any) -> int:
    written = 0
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in columns])
        for row in rows:
            if cancelled():
                break
            writer.writerow([_text(c.kind, row[i]) for i, c in enumerate(columns)])
            written += 1
            if progress and written % _CHUNK == 0:
                progress("Exporting", written, 0)
    tmp.replace(path)
    return written


def _write_xlsx(rows: Any, columns: list[Any], path: Path, progress: Any, cancelled: Any) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    sheet.append([c.header for c in columns])
    written = 0
    for row in rows:
        if cancelled():
            break
        sheet.append([_cell(c.kind, row[i]) for i, c in enumerate(columns)])
        written += 1
        if progress and written % _CHUNK == 0:
            progress("Exporting", written, 0)
    tmp = path.with_suffix(".part.xlsx")
    book.save(tmp)
    tmp.replace(path)
    return written
