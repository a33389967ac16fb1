"""Find one company's Sage Pro tables, both ways seen at real sites.

1. ``SYSDATA.DBF`` in the system folder names each module's data path: the row
   ``SYSID = "GL"+company`` keeps it in ``SUBSTR(DRIVE,61,30)`` (verified from Aria's SBT
   link; the AR and SO rows are assumed to work the same way). Rows marked deleted or with
   ``PASS2`` starting "D" are ignored. The paths are Windows paths as a workstation sees them
   (``F:\\APPS\\SBT7\\ARDATA``, ``\\\\server\\sbt\\ardata``), rewritten by ``--path-map``.
2. One folder holding the company tables (``ARCUST01.DBF`` …), with the system tables
   (``SYCDFIS``) in the same folder or its parent.

File names match without regard to case (``armast01.dbf``, ``Arcash01.DBF``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from app.bridge.dbf_table import TableReadError, read_table
from app.errors import PaysageError

# Company tables by module (base names; the file adds the company: ARCUST + 01).
MODULE_TABLES: dict[str, tuple[str, ...]] = {
    "AR": ("ARCUST", "ARMAST", "ARTRAN", "ARCASH", "ARYCSH", "ARYMST"),
    "GL": ("GLACNT", "GLBTCH", "GLHUNP", "GLDUNP"),
    "SO": ("SOMAST", "SOTRAN"),
}
SYSTEM_TABLES = ("SYSDATA", "SYCDFIS", "SYCCOMP")
SYSDATA_PATH_START, SYSDATA_PATH_WIDTH = 60, 30  # SUBSTR(DRIVE,61,30)


class DiscoveryError(PaysageError):
    """The folder cannot be read as a Sage Pro company; the message says what to do."""


@dataclass(frozen=True)
class PathMap:
    """``F:\\APPS\\SBT7=/mnt/sbt7``: a Windows prefix and where this computer sees it."""

    windows_prefix: str
    local: Path

    @classmethod
    def parse(cls, text: str) -> PathMap:
        prefix, sep, local = text.rpartition("=")
        if not sep or not prefix.strip() or not local.strip():
            raise DiscoveryError(
                f"--path-map {text!r} must look like 'F:\\APPS\\SBT7=/folder/seen/here'"
            )
        return cls(prefix.strip(), Path(local.strip()))

    def rewrite(self, windows_path: str) -> Path | None:
        """The local path for ``windows_path``, or None when the prefix does not match."""
        parts = _windows_parts(windows_path)
        prefix = _windows_parts(self.windows_prefix)
        if [p.upper() for p in parts[: len(prefix)]] != [p.upper() for p in prefix]:
            return None
        folder = self.local
        for part in parts[len(prefix) :]:
            folder = find_entry(folder, part) or folder / part
        return folder


def _windows_parts(path: str) -> list[str]:
    pure = PureWindowsPath(path.strip().replace("/", "\\"))
    return [part.rstrip("\\").upper() if i == 0 else part for i, part in enumerate(pure.parts)]


def find_entry(folder: Path, name: str) -> Path | None:
    """``folder/name`` matched without regard to case, or None."""
    exact = folder / name
    if exact.exists():
        return exact
    try:
        entries = list(folder.iterdir())
    except OSError:
        return None
    wanted = name.upper()
    return next((entry for entry in entries if entry.name.upper() == wanted), None)


@dataclass(frozen=True)
class SysdataRow:
    record: int
    sysid: str
    path: str  # as stored (Windows path)
    local: str  # where it was found here ("" when not found)
    ignored: str  # why the row is not used ("" when it is)


@dataclass
class CompanyFolder:
    company: str
    mode: str  # "sysdata" or "one-folder"
    system_folder: Path | None
    module_folders: dict[str, Path] = field(default_factory=dict)
    tables: dict[str, Path] = field(default_factory=dict)  # base name → file
    sysdata_rows: list[SysdataRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, base: str) -> Path | None:
        return self.tables.get(base.upper())


def discover(
    data_folder: Path,
    company: str = "01",
    path_maps: tuple[PathMap, ...] = (),
    code_page: str = "cp1252",
) -> CompanyFolder:
    if not data_folder.is_dir():
        raise DiscoveryError(f"{data_folder} is not a folder this computer can see")
    company = company.strip()
    sysdata = find_entry(data_folder, "SYSDATA.DBF")
    own_tables = _company_tables(data_folder, company)
    if sysdata is not None and not own_tables:
        found = CompanyFolder(company, "sysdata", data_folder)
        _modules_from_sysdata(found, sysdata, path_maps, code_page)
    else:
        found = CompanyFolder(company, "one-folder", None)
        found.module_folders = {module: data_folder for module in MODULE_TABLES}
    for module, folder in found.module_folders.items():
        for base in MODULE_TABLES[module]:
            path = find_entry(folder, f"{base}{company}.DBF")
            if path is not None:
                found.tables[base] = path
    _system_tables(found, data_folder)
    if not found.tables.get("ARCUST"):
        raise DiscoveryError(
            f"no ARCUST{company}.DBF was found for company {company} in {data_folder}"
            + (" or the module folders SYSDATA names" if found.mode == "sysdata" else "")
            + "; check --data-folder, --company and --path-map"
            + "".join(f"\n  {note}" for note in found.notes)
        )
    return found


def _company_tables(folder: Path, company: str) -> bool:
    return any(find_entry(folder, f"{base}{company}.DBF") for base in MODULE_TABLES["AR"])


def _system_tables(found: CompanyFolder, data_folder: Path) -> None:
    folders = [found.system_folder] if found.system_folder else []
    folders += [data_folder, data_folder.parent]  # MEY keeps them one level up
    for base in SYSTEM_TABLES:
        for folder in folders:
            if folder is None:
                continue
            path = find_entry(folder, f"{base}.DBF")
            if path is not None:
                found.tables[base] = path
                if found.system_folder is None:
                    found.system_folder = folder
                break


def _modules_from_sysdata(
    found: CompanyFolder, sysdata: Path, path_maps: tuple[PathMap, ...], code_page: str
) -> None:
    try:
        read = read_table(sysdata, code_page)
    except TableReadError as exc:
        raise DiscoveryError(f"SYSDATA.DBF cannot be read: {exc}") from None
    if read.header.field("SYSID") is None or read.header.field("DRIVE") is None:
        raise DiscoveryError(f"{sysdata} has no SYSID and DRIVE fields; is it Sage Pro's?")
    for row in read.rows:
        sysid = row.text("SYSID").upper()
        module = sysid[:2]
        if sysid[2:] != found.company or module not in MODULE_TABLES:
            continue
        stored = row.raw_text("DRIVE")[SYSDATA_PATH_START:][:SYSDATA_PATH_WIDTH].strip()
        ignored = ""
        if row.text("PASS2").upper().startswith("D"):
            ignored = "PASS2 marks it deleted"
        elif not stored:
            ignored = "no path in DRIVE columns 61-90"
        local = None if ignored else _local_folder(stored, path_maps)
        if not ignored and local is None:
            ignored = "this computer cannot see that path; add --path-map"
            found.notes.append(
                f"SYSDATA row {sysid} names {stored}, which this computer cannot see; "
                f"add --path-map '{stored}=<folder as seen here>'"
            )
        found.sysdata_rows.append(SysdataRow(row.record, sysid, stored, str(local or ""), ignored))
        if local is not None and module not in found.module_folders:
            found.module_folders[module] = local
    if read.deleted:
        found.notes.append(f"SYSDATA.DBF: {read.deleted} deleted row(s) ignored")
    # The AR and SO rows are not verified: without one, look beside GL and in the system folder.
    fallbacks = [found.module_folders.get("GL"), found.system_folder]
    for module in MODULE_TABLES:
        if module not in found.module_folders:
            for folder in fallbacks:
                if folder is not None and _has_any(folder, module, found.company):
                    found.module_folders[module] = folder
                    found.notes.append(
                        f"no usable SYSDATA row for {module}{found.company}; "
                        f"its tables were found in {folder}"
                    )
                    break


def _has_any(folder: Path, module: str, company: str) -> bool:
    return any(find_entry(folder, f"{base}{company}.DBF") for base in MODULE_TABLES[module])


def _local_folder(stored: str, path_maps: tuple[PathMap, ...]) -> Path | None:
    for path_map in sorted(path_maps, key=lambda m: -len(m.windows_prefix)):
        local = path_map.rewrite(stored)
        if local is not None and local.is_dir():
            return local
    as_is = Path(stored)  # the bridge may run on the workstation that maps the share
    return as_is if as_is.is_dir() else None
