"""Reading PayTrace's chargeback report (CSV), the only way chargebacks reach the app.

PayTrace has no chargeback API; merchants download a dispute report from the virtual
terminal. Its exact layout is not published (A), so the reader is tolerant: columns in any
order, header names in any case and spacing with common synonyms ("Case #", "Case Number",
"case_number"), a title line or two above the header, ``$``/commas/parentheses in amounts,
M/D/YYYY (or ISO) dates with or without a time, a UTF-8 BOM, UTF-16 or Windows-1252 text,
CRLF/CR/LF line ends, comma, tab or semicolon separators.

Every text value passes the card-number redactor before it is kept; a card number in any
cell is reduced to its last 4 and the row says which columns held one. Bad rows become
typed ``ChargebackRowError`` values — the reader never raises on content.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.money import MoneyError, to_money
from app.domain.pan import is_card_number, redact_card_numbers

REQUIRED = ("case_number", "amount")
MAX_CASE_KEY = 24  # PT-CB-<case>-WON-JE must fit Sage Pro's 40-character Reference
MAX_AMOUNT = Decimal("100000000.00")
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

_DATE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})(?:[ T].*)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
# Digit runs with single separators, the loose shape a card number can be typed in.
_DIGIT_RUN = re.compile(r"\d(?:[ \-./]?\d)*")
_CASE_KEY = re.compile(r"[^A-Z0-9\-]")
_REMOVED = "[card number removed]"


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


def scrub(text: str) -> tuple[str, bool]:
    """``text`` with card numbers removed, and whether there was one.

    The shared redactor masks candidates it recognises; a card number glued to other digits
    by a separator ("1 4012000098765439") or written with dots escapes it, so every long
    digit run is also checked window by window and dropped whole when any window is a card.
    """
    redacted = redact_card_numbers(text)
    found = redacted != text

    def drop(match: re.Match[str]) -> str:
        nonlocal found
        digits = re.sub(r"[^0-9]", "", match.group())
        if len(digits) >= 13 and _has_card_window(digits):
            found = True
            return _REMOVED
        return match.group()

    return _DIGIT_RUN.sub(drop, redacted), found


def _has_card_window(digits: str) -> bool:
    for size in range(13, min(19, len(digits)) + 1):
        for start in range(len(digits) - size + 1):
            if is_card_number(digits[start : start + size]):
                return True
    return False


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


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


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
                values[name] = _last4_of_card(cell)
    case_number = values.get("case_number", "")
    try:
        return _build_row(line, values, tuple(redacted), extra)
    except _RowError as failure:
        return ChargebackRowError(line, failure.column, failure.message, case_number)


def _last4_of_card(cell: str) -> str:
    """The last 4 of the card number written in ``cell`` (only the last 4 is kept)."""
    for match in _DIGIT_RUN.finditer(cell):
        digits = re.sub(r"[^0-9]", "", match.group())
        for size in range(19, 12, -1):
            for start in range(len(digits) - size + 1):
                if is_card_number(digits[start : start + size]):
                    return digits[start + size - 4 : start + size]
    return ""


def _build_row(
    line: int, values: dict[str, str], redacted: tuple[str, ...], extra: dict[str, str]
) -> ChargebackRow:
    case_number = values.get("case_number", "")
    if "case_number" in redacted:
        raise _RowError(
            "case_number", "The case number looks like a card number, so it was not kept."
        )
    case_key = _CASE_KEY.sub("", case_number.upper())
    if not case_key:
        raise _RowError("case_number", "The row has no case number.")
    if len(case_key) > MAX_CASE_KEY:
        raise _RowError(
            "case_number", f"The case number is longer than {MAX_CASE_KEY} letters and digits."
        )
    return ChargebackRow(
        line=line,
        case_number=case_number[:60],
        case_key=case_key,
        amount=_required_amount(values.get("amount", "")),
        transaction_id=_transaction_id(values.get("transaction_id", "")),
        card_type=_card_type(values.get("card_type", "")),
        card_last4=_last4(values.get("card_last4", "")),
        fee=_amount(values.get("fee", ""), "fee", required=False),
        reason_code=values.get("reason_code", "")[:40],
        reason=values.get("reason", ""),
        received_date=_date(values.get("received_date", ""), "received_date"),
        due_date=_date(values.get("due_date", ""), "due_date"),
        status=values.get("status", "")[:40],
        invoice_id=values.get("invoice_id", "")[:40],
        cardholder=values.get("cardholder", "")[:200],
        redacted_columns=redacted,
        extra=extra,
    )


def _required_amount(text: str) -> Decimal:
    value = _amount(text, "amount", required=True)
    if value is None or value == 0:
        raise _RowError("amount", "The amount is empty or zero.")
    return value


def _amount(text: str, column: str, *, required: bool) -> Decimal | None:
    cleaned = text.strip()
    if not cleaned:
        if required:
            raise _RowError(column, "The amount is empty.")
        return None
    # "(25.00)", "-$25.00" and "USD 25.00" all mean 25.00: a chargeback always takes money
    # back, and reports show it negative as often as not.
    cleaned = cleaned.strip("()").replace("USD", "").strip()
    try:
        value = abs(to_money(cleaned))
    except MoneyError:
        raise _RowError(column, f"{text[:40]!r} is not an amount.") from None
    if value > MAX_AMOUNT:
        raise _RowError(column, f"{text[:40]!r} is not a plausible amount.")
    return value


def _transaction_id(text: str) -> int | None:
    cleaned = text.strip().lstrip("#").strip()
    if not cleaned:
        return None
    if cleaned.endswith(".0"):  # a spreadsheet re-saved the id as a number
        cleaned = cleaned[:-2]
    if not cleaned.isdigit() or not cleaned.isascii() or len(cleaned) > 15:
        raise _RowError("transaction_id", f"{text[:40]!r} is not a PayTrace transaction id.")
    return int(cleaned)


def _last4(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if not digits:
        return ""
    if len(digits) < 4:
        raise _RowError("card_last4", f"{text[:40]!r} does not show a card's last 4 digits.")
    return digits[-4:]


def _card_type(text: str) -> str:
    known = {"VISA": "Visa", "MC": "Mastercard", "MASTERCARD": "Mastercard", "AMEX": "Amex",
             "AMERICAN EXPRESS": "Amex", "DISCOVER": "Discover", "DISC": "Discover"}  # fmt: skip
    return known.get(text.strip().upper(), text.strip()[:20])


def _date(text: str, column: str) -> date | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    iso = _ISO_DATE.match(cleaned)
    us = _DATE.match(cleaned)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif us:
        month, day, year = (int(g) for g in us.groups())
        if len(us.group(3)) == 2:
            year += 2000
    else:
        raise _RowError(column, f"{text[:40]!r} is not a date (M/D/YYYY).")
    try:
        value = date(year, month, day)
    except ValueError:
        raise _RowError(column, f"{text[:40]!r} is not a date (M/D/YYYY).") from None
    if not 1990 <= value.year <= 2100:
        raise _RowError(column, f"{text[:40]!r} is not a plausible date.")
    return value
