"""Fixture Sage Pro companies on disk, built by the tests themselves (no real tables are
ever committed: the public sample has no licence and holds real data).

Two flavours, from the field lists the bridge doc verified (§1.3), each field marked with
where its name and width come from (ASSUMED = a width chosen for the fixture):

* ``sbt7``: FoxPro 2.x tables written by the ``dbf`` package (0x03/0xF5), ``N(12,2)`` money,
  EMAIL C(128), code-page byte 0 (the site's code page applies), no CDX.
* ``pro32``: Visual FoxPro tables written by ``dbflib`` (0x30, code page mark 0x03),
  ``Y`` money, EMAIL as a memo, CREDSTAT/CUSTSTAT, structural CDX files.

Two folder shapes: ``sysdata`` (``SYS/SYSDATA.DBF`` naming ``F:\\APPS\\SBT7\\ARDATA`` and
``…\\GLDATA``, lower-case file names in ARDATA) and ``one-folder`` (``DATA/ARCUST01.DBF`` …
with SYCDFIS one level up). Edge cases: right-justified INVNO, an impossible date
(``21323213``, as in the real sample), an overflowed numeric (``****``), deleted rows, an
accented name under code page 0, deleted and locked periods, SYSDATA rows marked deleted
or with PASS2 "D".
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import dbf
import dbflib

SAGE_ROOT = "F:\\APPS\\SBT7"  # what SYSDATA says; tests map it with --path-map
COMPANY = "01"

Spec = tuple[str, str, int, int, str]  # name, type, width, decimals, provenance

# ARCUST: the standard part of the real SBT7 header (names, types and widths: TMX).
ARCUST_SBT7: list[Spec] = [
    ("CUSTNO", "C", 6, 0, "TMX"),
    ("COMPANY", "C", 35, 0, "TMX"),
    ("CONTACT", "C", 20, 0, "TMX"),
    ("TITLE", "C", 20, 0, "TMX"),
    ("ADDRESS1", "C", 30, 0, "TMX"),
    ("ADDRESS2", "C", 30, 0, "TMX"),
    ("CITY", "C", 20, 0, "TMX"),
    ("STATE", "C", 10, 0, "TMX"),
    ("ZIP", "C", 10, 0, "TMX"),
    ("COUNTRY", "C", 15, 0, "TMX"),
    ("PHONE", "C", 20, 0, "TMX"),
    ("TERR", "C", 2, 0, "TMX"),
    ("SALESMN", "C", 2, 0, "TMX"),
    ("PTERMS", "C", 20, 0, "TMX"),
    ("PDISC", "N", 7, 3, "TMX"),
    ("PDAYS", "N", 3, 0, "TMX"),
    ("PNET", "N", 3, 0, "TMX"),
    ("LDATE", "D", 8, 0, "TMX"),
    ("LASTPAY", "D", 8, 0, "TMX"),
    ("ENTERED", "D", 8, 0, "TMX"),
    ("LIMIT", "N", 7, 0, "TMX"),
    ("BALANCE", "N", 12, 2, "TMX"),
    ("PTDSLS", "N", 12, 2, "TMX"),
    ("YTDSLS", "N", 12, 2, "TMX"),
    ("ONORDER", "N", 12, 2, "TMX"),
    ("CREDIT", "N", 12, 2, "TMX"),
    ("LPYMT", "N", 12, 2, "TMX"),
    ("GLLINK", "C", 3, 0, "TMX"),
    ("COMMENT", "C", 65, 0, "TMX"),
    ("EMAIL", "C", 128, 0, "TMX"),
    ("OVER30", "N", 12, 2, "TMX"),
    ("OVER60", "N", 12, 2, "TMX"),
    ("PTDPAY", "N", 12, 2, "TMX"),
    ("YTDPAY", "N", 12, 2, "TMX"),
]
ARMAST: list[Spec] = [
    ("INVNO", "C", 10, 0, "GB/CD names; width ASSUMED (contract: C(10) right-justified)"),
    ("CUSTNO", "C", 6, 0, "GB/CD"),
    ("ARTYPE", "C", 1, 0, "GB/CD"),
    ("ARSTAT", "C", 1, 0, "GB/CD"),
    ("ORNUM", "C", 10, 0, "GB/CD; width ASSUMED"),
    ("PONUM", "C", 20, 0, "GB/CD; width ASSUMED"),
    ("INVDTE", "D", 8, 0, "CKX"),
    ("PNET", "N", 3, 0, "CKX"),
    ("INVAMT", "N", 12, 2, "GB/CD"),
    ("PAIDAMT", "N", 12, 2, "GB/CD"),
    ("BALANCE", "N", 12, 2, "GB/CD"),
    ("REFNO", "C", 10, 0, "CKX"),
    ("DTEPAID", "D", 8, 0, "CKX"),
]
ARCASH: list[Spec] = [  # ARYCSH has the same columns (CKX)
    ("INVNO", "C", 10, 0, "CKX; width ASSUMED"),
    ("INVDTE", "D", 8, 0, "CKX"),
    ("CUSTNO", "C", 6, 0, "CKX"),
    ("SALESMN", "C", 2, 0, "CKX"),
    ("PONUM", "C", 20, 0, "CKX"),
    ("DISAMT", "N", 12, 2, "CKX"),
    ("PAIDAMT", "N", 12, 2, "CKX"),
    ("DTEPAID", "D", 8, 0, "CKX"),
    ("REFNO", "C", 10, 0, "CKX; width ASSUMED"),
    ("APCODE", "C", 1, 0, "CKX"),
    ("ARTYPE", "C", 1, 0, "CKX"),
    ("GLAREC", "C", 3, 0, "CKX"),
    ("BATCH", "C", 3, 0, "CKX"),
    ("GLACCNT", "C", 9, 0, "CKX"),
    ("USERID", "C", 4, 0, "CKX"),
]
GLACNT: list[Spec] = [
    ("GLACNT", "C", 9, 0, "ARIA; width CKX"),
    ("GLDESC", "C", 30, 0, "ARIA; width ASSUMED"),
    ("GLSTAT", "C", 1, 0, "ARIA"),
]
SYCDFIS: list[Spec] = [
    ("COMPID", "C", 2, 0, "ARIA"),
    ("YEARPRD", "C", 6, 0, "ARIA"),
    ("BDATE", "D", 8, 0, "ARIA"),
    ("EDATE", "D", 8, 0, "ARIA"),
    ("PERMLCK", "L", 1, 0, "ARIA"),
    ("PLOCKED", "L", 1, 0, "ARIA"),
    ("PCLOSED", "L", 1, 0, "ARIA"),
]
SYSDATA: list[Spec] = [  # widths: lower bounds from ARIA's SUBSTR uses
    ("SYSID", "C", 4, 0, "ARIA"),
    ("PASS2", "C", 10, 0, "ARIA; width ASSUMED"),
    ("DRIVE", "C", 90, 0, "ARIA (≥ 90)"),
    ("STR9", "C", 10, 0, "ARIA (≥ 10)"),
    ("STR10", "C", 10, 0, "ARIA (≥ 10)"),
    ("LINK", "C", 60, 0, "ARIA (≥ 59)"),
]


def _pro32_money(specs: list[Spec]) -> list[Spec]:
    return [
        (n, "Y", 8, 4, p + "; Y in Pro32 (WWB)") if t == "N" and d == 2 else (n, t, w, d, p)
        for n, t, w, d, p in specs
    ]


def arcust_specs(flavour: str) -> list[Spec]:
    if flavour == "sbt7":
        return ARCUST_SBT7
    specs = [
        (n, "M", 10, 0, "WWB: EMAIL is a memo in Pro32") if n == "EMAIL" else (n, t, w, d, p)
        for n, t, w, d, p in _pro32_money(ARCUST_SBT7)
    ]
    return [*specs, ("CREDSTAT", "C", 1, 0, "WWB"), ("CUSTSTAT", "C", 1, 0, "WWB")]


def right(key: str, width: int = 10) -> str:
    """A document number as Sage Pro stores it: right-justified."""
    return key.rjust(width)


@dataclass
class Company:
    """Where a built company lives and how to open it."""

    root: Path
    data_folder: Path  # what --data-folder gets
    path_map: str  # the --path-map argument ("" when none is needed)
    flavour: str
    shape: str

    def table_files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file())


def customers(flavour: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "CUSTNO": "C100",
            "COMPANY": "Café Élan Ltd",
            "ADDRESS1": "1 Rue Haute",
            "CITY": "Montréal",
            "STATE": "QC",
            "ZIP": "H2X 1Y4",
            "COUNTRY": "Canada",
            "PHONE": "514-555-0100",
            "EMAIL": "billing@cafe-elan.example",
            "PTERMS": "Net 30",
            "BALANCE": Decimal("1300.00"),
            "LASTPAY": date(2026, 2, 3),
        },
        {
            "CUSTNO": "C200",
            "COMPANY": "Bob's Hardware",
            "CITY": "Austin",
            "STATE": "TX",
            "PHONE": "512-555-0199",
            "EMAIL": "ap@bobs.example",
            "PTERMS": "Net 15",
            "BALANCE": Decimal("0.00"),
        },
        {"CUSTNO": "C300", "COMPANY": "Gone Away Inc", "BALANCE": Decimal("5.00")},  # deleted
        {"CUSTNO": "C400", "COMPANY": "Overflow Traders", "BALANCE": Decimal("10.00")},
    ]
    if flavour == "pro32":
        rows[1]["CREDSTAT"] = "H"
        rows[3]["CUSTSTAT"] = "I"
    return rows


def invoices() -> list[dict[str, Any]]:
    base = {"ARTYPE": " ", "ARSTAT": " ", "PNET": 30}
    return [
        {
            **base,
            "INVNO": right("1001"),
            "CUSTNO": "C100",
            "ORNUM": right("5001"),
            "PONUM": "PO-77",
            "INVDTE": date(2026, 3, 2),
            "INVAMT": Decimal("1000.00"),
            "PAIDAMT": Decimal("0.00"),
            "BALANCE": Decimal("1000.00"),
        },
        {
            **base,
            "INVNO": right("1002"),
            "CUSTNO": "C100",
            "INVDTE": date(2026, 3, 5),
            "INVAMT": Decimal("250.00"),
            "PAIDAMT": Decimal("0.00"),
            "BALANCE": Decimal("250.00"),
        },
        {
            **base,
            "INVNO": right("1003"),
            "CUSTNO": "C200",
            "INVDTE": date(2026, 2, 1),
            "INVAMT": Decimal("300.00"),
            "PAIDAMT": Decimal("300.00"),
            "BALANCE": Decimal("0.00"),
            "DTEPAID": date(2026, 2, 20),
        },
        {
            **base,
            "INVNO": right("1004"),
            "CUSTNO": "C200",
            "ARSTAT": "V",
            "INVDTE": date(2026, 2, 2),
            "INVAMT": Decimal("80.00"),
            "PAIDAMT": Decimal("0.00"),
            "BALANCE": Decimal("80.00"),
        },
        {
            **base,
            "INVNO": right("1005"),
            "CUSTNO": "C100",
            "INVDTE": date(2026, 3, 9),  # bad date
            "INVAMT": Decimal("50.00"),
            "PAIDAMT": Decimal("0.00"),
            "BALANCE": Decimal("50.00"),
        },
        {
            **base,
            "INVNO": right("1006"),
            "CUSTNO": "C100",
            "INVDTE": date(2026, 3, 9),  # deleted
            "INVAMT": Decimal("9.00"),
            "PAIDAMT": Decimal("0.00"),
            "BALANCE": Decimal("9.00"),
        },
        {
            **base,
            "INVNO": right("1007"),
            "CUSTNO": "C100",
            "INVDTE": date(2026, 3, 12),
            "INVAMT": Decimal("400.00"),
            "PAIDAMT": Decimal("100.00"),
            "BALANCE": Decimal("300.00"),
        },
    ]


def cash_receipts() -> list[dict[str, Any]]:
    return [
        {
            "INVNO": right("1003"),
            "CUSTNO": "C200",
            "PAIDAMT": Decimal("300.00"),
            "DTEPAID": date(2026, 2, 20),
            "REFNO": "CHK5001",
            "GLACCNT": "1000",
        },
        {
            "INVNO": right("1007"),
            "CUSTNO": "C100",
            "PAIDAMT": Decimal("60.00"),
            "DTEPAID": date(2026, 3, 20),
            "REFNO": "PT-701-PAY",
            "GLACCNT": "1000",
        },
        {
            "INVNO": right("1007"),
            "CUSTNO": "C100",
            "PAIDAMT": Decimal("40.00"),
            "DTEPAID": date(2026, 3, 20),
            "REFNO": "PT-701-PAY",
            "GLACCNT": "1000",
        },
        {
            "INVNO": "",
            "CUSTNO": "C100",
            "PAIDAMT": Decimal("25.00"),  # on account
            "DTEPAID": date(2026, 3, 21),
            "REFNO": "CHK5002",
            "GLACCNT": "1000",
        },
    ]


def history_receipts() -> list[dict[str, Any]]:
    return [
        {
            "INVNO": right("0901"),
            "CUSTNO": "C100",
            "PAIDAMT": Decimal("75.50"),
            "DTEPAID": date(2025, 11, 4),
            "REFNO": "CHK4001",
            "GLACCNT": "1000",
        },
    ]


def gl_accounts() -> list[dict[str, Any]]:
    return [
        {"GLACNT": "1000", "GLDESC": "Cash - Operating", "GLSTAT": " "},
        {"GLACNT": "1200", "GLDESC": "Accounts Receivable", "GLSTAT": " "},
        {"GLACNT": "4000", "GLDESC": "Sales", "GLSTAT": " "},
        {"GLACNT": "6100", "GLDESC": "Old Merchant Fees", "GLSTAT": "I"},
    ]


def periods() -> list[dict[str, Any]]:
    rows = []
    for month in range(1, 13):
        start = date(2026, month, 1)
        end = date(2026 + month // 12, month % 12 + 1, 1).toordinal() - 1
        rows.append(
            {
                "COMPID": COMPANY,
                "YEARPRD": f"2026{month:02d}",
                "BDATE": start,
                "EDATE": date.fromordinal(end),
                "PERMLCK": month == 1,
                "PLOCKED": month == 2,
                "PCLOSED": month <= 2,
            }
        )
    # another company's calendar shares the table
    rows.append(
        {
            "COMPID": "02",
            "YEARPRD": "202601",
            "BDATE": date(2026, 1, 1),
            "EDATE": date(2026, 1, 31),
            "PERMLCK": False,
            "PLOCKED": False,
            "PCLOSED": False,
        }
    )
    return rows


def sysdata_rows(ar_folder: str, gl_folder: str) -> list[dict[str, Any]]:
    def drive(path: str) -> str:
        return " " * 60 + path  # the path sits in DRIVE columns 61-90

    return [
        {"SYSID": "GL01", "DRIVE": drive(gl_folder), "STR9": "0000420000", "STR10": "0000001234"},
        {"SYSID": "AR01", "PASS2": "D", "DRIVE": drive("F:\\OLD\\ARDATA")},  # PASS2 "D": ignored
        {"SYSID": "AR01", "DRIVE": drive("F:\\GONE\\ARDATA")},  # marked deleted below
        {"SYSID": "AR01", "DRIVE": drive(ar_folder)},
        {"SYSID": "GL02", "DRIVE": drive("F:\\APPS\\SBT7\\GL02")},  # another company
    ]


# --- writers -----------------------------------------------------------------------


def write_table(
    path: Path,
    specs: list[Spec],
    rows: list[dict[str, Any]],
    flavour: str,
    *,
    deleted: tuple[int, ...] = (),
    indexes: dict[str, str] | None = None,
) -> Path:
    """A table in the flavour's format; ``deleted`` holds 1-based record numbers."""
    if flavour == "pro32":
        columns = [(n, _compact(t, w, d)) for n, t, w, d, _ in specs]
        dbflib.create_dbf(str(path), columns, [_blank_filled(r, specs) for r in rows], indexes)
        if deleted:
            dbflib.delete_rows(str(path), list(deleted))
        return path
    layout = "; ".join(_dbf_spec(n, t, w, d) for n, t, w, d, _ in specs)
    table = dbf.Table(str(path), layout, dbf_type="fp", codepage="cp1252")
    table.open(dbf.READ_WRITE)
    try:
        for row in rows:
            table.append(tuple(_dbf_value(row.get(n), t) for n, t, *_ in specs))
        for recno in deleted:
            dbf.delete(table[recno - 1])
    finally:
        table.close()
    _set_header_byte(path, 29, 0)  # the SBT7 sample says no code page
    if path.read_bytes()[0] == 0x02:  # dbf marks memo-less "fp" tables 0x02; SBT7's are 0x03
        _set_header_byte(path, 0, 0x03)
    # dbf writes text left-aligned: put Sage Pro's right-justified keys back byte for byte
    for recno, row in enumerate(rows, start=1):
        for name, kind, width, *_ in specs:
            value = row.get(name)
            if kind == "C" and isinstance(value, str) and value.startswith(" "):
                patch_field(path, recno, name, value.encode("cp1252").ljust(width))
    return path


def _compact(kind: str, width: int, decimals: int) -> str:
    if kind in ("C",):
        return f"C ({width})"
    if kind == "N":
        return f"N ({width}, {decimals})"
    return kind


def _dbf_spec(name: str, kind: str, width: int, decimals: int) -> str:
    if kind == "C":
        return f"{name} C({width})"
    if kind == "N":
        return f"{name} N({width},{decimals})"
    return f"{name} {kind}"


def _dbf_value(value: Any, kind: str) -> Any:
    if value is None:
        return None if kind in ("D", "L", "M") else ("" if kind == "C" else 0)
    if isinstance(value, Decimal):
        return float(value) if kind == "N" else value  # dbf writes N from numbers; cents fit
    return value


def _blank_filled(row: dict[str, Any], specs: list[Spec]) -> dict[str, Any]:
    return {n: row[n] for n, *_ in specs if n in row and row[n] is not None}


def _set_header_byte(path: Path, offset: int, value: int) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(bytes([value]))


def field_offsets(path: Path) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """(header length, record length, field → (offset in record, width)) from the header."""
    data = path.read_bytes()
    header_length, record_length = struct.unpack("<HH", data[8:12])
    offsets: dict[str, tuple[int, int]] = {}
    position, at = 32, 1  # byte 0 of a record is the deleted flag
    while data[position] != 0x0D:
        name = data[position : position + 11].split(b"\0")[0].decode("ascii")
        width = data[position + 16]
        offsets[name] = (at, width)
        at += width
        position += 32
    return header_length, record_length, offsets


def patch_field(path: Path, recno: int, name: str, raw: bytes) -> None:
    """Write raw bytes into one field of one record, as another program would have."""
    header_length, record_length, offsets = field_offsets(path)
    at, width = offsets[name]
    if len(raw) != width:
        raise ValueError(f"{name} is {width} bytes wide, got {len(raw)}")
    with path.open("r+b") as handle:
        handle.seek(header_length + (recno - 1) * record_length + at)
        handle.write(raw)


def build_company(root: Path, flavour: str = "sbt7", shape: str = "sysdata") -> Company:
    """A whole company 01 under ``root`` in the given flavour and folder shape."""
    if flavour not in ("sbt7", "pro32") or shape not in ("sysdata", "one-folder"):
        raise ValueError(f"unknown fixture {flavour}/{shape}")
    cdx = flavour == "pro32"
    if shape == "sysdata":
        system, ar, gl = root / "SYS", root / "ARDATA", root / "GLDATA"
        names = {
            "ARCUST": "arcust01.dbf",
            "ARMAST": "ArMast01.DBF",
            "ARCASH": "arcash01.dbf",
            "ARYCSH": "ARYCSH01.DBF",
            "GLACNT": "GLACNT01.DBF",
        }
    else:
        system, ar = root, root / "DATA"
        gl = ar
        names = {
            "ARCUST": "ARCUST01.DBF",
            "ARMAST": "armast01.dbf",
            "ARCASH": "ARCASH01.DBF",
            "ARYCSH": "arycsh01.dbf",
            "GLACNT": "glacnt01.dbf",
        }
    for folder in (system, ar, gl):
        folder.mkdir(parents=True, exist_ok=True)
    money = _pro32_money if flavour == "pro32" else (lambda specs: specs)
    arcust = write_table(
        ar / names["ARCUST"],
        arcust_specs(flavour),
        customers(flavour),
        flavour,
        deleted=(3,),
        indexes={"CUSTNO": "custno", "COMPANY1": "company+custno"} if cdx else None,
    )
    armast = write_table(
        ar / names["ARMAST"],
        money(ARMAST),
        invoices(),
        flavour,
        deleted=(6,),
        indexes={"INVNO": "invno", "CUSTNO": "custno+invno"} if cdx else None,
    )
    write_table(ar / names["ARCASH"], money(ARCASH), cash_receipts(), flavour)
    write_table(ar / names["ARYCSH"], money(ARCASH), history_receipts(), flavour)
    write_table(
        gl / names["GLACNT"],
        GLACNT,
        gl_accounts(),
        flavour,
        indexes={"GLACNT": "glacnt"} if cdx else None,
    )
    write_table(
        system / "SYCDFIS.DBF",
        SYCDFIS,
        periods(),
        flavour,
        deleted=(12,),
        indexes={"COMPID1": "compid+yearprd"} if cdx else None,
    )
    # Values no writer would produce, but real tables hold (TMX ARINVT01.ETA, record 123).
    patch_field(armast, 5, "INVDTE", b"21323213")
    if flavour == "sbt7":
        patch_field(arcust, 4, "BALANCE", b"*" * 12)
    if shape == "sysdata":
        write_table(
            system / "SYSDATA.DBF",
            SYSDATA,
            sysdata_rows(f"{SAGE_ROOT}\\ARDATA\\", f"{SAGE_ROOT}\\GLDATA"),
            flavour,
            deleted=(3,),
        )
        return Company(root, system, f"{SAGE_ROOT}={root}", flavour, shape)
    return Company(root, ar, "", flavour, shape)


def enter_receipt_in_sage_pro(
    company: Company, rows: list[dict[str, Any]], invoice_balances: dict[str, Decimal]
) -> None:
    """What the bookkeeper's entry in Sage Pro's Cash Receipts leaves behind, written the way
    another program would (tests only): ARCASH rows, and ARMAST's PAIDAMT/BALANCE moved.
    Whether Sage Pro moves ARMAST at entry or at posting is unverified (bridge doc §6)."""
    folder = company.root / ("ARDATA" if company.shape == "sysdata" else "DATA")
    arcash = next(p for p in folder.iterdir() if p.name.upper() == "ARCASH01.DBF")
    armast = next(p for p in folder.iterdir() if p.name.upper() == "ARMAST01.DBF")
    if company.flavour == "pro32":
        dbflib.insert_rows(str(arcash), rows)
    else:
        table = dbf.Table(str(arcash), codepage="cp1252")
        table.open(dbf.READ_WRITE)
        try:
            specs = ARCASH
            first = len(table) + 1
            for row in rows:
                table.append(tuple(_dbf_value(row.get(n), t) for n, t, *_ in specs))
        finally:
            table.close()
        _set_header_byte(arcash, 29, 0)
        for recno, row in enumerate(rows, start=first):
            if str(row.get("INVNO", "")).startswith(" "):
                patch_field(arcash, recno, "INVNO", row["INVNO"].encode("cp1252").ljust(10))
    numbers = [row["INVNO"] for row in invoices()]
    for invno, balance in invoice_balances.items():
        recno = numbers.index(right(invno)) + 1
        original = invoices()[recno - 1]
        paid = original["INVAMT"] - balance
        for name, value in (("BALANCE", balance), ("PAIDAMT", paid)):
            patch_field(armast, recno, name, _money_bytes(value, company.flavour))


def _money_bytes(value: Decimal, flavour: str) -> bytes:
    if flavour == "pro32":  # currency: an 8-byte integer of ten-thousandths
        return int(value.scaleb(4)).to_bytes(8, "little", signed=True)
    return f"{value:12.2f}".encode("ascii")


def build_company_from_contract(
    root: Path,
    customers_json: list[dict[str, Any]],
    invoices_json: list[dict[str, Any]],
    payments_json: list[dict[str, Any]],
    accounts_json: list[dict[str, Any]],
    periods_json: list[dict[str, Any]],
) -> Company:
    """A Visual FoxPro company 01 in one folder holding the records a Sage Pro API serves
    (e.g. the stand-in's demo company), so a sync can run against the bridge over real
    tables with data that matches the PayTrace stand-in's."""
    data = root / "DATA"
    data.mkdir(parents=True, exist_ok=True)
    custno_width = max(6, *(len(c["CustomerID"]) for c in customers_json))
    arcust = [
        (n, t, custno_width if n == "CUSTNO" else w, d, p)
        for n, t, w, d, p in arcust_specs("pro32")
    ]
    write_table(
        data / "ARCUST01.DBF",
        arcust,
        [
            {
                "CUSTNO": c["CustomerID"],
                "COMPANY": c["Name"][:35],
                "EMAIL": c.get("Email") or "",
                "PHONE": (c.get("Phone") or "")[:20],
                "PTERMS": (c.get("Terms") or "")[:20],
                "BALANCE": Decimal(c["Balance"]),
                "CREDSTAT": "H" if c.get("CreditHold") else " ",
                "CUSTSTAT": "I" if c.get("Status") == "Inactive" else "A",
            }
            for c in customers_json
        ],
        "pro32",
        indexes={"CUSTNO": "custno"},
    )
    rows = []
    for invoice in invoices_json:
        invoice_date = date.fromisoformat(invoice["InvoiceDate"])
        due = invoice.get("DueDate")
        rows.append(
            {
                "INVNO": right(invoice["InvoiceID"]),
                "CUSTNO": invoice["CustomerID"],
                "ARTYPE": " ",
                "ARSTAT": "V" if invoice["Status"] == "Void" else " ",
                "ORNUM": right(invoice.get("OrderNumber") or "")
                if invoice.get("OrderNumber")
                else "",
                "PONUM": (invoice.get("PONumber") or "")[:20],
                "INVDTE": invoice_date,
                "PNET": (date.fromisoformat(due) - invoice_date).days if due else 0,
                "INVAMT": Decimal(invoice["Amount"]),
                "PAIDAMT": Decimal(invoice["AmountPaid"]),
                "BALANCE": Decimal(invoice["Balance"]),
            }
        )
    write_table(
        data / "ARMAST01.DBF", _pro32_money(ARMAST), rows, "pro32", indexes={"INVNO": "invno"}
    )
    wide_refno = [(n, t, 40 if n == "REFNO" else w, d, p) for n, t, w, d, p in ARCASH]
    receipts = []
    for payment in payments_json:
        applications = payment.get("Applications") or (
            [{"InvoiceID": payment["InvoiceID"], "Amount": payment["Amount"]}]
            if payment.get("InvoiceID")
            else []
        )
        base = {
            "CUSTNO": payment["CustomerID"],
            "DTEPAID": date.fromisoformat(payment["PaymentDate"]),
            "REFNO": payment["PaymentReference"],
            "GLACCNT": payment.get("GLAccountID") or "",
        }
        receipts += [
            {**base, "INVNO": right(a["InvoiceID"]), "PAIDAMT": Decimal(a["Amount"])}
            for a in applications
        ]
        rest = Decimal(payment["Amount"]) - sum(
            (Decimal(a["Amount"]) for a in applications), Decimal(0)
        )
        if rest:
            receipts.append({**base, "INVNO": "", "PAIDAMT": rest})
    write_table(data / "ARCASH01.DBF", _pro32_money(wide_refno), receipts, "pro32")
    write_table(data / "ARYCSH01.DBF", _pro32_money(wide_refno), [], "pro32")
    account_width = max(9, *(len(a["GLAccountID"]) for a in accounts_json))
    write_table(
        data / "GLACNT01.DBF",
        [(n, t, account_width if n == "GLACNT" else w, d, p) for n, t, w, d, p in GLACNT],
        [
            {
                "GLACNT": a["GLAccountID"],
                "GLDESC": a["Description"][:30],
                "GLSTAT": " " if a["Active"] else "I",
            }
            for a in accounts_json
        ],
        "pro32",
    )
    write_table(
        root / "SYCDFIS.DBF",
        SYCDFIS,
        [
            {
                "COMPID": COMPANY,
                "YEARPRD": f"{p['Year']}{p['Period']:02d}",
                "BDATE": date.fromisoformat(p["Start"]),
                "EDATE": date.fromisoformat(p["End"]),
                "PERMLCK": False,
                "PLOCKED": bool(p["Locked"]),
                "PCLOSED": bool(p["Locked"]),
            }
            for p in periods_json
        ],
        "pro32",
    )
    return Company(root, data, "", "pro32", "one-folder")
