"""Reading PayTrace's chargeback report (CSV), the only way chargebacks reach the app.

PayTrace has no chargeback API; merchants download a dispute report from the virtual
terminal. Its exact layout is not published (A), so the reader is tolerant: columns in any
order, header names in any case and spacing with common synonyms ("Case #", "Case Number",
"case_number"), a title line or two above the header, ``$``/commas/parentheses in amounts,
M/D/YYYY (or ISO) dates with or without a time, a UTF-8 BOM, UTF-16 or Windows-1252 text,
CRLF/CR/LF line ends, comma, tab or semicolon separators.

Every text value passes the card-number redactor before it is kept; a card number in any
cell is reduced to its last 4 and the row says which columns held one. Bad rows become
typed ``ChargebackRowError`` values — the reader never raises on content. Reading one
cell's value (and the card-number removal): ``chargeback_cells``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.chargeback_cells import (
    CellError,
    last4_of_card,
    read_amount,
    read_card_type,
    read_date,
    read_last4,
    read_required_amount,
    read_transaction_id,
    scrub,
)

REQUIRED = ("case_number", "amount")
MAX_CASE_KEY = 24  # PT-CB-<case>-WON-JE must fit Sage Pro's 40-character Reference
_HEADER_SCAN_ROWS = 20
_MAX_TEXT = 500

# Canonical field -> header spellings, compared after ``_header_key`` (lower case, letters
# and digits only, "#" read as "number").
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "case_number": (
        "casenumber", "case", "caseno", "caseid", "casenum", "chargebackid",
        "chargebacknumber", "chargebackcasenumber", "disputeid", "disputenumber",
        "disputecasenumber", "cbnumber", "cbcasenumber",
    ),
    "transaction_id": (
        "transactionid", "transactionnumber", "transid", "transnumber", "txnid",
        "txnnumber", "originaltransactionid", "ptransactionid", "paytracetransactionid",
    ),
    "card_type": ("cardtype", "cardbrand", "brand", "cardnetwork", "network", "card"),
    "card_last4": (
        "last4", "lastfour", "cardlast4", "cardlastfour", "last4digits", "maskedcard",
        "maskedcardnumber", "cardnumber", "accountnumber", "maskednumber", "cardno",
    ),
    "amount": (
        "amount", "chargebackamount", "disputeamount", "disputedamount", "cbamount",
        "caseamount",
    ),
    "fee": ("fee", "chargebackfee", "cbfee", "disputefee", "fees"),
    "reason_code": ("reasoncode", "code", "reasoncd", "disputereasoncode"),
    "reason": ("reason", "reasondescription", "reasontext", "description", "disputereason"),
    "received_date": (
        "receiveddate", "datereceived", "received", "chargebackdate", "disputedate",
        "casedate", "initiateddate", "date", "opendate", "dateopened",
    ),
    "due_date": (
        "duedate", "respondby", "responseduedate", "replybydate", "responsedue", "replyby",
        "datedue", "deadline",
    ),
    "status": ("status", "casestatus", "disputestatus", "chargebackstatus"),
    "invoice_id": ("invoice", "invoiceid", "invoicenumber", "invoiceno"),
    "cardholder": ("cardholder", "cardholdername", "customername", "name", "customer"),
}  # fmt: skip
_BY_HEADER = {spelling: name for name, spellings in _SYNONYMS.items() for spelling in spellings}

_CASE_KEY = re.compile(r"[^A-Z0-9\-]")


@dataclass(frozen=True)
class ChargebackRow:
    """One dispute as the report states it; every text value already redacted."""

    line: int
    case_number: str  # as written (redacted), for people
    case_key: str  # upper case, letters/digits/dashes only: the idempotency key
    amount: Decimal  # positive: what the card holder's bank took back
    transaction_id: int | None = None
    card_type: str = ""
    card_last4: str = ""
    fee: Decimal | None = None
    reason_code: str = ""
    reason: str = ""
    received_date: date | None = None
    due_date: date | None = None
    status: str = ""
    invoice_id: str = ""
    cardholder: str = ""
    redacted_columns: tuple[str, ...] = ()  # columns that held a full card number
    extra: dict[str, str] = field(default_factory=dict)  # unknown columns, redacted


@dataclass(frozen=True)
class ChargebackRowError:
    """A row (or, with line 0, the file) that cannot be used, and why in plain words."""

    line: int
    column: str
    message: str
    case_number: str = ""


@dataclass(frozen=True)
class ChargebackReport:
    rows: tuple[ChargebackRow, ...]
    errors: tuple[ChargebackRowError, ...]
    columns: tuple[str, ...] = ()  # canonical fields the header named
    ignored_columns: tuple[str, ...] = ()  # header cells that named no known field


def decode_report(data: bytes | str) -> str:
    """Text of the file: UTF-16 (with BOM), UTF-8 (BOM optional) or else Windows-1252."""
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # Excel on Windows saves "CSV" in the ANSI code page
            text = data.decode("cp1252", errors="replace")
    return text.replace("\x00", "")


def parse_chargeback_report(data: bytes | str) -> ChargebackReport:
    """Rows and typed errors of one chargeback report; never raises on the content."""
    text = decode_report(data)
    if not text.strip():
        return ChargebackReport((), (ChargebackRowError(0, "file", "The file is empty."),))
    best: ChargebackReport | None = None
    for delimiter in _delimiters(text):
        report = _parse_with(text, delimiter)
        if report.columns:
            return report
        best = best or report
    assert best is not None
    return best


def _delimiters(text: str) -> list[str]:
    head = text[:4000]
    return sorted((",", "\t", ";"), key=lambda d: -head.count(d))


def _header_key(cell: str) -> str:
    return re.sub(r"[^a-z0-9]", "", cell.lower().replace("#", "number"))


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]] | ChargebackRowError]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field beyond the csv module's size limit
            yield ChargebackRowError(reader.line_num, "file", f"The file stops being CSV: {exc}.")
            return
        yield reader.line_num, cells


def _find_header(cells: Sequence[str]) -> dict[int, str] | None:
    columns: dict[int, str] = {}
    for index, cell in enumerate(cells):
        name = _BY_HEADER.get(_header_key(cell))
        if name and name not in columns.values():
            columns[index] = name
    return columns if all(n in columns.values() for n in REQUIRED) else None


def _parse_with(text: str, delimiter: str) -> ChargebackReport:
    header: dict[int, str] | None = None
    header_cells: list[str] = []
    rows: list[ChargebackRow] = []
    errors: list[ChargebackRowError] = []
    first_line: dict[str, int] = {}
    scanned = 0
    for item in _rows(text, delimiter):
        if isinstance(item, ChargebackRowError):
            errors.append(item)
            break
        line, cells = item
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            scanned += 1
            header = _find_header(cells)
            header_cells = cells
            if header is None and scanned >= _HEADER_SCAN_ROWS:
                break
            continue
        if _is_footer(cells, header):
            continue
        parsed = _parse_row(line, cells, header, header_cells)
        if isinstance(parsed, ChargebackRowError):
            errors.append(parsed)
        elif parsed.case_key in first_line:
            errors.append(
                ChargebackRowError(
                    line,
                    "case_number",
                    f"Case {parsed.case_number} already appears on line "
                    f"{first_line[parsed.case_key]} of this file; this row was skipped.",
                    parsed.case_number,
                )
            )
        else:
            first_line[parsed.case_key] = line
            rows.append(parsed)
    if header is None:
        errors.insert(
            0,
            ChargebackRowError(
                0,
                "file",
                "No header row naming at least a Case Number and an Amount column was found "
                f"in the first {_HEADER_SCAN_ROWS} lines; is this PayTrace's chargeback report?",
            ),
        )
        return ChargebackReport((), tuple(errors))
    ignored = tuple(
        scrub(cell.strip())[0][:80]
        for i, cell in enumerate(header_cells)
        if i not in header and cell.strip()
    )
    return ChargebackReport(tuple(rows), tuple(errors), tuple(header.values()), ignored)


_FOOTER = re.compile(r"^(grand\s+)?(totals?|count)\b", re.IGNORECASE)


def _is_footer(cells: Sequence[str], header: dict[int, str]) -> bool:
    """A closing "Total: ..." line: no case number, and its first cell says total."""
    case_index = next(i for i, name in header.items() if name == "case_number")
    if case_index < len(cells) and cells[case_index].strip():
        return False
    first = next((c.strip() for c in cells if c.strip()), "")
    return bool(_FOOTER.match(first))


def _parse_row(
    line: int, cells: Sequence[str], header: dict[int, str], header_cells: Sequence[str]
) -> ChargebackRow | ChargebackRowError:
    values: dict[str, str] = {}
    redacted: list[str] = []
    extra: dict[str, str] = {}
    for index, cell in enumerate(cells):
        clean, had_card = scrub(cell.strip()[:_MAX_TEXT])
        name = header.get(index)
        if name is None:
            if index < len(header_cells) and header_cells[index].strip() and clean:
                label = scrub(header_cells[index].strip())[0][:80]
                extra[label] = clean
                if had_card:
                    redacted.append(label)
            continue
        values[name] = clean
        if had_card:
            redacted.append(name)
            if name == "card_last4":
                values[name] = last4_of_card(cell)
    case_number = values.get("case_number", "")
    try:
        return _build_row(line, values, tuple(redacted), extra)
    except CellError as failure:
        return ChargebackRowError(line, failure.column, failure.message, case_number)


def _build_row(
    line: int, values: dict[str, str], redacted: tuple[str, ...], extra: dict[str, str]
) -> ChargebackRow:
    case_number = values.get("case_number", "")
    if "case_number" in redacted:
        raise CellError(
            "case_number", "The case number looks like a card number, so it was not kept."
        )
    case_key = _CASE_KEY.sub("", case_number.upper())
    if not case_key:
        raise CellError("case_number", "The row has no case number.")
    if len(case_key) > MAX_CASE_KEY:
        raise CellError(
            "case_number", f"The case number is longer than {MAX_CASE_KEY} letters and digits."
        )
    return ChargebackRow(
        line=line,
        case_number=case_number[:60],
        case_key=case_key,
        amount=read_required_amount(values.get("amount", "")),
        transaction_id=read_transaction_id(values.get("transaction_id", "")),
        card_type=read_card_type(values.get("card_type", "")),
        card_last4=read_last4(values.get("card_last4", "")),
        fee=read_amount(values.get("fee", ""), "fee", required=False),
        reason_code=values.get("reason_code", "")[:40],
        reason=values.get("reason", ""),
        received_date=read_date(values.get("received_date", ""), "received_date"),
        due_date=read_date(values.get("due_date", ""), "due_date"),
        status=values.get("status", "")[:40],
        invoice_id=values.get("invoice_id", "")[:40],
        cardholder=values.get("cardholder", "")[:200],
        redacted_columns=redacted,
        extra=extra,
    )
