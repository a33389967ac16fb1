"""A journal entry in Sage Pro's GL tables: the checked entry (``JournalPlan``), the
GLDUNP/GLHUNP/GLBTCH rows it is written as, and the contract record read back from them.
Writing, locking and recovery are ``journal_batches``'s; this module only says what goes
where (ARIA field names; fields a release lacks are dropped by the writer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.bridge.company import Record
from app.bridge.dbf_table import Row
from app.sandbox.sagepro.fields import money_text

ZERO = Decimal("0.00")
GL_TABLES = ("GLDUNP", "GLHUNP", "GLBTCH")  # in write order: the batch row last
UNPOSTED = "U"
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {  # fields the writer cannot do without (ARIA names)
    "GLBTCH": ("BATCHNO", "BREF", "BSTAT", "YEARPRD"),
    "GLHUNP": ("BATCHNO", "GLSEQNO", "GLREFR", "GLDATE"),
    "GLDUNP": ("GLACNT", "BATCHNO", "GLSEQNO", "GLDAMNT", "GLCAMNT"),
    "SYSDATA": ("SYSID", "STR9", "STR10"),
}


@dataclass(frozen=True)
class JournalPlan:
    """A checked journal entry, ready to write."""

    reference: str
    token: str
    entry_date: date
    year_period: str
    description: str
    lines: list[tuple[str, Decimal, Decimal, str]]  # account, debit, credit, memo
    payload_hash: str

    @property
    def total(self) -> Decimal:
        return sum((debit for _, debit, _, _ in self.lines), ZERO)


def line_rows(plan: JournalPlan, batch: str, sequence: str) -> list[dict[str, Any]]:
    """The GLDUNP rows: one per line of the entry."""
    return [
        {
            "GLACNT": account,
            "BATCHNO": batch,
            "GLSEQNO": sequence,
            "GLTDES": memo,
            "GLDAMNT": debit,
            "GLCAMNT": credit,
            "CREDIT": credit > ZERO,
        }
        for account, debit, credit, memo in plan.lines
    ]


def header_row(plan: JournalPlan, batch: str, sequence: str, company: str) -> dict[str, Any]:
    """The GLHUNP row: the GL transaction, carrying the token in GLREFR."""
    return {
        "BATCHNO": batch,
        "GLSEQNO": sequence,
        "GLTDES": plan.description,
        "GLREFR": plan.token,
        "GLDATE": plan.entry_date,
        "YEARPRD": plan.year_period,
        "STATUS": UNPOSTED,
        "TRTYPE": "Z",
        "GLMODULE": "GL",
        "GLCOMP": company,
        "GLREVRS": "N",
    }


def batch_row(
    plan: JournalPlan, batch: str, sequence: str, user: str, today: date
) -> dict[str, Any]:
    """The GLBTCH row, written last: the unposted batch, carrying the token in BREF."""
    return {
        "BATCHNO": batch,
        "BDESC": plan.description,
        "YEARPRD": plan.year_period,
        "BREF": plan.token,
        "LOWSEQ": sequence,
        "UPPSEQ": sequence,
        "BTYPE": "Z",
        "BSTAT": UNPOSTED,
        "CTRLTOT": plan.total,
        "DRTOTAL": plan.total,
        "CRTOTAL": plan.total,
        "STSUSER": user,
        "STSDATE": today,
        "LCKSTAT": "",
    }


def journal_record(batch: Row, headers: list[Row], lines: list[Row], reference: str) -> Record:
    """The contract's journal entry for one GL batch; ``reference`` is the app's key (or the
    batch's BREF when the bridge has no record of writing it)."""
    posted = batch.text("BSTAT").upper() not in ("", UNPOSTED) or batch.day("PSTDATE") is not None
    header = headers[0] if headers else None
    entry_date = header.day("GLDATE") if header is not None else None
    return {
        "JournalID": batch.text("BATCHNO"),
        "Reference": reference,
        "EntryDate": entry_date.isoformat() if entry_date else None,
        "Description": batch.text("BDESC"),
        "Lines": [
            {
                "GLAccountID": line.text("GLACNT"),
                "Debit": money_text(line.money("GLDAMNT")),
                "Credit": money_text(line.money("GLCAMNT")),
                "Memo": line.text("GLTDES"),
            }
            for line in sorted(lines, key=lambda r: r.record)
        ],
        "Status": "Posted" if posted else "Unposted",
        "PostingState": "Posted" if posted else "Entered",
        "Token": batch.text("BREF"),
    }


def by_batch(rows: list[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.text("BATCHNO"), []).append(row)
    return grouped
