"""``FixtureEngine``: the ``Engine`` protocol over fixture tables, for tests only.

The only place Python writes a Sage Pro-shaped table: bytes into the record area as FoxPro
lays them out, then the structural CDX rebuilt from its own tag expressions (dbflib), and
``assert_cdx_fresh`` after every write, so a stale index fails the test that caused it.
It also plays the hostile world: "record in use" conflicts a given number of times per
table, and a crash (``SimulatedCrash``) right after the n-th operation.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import dbflib

from app.bridge.dbf_table import Row, read_table
from app.bridge.engine.protocol import EngineError, RecordInUseError


class SimulatedCrash(Exception):  # noqa: N818 - it stands for the process dying
    """The bridge process died here (power cut, killed): nothing after it ran."""


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str
    at: int  # offset in the record (byte 0 is the deleted flag)
    width: int
    decimals: int


class FixtureEngine:
    def __init__(
        self,
        tables: Mapping[str, Path],
        *,
        code_page: str = "cp1252",
        crash_after: int | None = None,
        in_use: Mapping[str, int] | None = None,
        operations: list[str] | None = None,
    ) -> None:
        self.tables = {name.upper(): path for name, path in tables.items()}
        self.code_page = code_page
        self.crash_after = crash_after
        self.in_use = {name.upper(): count for name, count in (in_use or {}).items()}
        # "append GLDUNP" …, in order; engines opened one after another may share the list,
        # so ``crash_after`` counts across a whole post
        self.operations: list[str] = operations if operations is not None else []
        self.locks: set[str] = set()
        self.crashed = False  # a dead process does nothing more, not even its finally blocks

    # --- the protocol ------------------------------------------------------------------

    def open_shared(self, table: str) -> None:
        self._alive()
        self._path(table)
        self._done(f"open {table}")

    def seek(self, table: str, tag: str, key: str) -> list[Row]:
        self._alive()
        wanted = key.strip().upper()
        found = [r for r in self._rows(table) if _text(r.values.get(tag.upper())).upper() == wanted]
        self._done(f"seek {table}.{tag}")
        return found

    def all_rows(self, table: str) -> list[Row]:
        self._alive()
        return self._rows(table)

    def append(self, table: str, values: Mapping[str, Any]) -> None:
        self._conflict(table)
        path = self._path(table)
        header_length, record_length, count, fields = _layout(path)
        record = bytearray(b" " + b"\0" * (record_length - 1))
        given = {name.upper(): value for name, value in values.items()}
        unknown = set(given) - {f.name for f in fields}
        if unknown:
            raise EngineError(f"{table} has no field(s) {sorted(unknown)}")
        for spec in fields:
            encoded = _encode(spec, given.get(spec.name), self.code_page)
            record[spec.at : spec.at + spec.width] = encoded
        with path.open("r+b") as handle:
            handle.seek(header_length + count * record_length)
            handle.write(bytes(record) + b"\x1a")
            handle.truncate()
            handle.seek(4)
            handle.write(struct.pack("<I", count + 1))
            _stamp(handle)
        self._refresh(path)
        self._done(f"append {table}")

    def replace(self, table: str, where: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        self._conflict(table)
        path = self._path(table)
        header_length, record_length, _count, fields = _layout(path)
        by_name = {f.name: f for f in fields}
        changed = 0
        with path.open("r+b") as handle:
            for row in self._matching(table, where):
                for name, value in values.items():
                    spec = by_name[name.upper()]
                    handle.seek(header_length + (row.record - 1) * record_length + spec.at)
                    handle.write(_encode(spec, value, self.code_page))
                changed += 1
            _stamp(handle)
        self._refresh(path)
        self._done(f"replace {table}")
        return changed

    def delete(self, table: str, where: Mapping[str, Any]) -> int:
        self._conflict(table)
        path = self._path(table)
        header_length, record_length, _count, _fields = _layout(path)
        rows = self._matching(table, where)
        with path.open("r+b") as handle:
            for row in rows:
                handle.seek(header_length + (row.record - 1) * record_length)
                handle.write(b"*")
        self._refresh(path)
        self._done(f"delete {table}")
        return len(rows)

    def lock_record(self, table: str, where: Mapping[str, Any]) -> None:
        self._conflict(table)
        self.locks.add(table.upper())
        self._done(f"lock {table}")

    def lock_file(self, table: str) -> None:
        self.lock_record(table, {})

    def unlock(self, table: str) -> None:
        self._alive()
        self.locks.discard(table.upper())
        self._done(f"unlock {table}")

    def close(self) -> None:
        self.locks.clear()

    # --- helpers -----------------------------------------------------------------------

    def _path(self, table: str) -> Path:
        path = self.tables.get(table.upper())
        if path is None:
            raise EngineError(f"no {table} table in this fixture")
        return path

    def _rows(self, table: str) -> list[Row]:
        return read_table(self._path(table), self.code_page).rows

    def _matching(self, table: str, where: Mapping[str, Any]) -> list[Row]:
        def matches(row: Row) -> bool:
            for name, value in where.items():
                have = row.values.get(name.upper())
                if isinstance(value, str):
                    if _text(have) != value.strip():
                        return False
                elif have != value:
                    return False
            return True

        return [row for row in self._rows(table) if matches(row)]

    def _alive(self) -> None:
        if self.crashed:
            raise SimulatedCrash("the process is gone")

    def _conflict(self, table: str) -> None:
        self._alive()
        left = self.in_use.get(table.upper(), 0)
        if left:
            self.in_use[table.upper()] = left - 1
            raise RecordInUseError(f"Record is in use by another ({table})")

    def _done(self, operation: str) -> None:
        self.operations.append(operation)
        if self.crash_after is not None and len(self.operations) == self.crash_after:
            self.crashed = True
            raise SimulatedCrash(f"crashed after operation {len(self.operations)}: {operation}")

    def _refresh(self, path: Path) -> None:
        if dbflib.structural_cdx_path(str(path)):
            dbflib.refresh_cdx(str(path))
            assert_cdx_fresh(path)


def assert_cdx_fresh(dbf_path: Path) -> None:
    """The table's CDX holds exactly the keys a rebuild from its own tag expressions gives
    (bridge doc §5.1); a stale index, as the ``dbf`` package leaves one, fails here."""
    cdx = dbflib.structural_cdx_path(str(dbf_path))
    if cdx is None:
        return
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / dbf_path.name
        shutil.copy(dbf_path, copy)
        shutil.copy(cdx, Path(scratch) / Path(cdx).name)
        rebuilt = dbflib.refresh_cdx(str(copy))
        assert rebuilt is not None
        expected = {tag: info["entries"] for tag, info in dbflib.read_cdx(rebuilt)[0].items()}
    actual = {tag: info["entries"] for tag, info in dbflib.read_cdx(cdx)[0].items()}
    assert actual == expected, f"{dbf_path.name}: the CDX does not match the table"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _layout(path: Path) -> tuple[int, int, int, list[_Field]]:
    data = path.read_bytes()
    count, header_length, record_length = struct.unpack("<IHH", data[4:12])
    fields, position, at = [], 32, 1
    while data[position] != 0x0D:
        raw = data[position : position + 32]
        name = raw[:11].split(b"\0")[0].decode("ascii").upper()
        fields.append(_Field(name, chr(raw[11]), at, raw[16], raw[17]))
        at += raw[16]
        position += 32
    return header_length, record_length, count, fields


def _stamp(handle: Any) -> None:
    today = date.today()
    handle.seek(1)
    handle.write(bytes([today.year - 1900, today.month, today.day]))


def _encode(spec: _Field, value: Any, code_page: str) -> bytes:
    """One field's bytes as FoxPro stores it; a value that does not fit is an error (a real
    engine would refuse or cut it; the writer must check widths first)."""
    kind, width = spec.kind, spec.width
    if kind == "C":
        raw = ("" if value is None else str(value)).encode(code_page)
        if len(raw) > width:
            raise EngineError(f"{spec.name} is {width} wide; {value!r} does not fit")
        return raw.ljust(width)
    if kind in ("N", "F"):
        if value is None:
            return b" " * width
        if isinstance(value, float):
            raise EngineError(f"{spec.name}: float money {value!r}")
        text = f"{Decimal(value):.{spec.decimals}f}".rjust(width)
        if len(text) > width:
            raise EngineError(f"{spec.name} is N({width},{spec.decimals}); {value} overflows")
        return text.encode("ascii")
    if kind == "Y":
        return int(Decimal(value or 0).scaleb(4)).to_bytes(8, "little", signed=True)
    if kind == "D":
        return value.strftime("%Y%m%d").encode("ascii") if value else b" " * 8
    if kind == "L":
        return b" " if value is None else (b"T" if value else b"F")
    if kind == "I":
        return int(value or 0).to_bytes(4, "little", signed=True)
    if value is None:
        return b"\0" * width if kind in ("M", "T", "B", "0", "G") else b" " * width
    raise EngineError(f"{spec.name}: the fixture engine does not write {kind} fields")
