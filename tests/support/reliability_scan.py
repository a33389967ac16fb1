"""Scanning whatever the app left on disk — database, WAL, logs, exports, settings, crash
reports — for card numbers and secrets, in every encoding a leak could take.

Each file is read as raw bytes and decoded leniently as UTF-8 and as UTF-16 (both byte
orders, both alignments); zip containers (.xlsx) are opened and their parts scanned too.
Card numbers are found two ways: the test cards planted by the suite by their digits
wherever they appear in the raw bytes (so neither a blind spot of the detector nor a free
page can hide one), and any card number by the app's detector (Luhn + brand prefix).

SQLite files are the one exception for the detector: a record stores its values side by
side with no separator, so on raw pages the digits of two neighbouring values ("PO-46501"
then "2025-02-06") read as one number often enough to pass Luhn and a brand prefix. There
the detector runs on every stored value (read through SQLite, which includes the WAL), and
the raw pages get the planted-digits scan.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.domain.pan import find_card_numbers
from tests.support.reliability_payloads import planted_card_numbers


def decodings(data: bytes) -> Iterator[tuple[str, str]]:
    yield "utf-8", data.decode("utf-8", errors="replace")
    for offset in (0, 1):
        yield f"utf-16-le+{offset}", data[offset:].decode("utf-16-le", errors="ignore")
        yield f"utf-16-be+{offset}", data[offset:].decode("utf-16-be", errors="ignore")


def _parts(path: Path) -> Iterator[tuple[str, bytes]]:
    data = path.read_bytes()
    yield str(path), data
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                yield f"{path}!{name}", archive.read(name)


def files_under(*folders: Path) -> list[Path]:
    return sorted(
        p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()
    )


@dataclass(frozen=True)
class Hit:
    where: str
    encoding: str
    found: str

    def __str__(self) -> str:  # never print the value itself
        return f"{self.where} [{self.encoding}]: {self.found[:6]}…{self.found[-4:]}"


SQLITE_SUFFIXES = (".db", ".db-wal", ".db-shm", ".db-journal", ".sqlite")


def is_sqlite_file(path: Path) -> bool:
    return path.name.endswith(SQLITE_SUFFIXES)


def stored_values(db_path: Path) -> Iterator[tuple[str, str]]:
    """Every value of every table, as text, one by one (read-only; sees the WAL)."""
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                for name, value in zip(names, row, strict=True):
                    if value is None:
                        continue
                    text = (
                        value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    )
                    yield f"{db_path.name}:{table}.{name}", text
    finally:
        connection.close()


def card_number_hits(files: Iterable[Path], texts: Iterable[tuple[str, str]] = ()) -> list[Hit]:
    hits: list[Hit] = []

    def scan(where: str, encoding: str, text: str, *, detector: bool = True) -> None:
        found = set(planted_card_numbers(text))
        if detector:
            found.update(find_card_numbers(text))
        hits.extend(Hit(where, encoding, number) for number in found)

    for path in files:
        raw_detector = not is_sqlite_file(path)
        for where, data in _parts(path):
            for encoding, text in decodings(data):
                scan(where, encoding, text, detector=raw_detector)
        if path.name.endswith((".db", ".sqlite")):
            for where, text in stored_values(path):
                scan(where, "value", text)
    for where, text in texts:
        scan(where, "text", text)
    return hits


def secret_hits(
    files: Iterable[Path], secrets: Iterable[str], texts: Iterable[tuple[str, str]] = ()
) -> list[Hit]:
    wanted = [s for s in secrets if s]
    hits: list[Hit] = []
    for path in files:
        for where, data in _parts(path):
            for encoding, text in decodings(data):
                hits.extend(Hit(where, encoding, s) for s in wanted if s in text)
    for where, text in texts:
        hits.extend(Hit(where, "text", s) for s in wanted if s in text)
    return hits
