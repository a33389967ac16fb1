"""``paysage bridge survey``: what a Sage Pro data folder holds, as one JSON report.

Read-only. For each table of the company: file, header version, code page, record count,
deleted rows, last update, every field, the CDX tag expressions where a structural CDX
exists, and every unreadable value with its record number; then the layout it proposes.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from app.bridge import layout as layouts
from app.bridge.cdx_tags import CdxDamagedError, read_tag_definitions
from app.bridge.dbf_table import TableHeader, TableReadError, read_table
from app.bridge.discovery import CompanyFolder, PathMap, discover, find_entry
from app.bridge.tokens import TokenWidthError, token_for

MAX_BAD_VALUES_PER_TABLE = 200  # a report stays readable; the count says how many more


def survey(
    data_folder: Path,
    company: str = "01",
    path_maps: tuple[PathMap, ...] = (),
    code_page: str = "cp1252",
) -> dict[str, Any]:
    found = discover(data_folder, company, path_maps, code_page)
    tables: list[dict[str, Any]] = []
    headers: dict[str, TableHeader] = {}
    for base, path in sorted(found.tables.items()):
        entry, header = _table_report(base, path, code_page)
        tables.append(entry)
        if header is not None:
            headers[base] = header
    proposed, gaps = layouts.propose(found.company, headers)
    return {
        "token_fields": _token_fields(proposed, headers),
        "data_folder": str(data_folder),
        "company": found.company,
        "discovery": _discovery_report(found),
        "site_code_page": code_page,
        "tables": tables,
        "proposed_layout": proposed,
        "layout_gaps": gaps,
    }


def _token_fields(layout: layouts.Layout, headers: dict[str, TableHeader]) -> list[dict[str, Any]]:
    """Where a staged receipt's token is looked for, and what the bookkeeper would type."""
    record = layout["records"]["payments"]
    field = record["fields"]["PaymentReference"]["field"]
    found = []
    for table in record["tables"]:
        spec = headers[table].field(field) if field else None
        if spec is None:
            continue
        example = "PT-79388123-PAY"
        try:
            typed = token_for(example, spec.width)
        except TokenWidthError as exc:
            typed = f"none: {exc}"
        found.append(
            {
                "table": table,
                "field": spec.name,
                "width": spec.width,
                "example_key": example,
                "typed_as": typed,
            }
        )
    return found


def _discovery_report(found: CompanyFolder) -> dict[str, Any]:
    return {
        "mode": found.mode,
        "system_folder": str(found.system_folder) if found.system_folder else None,
        "module_folders": {module: str(path) for module, path in found.module_folders.items()},
        "sysdata_rows": [
            {
                "record": row.record,
                "sysid": row.sysid,
                "path": row.path,
                "found_at": row.local or None,
                "ignored": row.ignored or None,
            }
            for row in found.sysdata_rows
        ],
        "notes": list(found.notes),
    }


def _table_report(
    base: str, path: Path, code_page: str
) -> tuple[dict[str, Any], TableHeader | None]:
    entry: dict[str, Any] = {"table": base, "file": str(path)}
    try:
        read = read_table(path, code_page)
    except TableReadError as exc:
        entry["error"] = str(exc)
        return entry, None
    header = read.header
    entry.update(
        {
            "header_version": f"0x{header.version:02X}",
            "format": header.version_name,
            "code_page_mark": f"0x{header.code_page_mark:02X}",
            "code_page": header.code_page
            + (" (site setting: the table does not say)" if header.code_page_mark == 0 else ""),
            "records": header.record_count,
            "live_records": len(read.rows),
            "deleted": read.deleted,
            "last_update": header.last_update.isoformat() if header.last_update else None,
            "fields": [
                {"name": f.name, "type": f.type, "width": f.width, "decimals": f.decimals}
                for f in header.fields
            ],
            "cdx": _cdx_report(path, header),
            "unreadable_values": [
                {"record": bad.record, "field": bad.field, "raw": bad.raw, "problem": bad.problem}
                for bad in read.bad_values[:MAX_BAD_VALUES_PER_TABLE]
            ],
            "unreadable_count": len(read.bad_values),
        }
    )
    return entry, header


def _cdx_report(path: Path, header: TableHeader) -> dict[str, Any] | None:
    cdx = find_entry(path.parent, path.stem + ".CDX")
    if cdx is None:
        return (
            {"error": "the header flags a structural CDX, but none is there"}
            if (header.has_structural_cdx)
            else None
        )
    try:
        definitions = read_tag_definitions(cdx)
    except (OSError, CdxDamagedError, struct.error, UnicodeDecodeError) as exc:
        return {"file": str(cdx), "error": f"tags cannot be read: the index looks damaged ({exc})"}
    tags = []
    for tag in definitions:
        entry: dict[str, Any] = {"tag": tag.tag, "key": tag.key}
        if tag.filter:
            entry["filter"] = tag.filter
        if tag.unique:
            entry["unique"] = True
        if tag.descending:
            entry["descending"] = True
        tags.append(entry)
    return {"file": str(cdx), "tags": tags}
