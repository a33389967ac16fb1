"""The layout document: which table and field each contract field is read from.

Defaults come from the verified layouts of ``sage-pro-bridge.md`` (§1.3); each field says
whether it is verified and where from. ``propose`` fits the defaults to the headers a site
actually has (a field missing from the header becomes null and is listed); ``check`` makes
``serve`` refuse a layout that names a missing table or field, saying which.

    {"layout_version": 1, "company": "01",
     "records": {"customers": {"tables": ["ARCUST"], "required": ["CustomerID"],
       "fields": {"CustomerID": {"field": "CUSTNO", "status": "verified",
                                 "source": "TMX"}, ...}}}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.bridge.dbf_table import TableHeader
from app.errors import PaysageError

LAYOUT_VERSION = 1
VERIFIED, UNCERTAIN = "verified", "uncertain"

# record → (tables in look-up order, {contract field: (table field, status, source)},
#           contract fields a record cannot be served without)
_Field = tuple[str, str, str]
_DEFAULTS: dict[str, tuple[tuple[str, ...], dict[str, _Field], tuple[str, ...]]] = {
    "customers": (
        ("ARCUST",),
        {
            "CustomerID": ("CUSTNO", VERIFIED, "TMX ARCUST01 header: CUSTNO C6"),
            "Name": ("COMPANY", VERIFIED, "TMX: COMPANY C35"),
            "Email": ("EMAIL", VERIFIED, "TMX: EMAIL C128; Pro32 (WWB): memo"),
            "Phone": ("PHONE", VERIFIED, "TMX: PHONE C20"),
            "Street": ("ADDRESS1", VERIFIED, "TMX: ADDRESS1 C30"),
            "City": ("CITY", VERIFIED, "TMX"),
            "State": ("STATE", VERIFIED, "TMX"),
            "Zip": ("ZIP", VERIFIED, "TMX"),
            "Country": ("COUNTRY", VERIFIED, "TMX"),
            "Terms": ("PTERMS", VERIFIED, "TMX: PTERMS C20"),
            "CreditHold": ("CREDSTAT", UNCERTAIN, "Pro32 (WWB) only; 'H' = hold"),
            "Status": ("CUSTSTAT", UNCERTAIN, "Pro32 (WWB) only; 'I' = inactive"),
            "Balance": ("BALANCE", VERIFIED, "TMX: BALANCE N(12,2)"),
        },
        ("CustomerID",),
    ),
    "invoices": (
        ("ARMAST",),
        {
            "InvoiceID": ("INVNO", VERIFIED, "GB, CD; right-justified C(10) assumed"),
            "CustomerID": ("CUSTNO", VERIFIED, "GB, CD"),
            "OrderNumber": ("ORNUM", VERIFIED, "GB, CD"),
            "PONumber": ("PONUM", VERIFIED, "GB, CD"),
            "InvoiceDate": ("INVDTE", UNCERTAIN, "CKX MySQL copy"),
            "NetDays": ("PNET", UNCERTAIN, "CKX; due date = INVDTE + PNET"),
            "Amount": ("INVAMT", VERIFIED, "GB, CD"),
            "AmountPaid": ("PAIDAMT", VERIFIED, "GB, CD"),
            "Balance": ("BALANCE", VERIFIED, "GB, CD"),
            "VoidFlag": ("ARSTAT", VERIFIED, "GB, CD; 'V' = void"),
            "Reference": ("REFNO", UNCERTAIN, "CKX; where a credit memo's token is looked for"),
        },
        ("InvoiceID", "CustomerID", "Amount", "Balance"),
    ),
    "payments": (
        ("ARCASH", "ARYCSH"),
        {
            "PaymentReference": (
                "REFNO",
                UNCERTAIN,
                "CKX only; width unknown. Also where a voided receipt's (payment reversal's) "
                "token is looked for: that a void leaves negative ARCASH rows is UNVERIFIED",
            ),
            "CustomerID": ("CUSTNO", UNCERTAIN, "CKX only"),
            "InvoiceID": ("INVNO", UNCERTAIN, "CKX only"),
            "Amount": ("PAIDAMT", UNCERTAIN, "CKX only"),
            "PaymentDate": ("DTEPAID", UNCERTAIN, "CKX only"),
            "GLAccountID": ("GLACCNT", UNCERTAIN, "CKX only"),
        },
        ("PaymentReference", "CustomerID", "Amount"),
    ),
    "glaccounts": (
        ("GLACNT",),
        {
            "GLAccountID": ("GLACNT", VERIFIED, "ARIA"),
            "Description": ("GLDESC", VERIFIED, "ARIA"),
            "InactiveFlag": ("GLSTAT", VERIFIED, "ARIA; 'I' = inactive"),
        },
        ("GLAccountID",),
    ),
    "periods": (
        ("SYCDFIS",),
        {
            "Company": ("COMPID", VERIFIED, "ARIA, ARIA2"),
            "YearPeriod": ("YEARPRD", VERIFIED, "ARIA; yyyy+pp"),
            "Start": ("BDATE", VERIFIED, "ARIA"),
            "End": ("EDATE", VERIFIED, "ARIA"),
            "PermanentLock": ("PERMLCK", VERIFIED, "ARIA"),
            "Locked": ("PLOCKED", VERIFIED, "ARIA"),
        },
        ("Company", "YearPeriod", "Start", "End"),
    ),
}
REQUIRED_RECORDS = ("customers", "invoices", "glaccounts", "periods")

Layout = dict[str, Any]


class LayoutError(PaysageError):
    """A layout that does not fit the folder; the message lists every problem."""


def default_layout(company: str) -> Layout:
    records: dict[str, Any] = {}
    for name, (tables, fields, required) in _DEFAULTS.items():
        records[name] = {
            "tables": list(tables),
            "required": list(required),
            "fields": {
                contract: {"field": table_field, "status": status, "source": source}
                for contract, (table_field, status, source) in fields.items()
            },
        }
    return {"layout_version": LAYOUT_VERSION, "company": company, "records": records}


def propose(company: str, headers: Mapping[str, TableHeader]) -> tuple[Layout, list[str]]:
    """The defaults fitted to the headers found, and what could not be fitted."""
    layout = default_layout(company)
    gaps: list[str] = []
    for name, record in layout["records"].items():
        present = [table for table in record["tables"] if table in headers]
        missing_tables = [table for table in record["tables"] if table not in headers]
        for table in missing_tables:
            gaps.append(f"{name}: table {table}{company} not found")
        record["tables"] = present
        if not present:
            continue
        first = headers[present[0]]
        for contract, spec in record["fields"].items():
            if first.field(spec["field"]) is None:
                gaps.append(f"{name}.{contract}: field {spec['field']} not in {present[0]}")
                spec["field"] = None
    return layout, gaps


def check(layout: Layout, headers: Mapping[str, TableHeader]) -> None:
    """Raise ``LayoutError`` naming every missing table or field the layout needs."""
    problems: list[str] = []
    records = layout.get("records")
    if layout.get("layout_version") != LAYOUT_VERSION or not isinstance(records, dict):
        raise LayoutError(f"not a layout document (layout_version {LAYOUT_VERSION} expected)")
    for name in REQUIRED_RECORDS:
        if not records.get(name, {}).get("tables"):
            problems.append(f"{name}: no table named (Sage Pro's is needed to serve {name})")
    for name, record in records.items():
        fields = record.get("fields", {})
        for contract in record.get("required", []):
            if not (fields.get(contract) or {}).get("field"):
                problems.append(f"{name}.{contract}: needed, but no field is named")
        for table in record.get("tables", []):
            header = headers.get(table)
            if header is None:
                problems.append(f"{name}: table {table} is missing from the folder")
                continue
            for contract, spec in fields.items():
                wanted = (spec or {}).get("field")
                if wanted and header.field(wanted) is None:
                    problems.append(
                        f"{name}.{contract}: field {wanted} is missing from {header.path.name}"
                    )
    if problems:
        raise LayoutError("the layout does not fit this folder:\n  " + "\n  ".join(problems))


def load(path: Path) -> Layout:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LayoutError(f"{path}: cannot be read as a layout ({exc})") from None
    if not isinstance(data, dict):
        raise LayoutError(f"{path}: a layout is a JSON object")
    return data


def field_name(layout: Layout, record: str, contract: str) -> str | None:
    spec = layout["records"].get(record, {}).get("fields", {}).get(contract)
    return (spec or {}).get("field")
