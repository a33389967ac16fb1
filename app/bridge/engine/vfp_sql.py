"""The SQL text and parameters ``VfpOleDbEngine`` sends to the VFP OLE DB provider, built
by pure functions so golden tests pin them on any OS.

Rules kept here: tables are named by their full path in double quotes (the GL, system and
AR tables live in different folders); field names are checked to be plain FoxPro names
(never spliced from input); every value travels as a ``?`` parameter. Text compares
trimmed (``ALLTRIM(f) == ?``: ``==`` is exact, where ``=`` would match a prefix under
``SET ANSI OFF``); a seek also ignores case, because users type references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

Statement = tuple[str, tuple[Any, ...]]

RECNO_COLUMN = "paysage_rn"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,9}$")  # FoxPro free-table field names: ≤ 10


class SqlBuildError(ValueError):
    """A name or value that must never reach the engine."""


def connection_string(folder: str) -> str:
    """VFPOLEDB on the Sage Pro share: shared, machine collation (the tags' own), deleted
    rows hidden; the options seen in connection strings in the wild (bridge doc §1.7)."""
    if ";" in folder or '"' in folder:
        raise SqlBuildError(f"a data folder path cannot contain ';' or '\"': {folder}")
    return (
        f"Provider=VFPOLEDB.1;Data Source={folder};Collating Sequence=machine;"
        "Exclusive=No;Deleted=Yes;Mode=ReadWrite|Share Deny None"
    )


def session_setup(reprocess_attempts: int) -> list[Statement]:
    """Bounded waits on locks held by Sage Pro users, then an error we map to
    ``RecordInUseError`` (never an endless wait inside the provider)."""
    return [
        ("SET EXCLUSIVE OFF", ()),
        ("SET DELETED ON", ()),
        (f"SET REPROCESS TO {int(reprocess_attempts)}", ()),
        ("SET MULTILOCKS ON", ()),
    ]


def select_by_tag(path: str, tag: str, key: str) -> Statement:
    return (
        f"SELECT RECNO() AS {RECNO_COLUMN}, * FROM {_table(path)} "
        f"WHERE UPPER(ALLTRIM({_name(tag)})) == ?",
        (key.strip().upper(),),
    )


def select_all(path: str) -> Statement:
    """Every live row, for the acceptance's reader parity check."""
    return (f"SELECT RECNO() AS {RECNO_COLUMN}, * FROM {_table(path)}", ())


def insert(path: str, values: Mapping[str, Any]) -> Statement:
    if not values:
        raise SqlBuildError("an INSERT needs at least one field")
    names = ", ".join(_name(n) for n in values)
    marks = ", ".join("?" for _ in values)
    return (
        f"INSERT INTO {_table(path)} ({names}) VALUES ({marks})",
        tuple(_param(v) for v in values.values()),
    )


def update(path: str, where: Mapping[str, Any], values: Mapping[str, Any]) -> Statement:
    if not values:
        raise SqlBuildError("an UPDATE needs at least one field to set")
    sets = ", ".join(f"{_name(n)} = ?" for n in values)
    condition, condition_params = _where(where)
    return (
        f"UPDATE {_table(path)} SET {sets} WHERE {condition}",
        tuple(_param(v) for v in values.values()) + condition_params,
    )


def delete(path: str, where: Mapping[str, Any]) -> Statement:
    condition, params = _where(where)
    return (f"DELETE FROM {_table(path)} WHERE {condition}", params)


def _where(where: Mapping[str, Any]) -> Statement:
    if not where:  # an unconditional UPDATE/DELETE on a Sage Pro table is never meant
        raise SqlBuildError("a WHERE with at least one field is required")
    parts, params = [], []
    for name, value in where.items():
        if isinstance(value, str):
            parts.append(f"ALLTRIM({_name(name)}) == ?")
            params.append(value.strip())
        else:
            parts.append(f"{_name(name)} = ?")
            params.append(_param(value))
    return " AND ".join(parts), tuple(params)


def _table(path: str) -> str:
    if '"' in path or not path.strip():
        raise SqlBuildError(f"not a usable table path: {path!r}")
    return f'"{path}"'


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise SqlBuildError(f"not a FoxPro field name: {name!r}")
    return name.lower()


def _param(value: Any) -> Any:
    if isinstance(value, float):  # money is exact: a float here is a bug upstream
        raise SqlBuildError(f"float value {value!r}: pass Decimal")
    if value is None or isinstance(value, str | Decimal | date | bool | int):
        return value
    raise SqlBuildError(f"unsupported parameter type {type(value).__name__}")
