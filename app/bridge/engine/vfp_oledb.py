"""``VfpOleDbEngine``: the ``Engine`` protocol over the Visual FoxPro OLE DB provider,
through ``adodbapi`` (pywin32) in a 32-bit Python on Windows.

A thin shim: every statement comes from ``vfp_sql`` (golden-tested); this class only opens
the connection, runs them and maps provider errors. ``adodbapi`` is imported when the
engine is opened, so the bridge imports cleanly on Linux and answers a plain error there.

Locks: the provider takes FoxPro's record and table locks itself around each INSERT,
UPDATE and DELETE, waiting ``SET REPROCESS`` attempts. Whether it runs an explicit
RLOCK/FLOCK is unverified (bridge doc §1.7), so ``lock_record``/``lock_file`` only check the
table is open; the counter increment stays safe because it is a compare-and-set UPDATE.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.bridge.dbf_table import Row
from app.bridge.engine import vfp_sql
from app.bridge.engine.protocol import EngineError, EngineUnavailableError, RecordInUseError

# VFP error numbers seen through the provider's message text ("Record is in use by another").
_IN_USE_TEXT = ("in use by another", "file is in use", "record is not locked")


def require_vfp_platform() -> Any:
    """The ``adodbapi`` module, or ``EngineUnavailableError`` saying what this computer lacks."""
    if sys.platform != "win32":
        raise EngineUnavailableError(
            "writing to Sage Pro needs the Visual FoxPro OLE DB provider, which runs only on "
            f"Windows; this computer runs {sys.platform}"
        )
    if struct.calcsize("P") != 4:
        raise EngineUnavailableError(
            "the Visual FoxPro OLE DB provider is 32-bit only: run the bridge's 32-bit build"
        )
    try:
        import adodbapi  # pywin32, Windows only
    except ImportError:
        raise EngineUnavailableError(
            "pywin32 (adodbapi) is not installed in this Python; the bridge's 32-bit build "
            "includes it"
        ) from None
    return adodbapi


class VfpOleDbEngine:
    def __init__(self, data_folder: Path, tables: Mapping[str, Path], reprocess: int = 10):
        self._tables = {name.upper(): path for name, path in tables.items()}
        self._opened: set[str] = set()
        adodbapi = require_vfp_platform()
        self._errors: tuple[type[BaseException], ...] = (adodbapi.Error,)
        try:
            self._connection = adodbapi.connect(vfp_sql.connection_string(str(data_folder)))
        except self._errors as exc:
            raise EngineUnavailableError(
                f"the Visual FoxPro OLE DB provider did not open: {exc}"
            ) from None
        for statement in vfp_sql.session_setup(reprocess):
            self._run(statement)

    def open_shared(self, table: str) -> None:
        self._path(table)  # the provider opens tables shared per statement (Exclusive=No)
        self._opened.add(table.upper())

    def seek(self, table: str, tag: str, key: str) -> list[Row]:
        return self._rows(vfp_sql.select_by_tag(self._path(table), tag, key))

    def all_rows(self, table: str) -> list[Row]:
        """Every live row as the engine sees it (acceptance: parity with the reader)."""
        return self._rows(vfp_sql.select_all(self._path(table)))

    def _rows(self, statement: vfp_sql.Statement) -> list[Row]:
        cursor = self._run(statement)
        names = [column[0].upper() for column in cursor.description]
        rows = []
        for raw in cursor.fetchall():
            values = {name: _plain(value) for name, value in zip(names, raw, strict=True)}
            recno = int(values.pop(vfp_sql.RECNO_COLUMN.upper()))
            rows.append(Row(recno, values))
        return rows

    def append(self, table: str, values: Mapping[str, Any]) -> None:
        self._run(vfp_sql.insert(self._path(table), values))

    def replace(self, table: str, where: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        return int(self._run(vfp_sql.update(self._path(table), where, values)).rowcount)

    def delete(self, table: str, where: Mapping[str, Any]) -> int:
        return int(self._run(vfp_sql.delete(self._path(table), where)).rowcount)

    def lock_record(self, table: str, where: Mapping[str, Any]) -> None:
        self._path(table)  # automatic locking per statement; see the module docstring

    def lock_file(self, table: str) -> None:
        self._path(table)

    def unlock(self, table: str) -> None:
        self._path(table)

    def close(self) -> None:
        self._opened.clear()
        self._connection.close()

    def _path(self, table: str) -> str:
        path = self._tables.get(table.upper())
        if path is None:
            raise EngineError(f"the bridge has no {table} table for this company")
        return str(path)

    def _run(self, statement: vfp_sql.Statement) -> Any:
        text, params = statement
        cursor = self._connection.cursor()
        try:
            cursor.execute(text, params)
            self._connection.commit()
        except self._errors as exc:
            message = str(exc)
            if any(part in message.lower() for part in _IN_USE_TEXT):
                raise RecordInUseError(f"a Sage Pro record is in use: {message}") from None
            raise EngineError(f"the FoxPro engine refused {text.split()[0]}: {message}") from None
        return cursor


def _plain(value: Any) -> Any:
    """Provider values as the reader gives them: datetimes of D fields as dates, money as
    Decimal (adodbapi gives currency as Decimal already)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float):
        return Decimal(repr(value))
    return value
