"""A Python stand-in for the Sage Pro import add-on a site's reseller writes (the real one
is FoxPro inside Sage Pro and calls Sage Pro's own cash-receipt routine). It follows
``docs/sage-pro-addon.md``: for each ``INBOX/<token>.DBF`` without an outcome it checks the
receipt against the company, enters it (ARCASH rows with REFNO = the token, the invoices'
PAIDAMT/BALANCE moved, as ``enter_receipt_in_sage_pro`` writes them) and writes
``OUTBOX/<token>.DBF`` with STATUS ``E``; a receipt it cannot enter gets STATUS ``R`` and a
message, and nothing is entered. A credit memo (``CM``) is entered as a credit applied to its
invoice (an ARCASH row with the token; one of the two shapes the bridge links), a void
(``RV``) as negative ARCASH rows with the token that put the invoices' balances back (how
Sage Pro really records a void is unverified)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import dbf

from app.bridge.addon import OUTBOX_LAYOUT
from app.bridge.dbf_table import Row, read_table
from tests.support.sagepro_folder import Company, enter_receipt_in_sage_pro, right

Refusal = Callable[[list[Row]], str]  # "" to accept, else why Sage Pro refused


def run_addon(root: Path, company: Company, refuse: Refusal | None = None) -> list[str]:
    """Process every waiting inbox table; returns the tokens handled, in order."""
    handled = []
    for inbox in sorted((root / "INBOX").glob("*.DBF")):
        token = inbox.stem.upper()
        outbox = root / "OUTBOX" / f"{token}.DBF"
        if outbox.exists():
            continue
        rows = read_table(inbox).rows
        why = _check(rows, company) or (refuse(rows) if refuse else "")
        document = ""
        if not why:
            document = f"CR{len(list((root / 'OUTBOX').glob('*.DBF'))) + 1:05d}"
            _enter(rows, token, company)
        _write_outcome(outbox, rows[0].text("PTKEY"), token, "R" if why else "E", document, why)
        handled.append(token)
    return handled


def _tables(company: Company) -> dict[str, Path]:
    return {p.stem.upper(): p for p in company.table_files() if p.suffix.upper() == ".DBF"}


def _check(rows: list[Row], company: Company) -> str:
    tables = _tables(company)
    kind = rows[0].text("KIND")
    if kind == "RV":
        voided = rows[0].text("VOIDREF").upper()
        receipts = [
            r
            for name in ("ARCASH01", "ARYCSH01")
            if name in tables
            for r in read_table(tables[name]).rows
            if r.text("REFNO").upper() == voided and r.text("CUSTNO") == rows[0].text("CUSTNO")
        ]
        return "" if receipts else f"there is no receipt {voided} to void"
    customers = {r.text("CUSTNO") for r in read_table(tables["ARCUST01"]).rows}
    invoices = {r.text("INVNO"): r for r in read_table(tables["ARMAST01"]).rows}
    customer = rows[0].text("CUSTNO")
    if customer not in customers:
        return f"customer {customer} is not in Sage Pro"
    for row in rows:
        number = row.text("INVNO")
        if not number:
            continue
        invoice = invoices.get(number)
        if invoice is None or invoice.text("CUSTNO") != customer:
            return f"invoice {number} is not an open invoice of {customer}"
        if kind == "PY" and row.money("APPLIED") > invoice.money("BALANCE"):
            return f"invoice {number} owes less than {row.money('APPLIED')}"
    return ""


def _enter(rows: list[Row], token: str, company: Company) -> None:
    invoices = {r.text("INVNO"): r for r in read_table(_tables(company)["ARMAST01"]).rows}
    receipts, balances = [], {}
    for row in rows:
        number = row.text("INVNO")
        kind = row.text("KIND")
        moved = -row.money("APPLIED") if kind == "RV" else row.money("APPLIED")
        if kind == "CM" and number:  # a refund credit on a paid invoice moves no balance
            moved = min(moved, invoices[number].money("BALANCE"))
        receipts.append(
            {
                "INVNO": right(number) if number else "",
                "CUSTNO": row.text("CUSTNO"),
                "PAIDAMT": -row.money("APPLIED") if kind == "RV" else row.money("APPLIED"),
                "DTEPAID": row.day("DOCDATE"),
                "REFNO": token,
                "GLACCNT": row.text("GLACNT"),
            }
        )
        if number:
            balances[number] = balances.get(number, invoices[number].money("BALANCE")) - moved
    enter_receipt_in_sage_pro(company, receipts, balances)


def _write_outcome(
    path: Path, reference: str, token: str, status: str, document: str, why: str
) -> None:
    table = dbf.Table(str(path), OUTBOX_LAYOUT, dbf_type="vfp", codepage="cp1252")
    table.open(dbf.READ_WRITE)
    try:
        table.append((reference, token, status, document, why[:120], datetime.now()))
    finally:
        table.close()
