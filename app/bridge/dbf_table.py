"""Read one FoxPro table, read-only, opened and closed per call.

Sage Pro reindexes, packs and closes periods with the tables opened exclusively, so a held
handle would block it: ``read_table`` opens, reads every row and closes. Money comes back as
``Decimal`` decoded from the stored digits (the ``dbf`` package would give floats, and reads
an overflowed ``****`` numeric as 0); an impossible date or an overflowed number becomes
``None`` plus a ``BadValue`` naming the record, never an exception.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import dbf
from dbf.constants import END, START

from app.domain.pan import redact_card_numbers
from app.errors import PaysageError

# Header byte 0 → what wrote the table (the bridge doc, §1.2 and §1.6).
TABLE_VERSIONS = {
    0x02: "FoxBASE",
    0x03: "FoxPro 2.x / dBase III (no memo)",
    0x30: "Visual FoxPro",
    0x31: "Visual FoxPro (autoincrement)",
    0x83: "dBase III with memo",
    0xF5: "FoxPro 2.x with memo",
}
# Header byte 29 → code page; 0 means the table does not say (the site setting applies).
CODE_PAGE_MARKS = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x04: "mac_roman",
    0x64: "cp852",
    0x65: "cp866",
    0x66: "cp865",
    0x67: "cp861",
    0x78: "cp950",
    0x7A: "cp936",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCB: "cp1253",
    0xCA: "cp1254",
}
_DECODED_HERE = frozenset("NFYD")  # the rest is decoded by the dbf package


class TableReadError(PaysageError):
    """A table that cannot be opened at all (not a DBF, unsupported version, unreadable)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str  # upper case, as stored in the header
    type: str
    width: int
    decimals: int


@dataclass(frozen=True)
class TableHeader:
    path: Path
    version: int
    code_page_mark: int
    code_page: str  # the one used to decode text
    last_update: date | None
    record_count: int
    has_structural_cdx: bool
    fields: tuple[FieldSpec, ...]

    @property
    def version_name(self) -> str:
        return TABLE_VERSIONS.get(self.version, "unknown")

    def field(self, name: str) -> FieldSpec | None:
        """The field called ``name``, matched without regard to case."""
        wanted = name.upper()
        return next((spec for spec in self.fields if spec.name == wanted), None)


@dataclass(frozen=True)
class BadValue:
    record: int  # 1-based, as FoxPro's RECNO()
    field: str
    raw: str
    problem: str


@dataclass(frozen=True)
class Row:
    """One live record; values by upper-case field name. Text keeps its padding."""

    record: int
    values: dict[str, Any]

    def raw_text(self, name: str) -> str:
        value = self.values.get(name.upper())
        return value if isinstance(value, str) else ""

    def text(self, name: str) -> str:
        return self.raw_text(name).strip()

    def money(self, name: str) -> Decimal:
        """Money to the cent; a blank or unreadable number counts as zero."""
        value = self.values.get(name.upper())
        return (value if isinstance(value, Decimal) else Decimal(0)).quantize(Decimal("0.01"))

    def day(self, name: str) -> date | None:
        value = self.values.get(name.upper())
        return value if isinstance(value, date) else None

    def flag(self, name: str) -> bool:
        value = self.values.get(name.upper())
        if isinstance(value, str):  # some releases keep flags as C(1) "Y"/"T"
            return value.strip().upper() in ("Y", "T")
        return bool(value)


@dataclass
class TableRead:
    header: TableHeader
    rows: list[Row] = field(default_factory=list)
    deleted: int = 0
    bad_values: list[BadValue] = field(default_factory=list)
    _bad_by_record: dict[int, list[BadValue]] | None = field(default=None, repr=False)

    def bad_in(self, record: int) -> list[BadValue]:
        """The bad values of one record (indexed once: a table may hold thousands)."""
        if self._bad_by_record is None:
            index: dict[int, list[BadValue]] = {}
            for bad in self.bad_values:
                index.setdefault(bad.record, []).append(bad)
            self._bad_by_record = index
        return self._bad_by_record.get(record, [])


def read_header(path: Path, site_code_page: str = "cp1252") -> TableHeader:
    """The header alone: cheap, for the survey and the change check."""
    try:
        with path.open("rb") as handle:
            head = handle.read(32)
    except OSError as exc:
        raise TableReadError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(head) < 32:
        raise TableReadError(f"{path}: too short to be a FoxPro table")
    version, yy, mm, dd, count = struct.unpack("<BBBBI", head[:8])
    table = _open(path, site_code_page, head[29])
    try:
        fields = tuple(_field_spec(table, name) for name in table.field_names)
    finally:
        table.close()
    return TableHeader(
        path=path,
        version=version,
        code_page_mark=head[29],
        code_page=CODE_PAGE_MARKS.get(head[29], site_code_page),
        last_update=_header_date(yy, mm, dd),
        record_count=count,
        has_structural_cdx=bool(head[28] & 0x01),
        fields=fields,
    )


def read_table(path: Path, site_code_page: str = "cp1252") -> TableRead:
    """Every live row of the table; deleted rows counted and skipped."""
    header = read_header(path, site_code_page)
    result = TableRead(header)
    table = _open(path, site_code_page, header.code_page_mark)
    try:
        names = [spec.name for spec in header.fields if spec.type != "0"]  # 0 = _NullFlags
        types = {spec.name: spec.type for spec in header.fields}
        meta = table._meta  # raw bytes per field: the dbf package is pinned (0.99.11)
        complete = _complete_records(path, header.record_count)
        for index in range(complete):
            record = table[index]
            recno = index + 1
            if dbf.is_deleted(record):
                result.deleted += 1
                continue
            raw_record = bytes(record._data)
            values: dict[str, Any] = {}
            for name in names:
                spec = meta[name]
                raw = raw_record[spec[START] : spec[END]]
                values[name] = _decode(record, name, types[name], raw, recno, result.bad_values)
            result.rows.append(Row(recno, values))
        if complete < header.record_count:
            # Sage Pro appending right now, or a file cut short: the rest is read next time.
            problem = "the record is not complete in the file (being written, or torn)"
            result.bad_values.append(BadValue(complete + 1, "", "", problem))
    except (dbf.DbfError, OSError, struct.error) as exc:
        raise TableReadError(f"{path}: stopped reading ({exc})") from None
    finally:
        table.close()
    return result


def _complete_records(path: Path, declared: int) -> int:
    """How many of the header's records are wholly in the file."""
    with path.open("rb") as handle:
        head = handle.read(12)
        size = handle.seek(0, 2)
    header_length, record_length = struct.unpack("<HH", head[8:12])
    if record_length == 0:
        return 0
    return min(declared, max(0, size - header_length) // record_length)


def _open(path: Path, site_code_page: str, mark: int) -> dbf.Table:
    # A table without a code-page mark is read with the site's code page (dbf would say ASCII).
    code_page = site_code_page if mark == 0 or mark not in CODE_PAGE_MARKS else None
    try:
        table = dbf.Table(str(path), codepage=code_page) if code_page else dbf.Table(str(path))
        table.open(dbf.READ_ONLY)
    except (dbf.DbfError, OSError, ValueError, LookupError) as exc:
        raise TableReadError(f"{path}: cannot be opened as a FoxPro table ({exc})") from None
    return table


def _field_spec(table: dbf.Table, name: str) -> FieldSpec:
    info = table.field_info(name)
    return FieldSpec(name.upper(), chr(info.field_type), info.length, info.decimal)


def _header_date(yy: int, mm: int, dd: int) -> date | None:
    # FoxPro writes years since 1900 (126 = 2026); many writers, Sage Pro's included
    # (TMX: 19 = 2019), write the year modulo 100.
    year = 1900 + yy if yy >= 100 else (2000 + yy if yy < 80 else 1900 + yy)
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def _decode(record: Any, name: str, kind: str, raw: bytes, recno: int, bad: list[BadValue]) -> Any:
    if kind in ("N", "F"):
        return _number(raw, name, recno, bad)
    if kind == "Y":  # currency: 8-byte integer of ten-thousandths
        return Decimal(int.from_bytes(raw, "little", signed=True)).scaleb(-4)
    if kind == "D":
        return _day(raw, name, recno, bad)
    try:
        return record[name]
    except (ValueError, TypeError, ArithmeticError, dbf.DbfError) as exc:
        bad.append(BadValue(recno, name, _shown(raw), f"cannot be read ({exc})"))
        return None


def _number(raw: bytes, name: str, recno: int, bad: list[BadValue]) -> Decimal | None:
    text = raw.replace(b"\x00", b" ").strip()
    if not text:
        return None
    if text.startswith(b"*"):
        bad.append(BadValue(recno, name, _shown(raw), "number too large for its field (****)"))
        return None
    try:
        return Decimal(text.decode("ascii"))
    except (InvalidOperation, UnicodeDecodeError):
        bad.append(BadValue(recno, name, _shown(raw), "not a number"))
        return None


def _day(raw: bytes, name: str, recno: int, bad: list[BadValue]) -> date | None:
    text = raw.replace(b"\x00", b" ").strip()
    if not text:
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        bad.append(BadValue(recno, name, _shown(raw), "not a real date"))
        return None


def _shown(raw: bytes) -> str:
    # A report may be pasted into a ticket: a card number in a wide field never leaves here.
    return redact_card_numbers(raw.decode("latin-1").strip())
