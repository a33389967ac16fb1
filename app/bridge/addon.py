"""Add-on mode: staged receipts, credit memos and receipt voids (payment reversals) handed
to a small import program inside Sage Pro.

Sage Pro ships with source, so a site's reseller can add a program (menu item or timer)
that enters each receipt with Sage Pro's own cash-receipt routine. The bridge and that
add-on talk through files in one folder on the Sage Pro share (``docs/sage-pro-addon.md``
specifies every field):

* ``INBOX/<token>.DBF``: one VFP table per posting, one row per invoice applied (a row with
  a blank INVNO carries an on-account remainder). The bridge is its only writer: it writes
  the table under ``INBOX.TMP`` and renames it into ``INBOX`` whole, so the add-on never
  sees half a file.
* ``OUTBOX/<token>.DBF``: written by the add-on once it is done: ``STATUS`` ``E`` (entered,
  ``SPDOC`` = Sage Pro's document) or ``R`` (rejected, ``MESSAGE`` says why).

These are Paysage's own files, so the ``dbf`` package may write them; no Sage Pro table is
ever written here. The receipt still becomes ``Entered`` the usual way, when its token
shows up in ARCASH/ARYCSH.REFNO; a rejection is an alert for a person.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import dbf

from app.bridge.company import Record
from app.bridge.dbf_table import TableReadError, read_table
from app.domain.pan import redact_card_numbers
from app.errors import PaysageError

INBOX_LAYOUT = (
    "KIND C(2); PTKEY C(60); TOKEN C(20); CUSTNO C(6); DOCDATE D; AMOUNT N(12,2); "
    "INVNO C(10); APPLIED N(12,2); GLACNT C(24); METHOD C(3); MEMO C(60); CREATED T; "
    "VOIDREF C(20)"
)
PAYMENT_KIND, CREDIT_MEMO_KIND, REVERSAL_KIND = "PY", "CM", "RV"  # the inbox's KIND
OUTBOX_LAYOUT = "PTKEY C(60); TOKEN C(20); STATUS C(1); SPDOC C(20); MESSAGE C(120); DONE T"
_SAFE_TOKEN = re.compile(r"^[A-Z0-9_-]{1,20}$")
ENTERED, REJECTED = "E", "R"


class AddonFolderError(PaysageError):
    """The add-on folder cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Outcome:
    reference: str
    token: str
    status: str  # ENTERED or REJECTED
    sage_document: str
    message: str


class AddonInbox:
    def __init__(self, root: Path, clock: Callable[[], datetime] | None = None) -> None:
        self.root = root
        self.inbox = root / "INBOX"
        self.outbox = root / "OUTBOX"
        self._staging = root / "INBOX.TMP"
        self._clock = clock or (lambda: datetime.now(UTC))
        try:
            for folder in (self.inbox, self.outbox, self._staging):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AddonFolderError(f"the add-on folder {root} cannot be created: {exc}") from None

    def drop(self, posting: Record, kind: str = PAYMENT_KIND) -> Path:
        """Hand one staged posting to the add-on (again: nothing happens if it is there)."""
        token = str(posting["Token"]).upper()
        if not _SAFE_TOKEN.match(token):
            raise AddonFolderError(f"token {token!r} cannot name an inbox file")
        target = self.inbox / f"{token}.DBF"
        if target.exists() or (self.outbox / f"{token}.DBF").exists():
            return target
        temporary = self._staging / f"{token}.DBF"
        table = dbf.Table(str(temporary), INBOX_LAYOUT, dbf_type="vfp", codepage="cp1252")
        table.open(dbf.READ_WRITE)
        try:
            for row in _rows(posting, kind, self._clock().replace(tzinfo=None)):
                table.append(row)
        finally:
            table.close()
        os.replace(temporary, target)  # whole or not at all, for the add-on
        return target

    def outcomes(self) -> list[Outcome]:
        found = []
        for path in sorted(self.outbox.glob("*.[dD][bB][fF]")):
            try:
                read = read_table(path)
            except TableReadError as exc:  # the add-on may be writing it right now
                found.append(Outcome("", path.stem.upper(), REJECTED, "", f"unreadable: {exc}"))
                continue
            for row in read.rows:
                found.append(
                    Outcome(
                        row.text("PTKEY"),
                        row.text("TOKEN"),
                        row.text("STATUS").upper(),
                        row.text("SPDOC"),
                        row.text("MESSAGE"),
                    )
                )
        return found

    def rejections(self) -> list[Outcome]:
        return [o for o in self.outcomes() if o.status != ENTERED]

    def archive_done(self) -> int:
        """Move inbox files whose outcome is in to ``INBOX/DONE`` (kept for audit)."""
        done = self.inbox / "DONE"
        done.mkdir(exist_ok=True)
        moved = 0
        for outcome in self.outcomes():
            source = self.inbox / f"{outcome.token}.DBF"
            if source.exists():
                shutil.move(str(source), done / source.name)
                moved += 1
        return moved


def _rows(record: Record, kind: str, created: datetime) -> list[tuple[object, ...]]:
    """The inbox rows of one staged posting: a receipt (``PY``) or a void (``RV``) per
    invoice applied plus an on-account remainder; a credit memo (``CM``) on its invoice."""
    if kind == CREDIT_MEMO_KIND:
        reference, day, note = record["Reference"], record["MemoDate"], record.get("Reason")
        applications = [{"InvoiceID": record["InvoiceID"], "Amount": record["Amount"]}]
        account, method, voided = str(record["GLAccountID"]), "", ""
    elif kind == REVERSAL_KIND:
        reference, day, note = record["Reference"], record["ReversalDate"], record.get("Reason")
        applications = record.get("Applications") or []
        # the void takes the receipt's own cash account and method
        account, method, voided = "", "", str(record["ReceiptReference"])
    else:
        reference, day, note = record["PaymentReference"], record["PaymentDate"], record.get("Memo")
        applications = record.get("Applications") or []
        account, method, voided = str(record["GLAccountID"]), str(record["PaymentMethodCode"]), ""
    amount = Decimal(str(record["Amount"]))
    memo = redact_card_numbers(str(note or ""))[:60]
    common = (
        kind,
        str(reference),
        str(record["Token"]),
        str(record["CustomerID"]),
        datetime.fromisoformat(str(day)).date(),
        amount,
    )
    tail = (account, method, memo, created, voided)
    rows: list[tuple[object, ...]] = []
    applied = Decimal("0.00")
    for application in applications:
        share = Decimal(str(application["Amount"]))
        applied += share
        # trimmed: the dbf package left-aligns text, so the add-on pads it as Sage Pro keeps
        # INVNO (PADL(ALLTRIM(invno), 10)); the spec says so
        rows.append((*common, str(application["InvoiceID"]).strip(), share, *tail))
    if amount > applied:  # the on-account remainder: a row with a blank INVNO
        rows.append((*common, "", amount - applied, *tail))
    return rows
