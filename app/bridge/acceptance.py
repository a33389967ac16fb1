"""``paysage bridge check``: the on-site acceptance of ``docs/sage-pro-acceptance.md``, every
step a program can do, on a copy of a real company. Read-only except through the engine
the caller passes (none by default).

Each step ends ``passed``, ``failed``, ``skipped`` (it needs something not here, said
which) or ``manual`` (a person does it in Sage Pro; the text says what).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.bridge import layout as layouts
from app.bridge.counters import CounterError, gl_counters
from app.bridge.dbf_table import Row, TableHeader, TableReadError, read_table
from app.bridge.discovery import CompanyFolder, DiscoveryError, PathMap, discover
from app.bridge.intent_log import WRITTEN, JournalIntentLog
from app.bridge.journal_rows import REQUIRED_FIELDS
from app.bridge.tokens import MIN_TOKEN_WIDTH

PASSED, FAILED, SKIPPED, MANUAL = "passed", "failed", "skipped", "manual"
TOKEN_FIELDS = (("GLBTCH", "BREF"), ("GLHUNP", "GLREFR"), ("ARCASH", "REFNO"))


class RowSource(Protocol):
    """What the parity step needs from an engine: every live row of a table."""

    def all_rows(self, table: str) -> list[Row]: ...


@dataclass(frozen=True)
class Step:
    title: str
    outcome: str
    detail: str


def run_checks(
    data_folder: Path,
    company: str = "01",
    path_maps: tuple[PathMap, ...] = (),
    code_page: str = "cp1252",
    journal_log: Path | None = None,
    open_engine: Callable[[CompanyFolder], RowSource] | None = None,
) -> list[Step]:
    try:
        found = discover(data_folder, company, path_maps, code_page)
    except DiscoveryError as exc:
        return [Step("Survey the company", FAILED, str(exc))]
    headers: dict[str, TableHeader] = {}
    failures: list[str] = []
    notes: list[str] = []  # unreadable values: the reads leave those records out, loudly
    for base, path in sorted(found.tables.items()):
        try:
            read = read_table(path, code_page)
        except TableReadError as exc:
            failures.append(f"{base}: {exc}")
            continue
        headers[base] = read.header
        if read.bad_values:
            notes.append(f"{base}: {len(read.bad_values)} unreadable value(s)")
    steps = [
        Step(
            "Survey the company",
            FAILED if failures else PASSED,
            f"{len(headers)} tables read" + "".join(f"; {n}" for n in failures + notes),
        ),
        _layout_step(found.company, headers),
        _journal_tables_step(headers),
        _counters_step(found, code_page),
        _parity_step(found, code_page, open_engine),
        _journals_step(found, code_page, journal_log),
        Step(
            "Sage Pro's own checks",
            MANUAL,
            "post the bridge's batches in Sage Pro's GL; run Sage Pro's reindex and data check "
            "on GLBTCH, GLHUNP, GLDUNP and SYSDATA (VALIDATE DATABASE where a DBC is used); "
            "close a period; then run this check again (the tokens must still be found); "
            "enter one worklist receipt with its token and see it become Entered",
        ),
    ]
    return steps


def _layout_step(company: str, headers: dict[str, TableHeader]) -> Step:
    proposed, gaps = layouts.propose(company, headers)
    try:
        layouts.check(proposed, headers)
    except layouts.LayoutError as exc:
        return Step("Layout", FAILED, str(exc))
    detail = "the proposed layout fits" + (f"; not found: {', '.join(gaps)}" if gaps else "")
    return Step("Layout", PASSED, detail)


def _journal_tables_step(headers: dict[str, TableHeader]) -> Step:
    problems = []
    for table, fields in REQUIRED_FIELDS.items():
        header = headers.get(table)
        if header is None:
            problems.append(f"no {table} table")
            continue
        problems += [f"{table} has no {f}" for f in fields if header.field(f) is None]
    widths = []
    for table, field in TOKEN_FIELDS:
        spec = headers[table].field(field) if table in headers else None
        if spec is None:
            continue
        widths.append(f"{table}.{field} C({spec.width})")
        if spec.width < MIN_TOKEN_WIDTH:
            problems.append(
                f"{table}.{field} is {spec.width} wide; a token needs {MIN_TOKEN_WIDTH}"
            )
    title = "GL batch tables and token fields"
    if problems:
        return Step(title, FAILED, "; ".join(problems))
    return Step(title, PASSED, ", ".join(widths))


def _counters_step(found: CompanyFolder, code_page: str) -> Step:
    path = found.table("SYSDATA")
    if path is None:
        return Step("SYSDATA counters", FAILED, "no SYSDATA table (one-folder companies: copy it)")
    try:
        batch, sequence = gl_counters(read_table(path, code_page).rows, found.company)
    except (CounterError, TableReadError) as exc:
        return Step("SYSDATA counters", FAILED, str(exc))
    return Step("SYSDATA counters", PASSED, f"next batch {batch}, next sequence {sequence}")


def _parity_step(
    found: CompanyFolder,
    code_page: str,
    open_engine: Callable[[CompanyFolder], RowSource] | None,
) -> Step:
    title = "Reader parity with the FoxPro engine"
    if open_engine is None:
        return Step(title, SKIPPED, "needs the bridge's 32-bit Windows build with VFPOLEDB")
    engine = open_engine(found)
    differences = []
    for base, path in sorted(found.tables.items()):
        ours = {row.record: _canonical(row) for row in read_table(path, code_page).rows}
        theirs = {row.record: _canonical(row) for row in engine.all_rows(base)}
        if ours != theirs:
            differ = sorted(set(ours) ^ set(theirs)) or sorted(
                n for n in ours if ours[n] != theirs.get(n)
            )
            differences.append(f"{base}: records {differ[:10]} differ")
    if differences:
        return Step(title, FAILED, "; ".join(differences))
    return Step(title, PASSED, f"{len(found.tables)} tables read alike")


def _canonical(row: Row) -> dict[str, str]:
    return {
        name: (value.strip() if isinstance(value, str) else str(value))
        for name, value in row.values.items()
        if value not in (None, "") and not (isinstance(value, str) and not value.strip())
    }


def _journals_step(found: CompanyFolder, code_page: str, journal_log: Path | None) -> Step:
    title = "Journal tokens found in Sage Pro"
    if journal_log is None or not journal_log.exists():
        return Step(title, SKIPPED, "post three journals through the bridge first")
    log = JournalIntentLog(journal_log)
    try:
        written = [i for i in log.all() if i.state == WRITTEN]
    finally:
        log.close()
    path = found.table("GLBTCH")
    batches = {
        row.text("BREF").upper(): row for row in (read_table(path, code_page).rows if path else [])
    }
    lines, missing = [], []
    for intent in written:
        batch = batches.get(intent.token.upper())
        if batch is None:
            missing.append(intent.reference)
            continue
        posted = batch.text("BSTAT").upper() not in ("", "U") or batch.day("PSTDATE") is not None
        state = "posted" if posted else "unposted"
        lines.append(f"{intent.reference} → batch {batch.text('BATCHNO')} ({state})")
    if not written:
        return Step(title, SKIPPED, "the bridge has written no journal yet")
    if missing:
        return Step(title, FAILED, "missing from GLBTCH: " + ", ".join(missing))
    return Step(title, PASSED, "; ".join(lines))
