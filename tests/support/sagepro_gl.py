"""The GL batch tables (GLBTCH, GLHUNP, GLDUNP) added to a fixture company, plus GL accounts
and a fiscal calendar that match the stand-in's seed, so the contract's journal tests run
against the bridge unchanged.

Field names are Aria's SBT link (bridge doc §1.3, VERIFIED); widths are ASSUMED for the
fixture (the real ones are read from the headers at run time). Tables are built with
dbflib (VFP, structural CDX on the tags the writer seeks), as in the ``pro32`` flavour.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.support.sagepro_folder import COMPANY, GLACNT, SYCDFIS, Company, Spec, write_table


def glbtch_specs(bref_width: int) -> list[Spec]:
    return [
        ("BATCHNO", "C", 6, 0, "ARIA; width from STR9's 6 digits"),
        ("BDESC", "C", 30, 0, "ARIA; width ASSUMED"),
        ("YEARPRD", "C", 6, 0, "ARIA"),
        ("BREF", "C", bref_width, 0, "ARIA; width ASSUMED (unknown)"),
        ("LOWSEQ", "C", 6, 0, "ARIA; width ASSUMED"),
        ("UPPSEQ", "C", 6, 0, "ARIA; width ASSUMED"),
        ("BTYPE", "C", 1, 0, "ARIA"),
        ("BSTAT", "C", 1, 0, "ARIA ('U' unposted)"),
        ("CTRLTOT", "N", 14, 2, "ARIA; width ASSUMED"),
        ("DRTOTAL", "N", 14, 2, "ARIA; width ASSUMED"),
        ("CRTOTAL", "N", 14, 2, "ARIA; width ASSUMED"),
        ("STSUSER", "C", 4, 0, "ARIA; width ASSUMED"),
        ("STSDATE", "D", 8, 0, "ARIA"),
        ("PSTUSER", "C", 4, 0, "ARIA; width ASSUMED"),
        ("PSTDATE", "D", 8, 0, "ARIA"),
        ("LCKSTAT", "C", 1, 0, "ARIA"),
    ]


def glhunp_specs(glrefr_width: int) -> list[Spec]:
    return [
        ("BATCHNO", "C", 6, 0, "ARIA"),
        ("GLSEQNO", "C", 6, 0, "ARIA; from STR10's 6 digits"),
        ("GLTDES", "C", 30, 0, "ARIA; width ASSUMED"),
        ("GLREFR", "C", glrefr_width, 0, "ARIA; width ASSUMED (unknown)"),
        ("GLDATE", "D", 8, 0, "ARIA"),
        ("YEARPRD", "C", 6, 0, "ARIA"),
        ("STATUS", "C", 1, 0, "ARIA ('U')"),
        ("TRTYPE", "C", 1, 0, "ARIA"),
        ("GLMODULE", "C", 2, 0, "ARIA"),
        ("GLCOMP", "C", 2, 0, "ARIA"),
        ("GLREVRS", "C", 1, 0, "ARIA"),
    ]


GLDUNP: list[Spec] = [
    ("GLACNT", "C", 9, 0, "ARIA; width CKX"),
    ("BATCHNO", "C", 6, 0, "ARIA"),
    ("GLSEQNO", "C", 6, 0, "ARIA"),
    ("GLTDES", "C", 30, 0, "ARIA; width ASSUMED"),
    ("GLDAMNT", "N", 14, 2, "ARIA; width ASSUMED"),
    ("GLCAMNT", "N", 14, 2, "ARIA; width ASSUMED"),
    ("CREDIT", "L", 1, 0, "ARIA"),
]

# The stand-in's seeded accounts (app/sandbox/sagepro/seed.py), plus the fixture's own.
SEED_ACCOUNTS = [
    {"GLACNT": "1010", "GLDESC": "Operating bank account", "GLSTAT": " "},
    {"GLACNT": "1040", "GLDESC": "Old card clearing (closed)", "GLSTAT": "I"},
    {"GLACNT": "1050", "GLDESC": "Card clearing - PayTrace", "GLSTAT": " "},
    {"GLACNT": "6150", "GLDESC": "Merchant card fees", "GLSTAT": " "},
]

USED_BATCH = "000042"  # SYSDATA's STR9 says 42 is next, but a batch 42 exists: skip it


def gl_periods() -> list[dict[str, Any]]:
    """Fiscal 2024-2025 monthly (2024-12 locked, as in the stand-in; 2025-02 permanently
    locked), period 2025-11 present but deleted (row index returned by ``DELETED_PERIOD``)."""
    rows = []
    for year in (2024, 2025):
        for month in range(1, 13):
            end = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1
            rows.append(
                {
                    "COMPID": COMPANY,
                    "YEARPRD": f"{year}{month:02d}",
                    "BDATE": date(year, month, 1),
                    "EDATE": date.fromordinal(end),
                    "PERMLCK": (year, month) == (2025, 2),
                    "PLOCKED": (year, month) == (2024, 12),
                    "PCLOSED": False,
                }
            )
    return rows


DELETED_PERIOD = 23  # 1-based record of 2025-11


def add_gl_batches(company: Company, *, bref_width: int = 20, glrefr_width: int = 20) -> Path:
    """Rewrite GLACNT and SYCDFIS and add empty GL batch tables (one used batch number).
    Returns the GL folder."""
    gl = _folder(company, "GLACNT01.DBF")
    system = _folder(company, "SYCDFIS.DBF")
    flavour = "pro32"  # the batch tables carry CDX tags; dbflib writes VFP tables
    _replace(gl, "GLACNT01.DBF")
    write_table(gl / "GLACNT01.DBF", GLACNT, SEED_ACCOUNTS, flavour, indexes={"GLACNT": "glacnt"})
    _replace(system, "SYCDFIS.DBF")
    write_table(
        system / "SYCDFIS.DBF",
        SYCDFIS,
        gl_periods(),
        flavour,
        deleted=(DELETED_PERIOD,),
        indexes={"COMPID1": "compid+yearprd"},
    )
    used = {
        "BATCHNO": USED_BATCH,
        "BDESC": "Entered in Sage Pro",
        "YEARPRD": "202503",
        "BREF": "MANUAL",
        "BSTAT": "U",
    }
    write_table(
        gl / "GLBTCH01.DBF",
        glbtch_specs(bref_width),
        [used],
        flavour,
        indexes={"BATCHNO": "batchno", "BREF": "bref"},
    )
    write_table(
        gl / "GLHUNP01.DBF",
        glhunp_specs(glrefr_width),
        [],
        flavour,
        indexes={"BATCHNO": "batchno+glseqno", "GLREFR": "glrefr"},
    )
    write_table(gl / "GLDUNP01.DBF", GLDUNP, [], flavour, indexes={"BATCHNO": "batchno+glseqno"})
    return gl


def _folder(company: Company, name: str) -> Path:
    return next(p.parent for p in company.table_files() if p.name.upper() == name)


def _replace(folder: Path, name: str) -> None:
    for path in folder.iterdir():
        if path.stem.upper() == Path(name).stem.upper():
            path.unlink()
