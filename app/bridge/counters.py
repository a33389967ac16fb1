"""Batch and sequence numbers from SYSDATA's GL row, the way Aria's SBT link took them
(bridge doc §1.2, VERIFIED: ``lfGetGlBt``, ``lfGetGlTr``).

``LEFT(STR9,6)`` is the next batch number (0 counts as 1); numbers already in GLBTCH are
skipped; 999999 rolls over to 000001; ``SUBSTR(STR9,7,4)`` is kept. ``SUBSTR(STR10,5,6)`` is
the next GL sequence number with the same rollover, ``LEFT(STR10,4)`` kept. The row is
locked around each increment, and the write-back is a compare-and-set on the old value, so
a Sage Pro user who moved the counter meanwhile makes us read it again instead of handing
out a number twice.
"""

from __future__ import annotations

from collections.abc import Callable

from app.bridge.dbf_table import Row
from app.bridge.engine.protocol import Engine, EngineError, with_lock_retries

LAST_NUMBER = 999999
CAS_ATTEMPTS = 5


class CounterError(EngineError):
    """The counters cannot be read or moved; the message says what to check in Sage Pro."""


def next_after(number: int) -> int:
    return 1 if number >= LAST_NUMBER else number + 1


def _number(text: str) -> int:
    digits = text.strip()
    if digits and not digits.isdigit():
        raise CounterError(f"the SYSDATA counter {text!r} is not a number")
    return int(digits or 0) or 1  # 0 (or blank) counts as 1


def take_batch_number(engine: Engine, company: str, in_use: Callable[[str], bool]) -> str:
    """The next free batch number (six digits), counter moved past it."""

    def pick(str9: str) -> tuple[str, str]:
        number = _number(str9[:6])
        for _ in range(LAST_NUMBER):
            if not in_use(f"{number:06d}"):
                return f"{number:06d}", f"{next_after(number):06d}" + str9[6:10]
            number = next_after(number)
        raise CounterError("every GL batch number 000001-999999 is in use")

    return _take(engine, company, "STR9", pick)


def take_sequence_number(engine: Engine, company: str) -> str:
    """The next GL sequence number (six digits), counter moved past it."""

    def pick(str10: str) -> tuple[str, str]:
        number = _number(str10[4:10])
        return f"{number:06d}", str10[:4].ljust(4) + f"{next_after(number):06d}"

    return _take(engine, company, "STR10", pick)


def _take(engine: Engine, company: str, field: str, pick: Callable[[str], tuple[str, str]]) -> str:
    sysid = f"GL{company}"
    for _ in range(CAS_ATTEMPTS):
        with_lock_retries(lambda: engine.lock_record("SYSDATA", {"SYSID": sysid}))
        try:
            row = _gl_row(engine.seek("SYSDATA", "SYSID", sysid), sysid)
            old = row.raw_text(field).ljust(10)
            taken, new = pick(old)
            where = {"SYSID": sysid, field: old, "PASS2": row.raw_text("PASS2")}
            if engine.replace("SYSDATA", where, {field: new}) == 1:
                return taken
        finally:
            engine.unlock("SYSDATA")
    raise CounterError(
        f"SYSDATA {sysid}.{field} kept changing under the bridge ({CAS_ATTEMPTS} tries); "
        "another program is numbering GL batches right now, try again"
    )


def gl_counters(sysdata_rows: list[Row], company: str) -> tuple[str, str]:
    """The next batch and sequence numbers as SYSDATA holds them now (read-only)."""
    sysid = f"GL{company}"
    row = _gl_row([r for r in sysdata_rows if r.text("SYSID").upper() == sysid], sysid)
    batch = _number(row.raw_text("STR9").ljust(10)[:6])
    sequence = _number(row.raw_text("STR10").ljust(10)[4:10])
    return f"{batch:06d}", f"{sequence:06d}"


def _gl_row(rows: list[Row], sysid: str) -> Row:
    live = [row for row in rows if not row.text("PASS2").upper().startswith("D")]
    if len(live) != 1:
        raise CounterError(
            f"SYSDATA has {len(live)} usable {sysid} rows; exactly one holds the GL counters"
        )
    return live[0]
