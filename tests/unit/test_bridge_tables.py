"""The bridge's table reader, discovery and layout over fixture companies built on the fly
(both flavours, both folder shapes), cross-checked with ``dbfread`` as a second reader."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dbfread import DBF, FieldParser

from app.bridge import layout as layouts
from app.bridge.dbf_table import read_header, read_table
from app.bridge.discovery import DiscoveryError, PathMap, discover
from tests.support.sagepro_folder import Company, build_company, patch_field

FLAVOURS = ("sbt7", "pro32")
SHAPES = ("sysdata", "one-folder")


@pytest.fixture(params=[(f, s) for f in FLAVOURS for s in SHAPES], ids=lambda p: "-".join(p))
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Company:
    flavour, shape = request.param
    return build_company(tmp_path, flavour, shape)


def _maps(company: Company) -> tuple[PathMap, ...]:
    return (PathMap.parse(company.path_map),) if company.path_map else ()


def _tables(company: Company) -> dict[str, Path]:
    return discover(company.data_folder, "01", _maps(company)).tables


def test_header_facts_follow_the_flavour(company: Company) -> None:
    header = read_header(_tables(company)["ARCUST"])
    if company.flavour == "sbt7":
        assert (header.version, header.code_page_mark) == (0x03, 0)
        assert header.field("balance") is not None and header.field("BALANCE").type == "N"
        assert header.field("email").width == 128
    else:
        assert (header.version, header.code_page_mark) == (0x30, 0x03)
        assert header.field("Balance").type == "Y" and header.field("EMAIL").type == "M"
        assert header.has_structural_cdx
    assert header.record_count == 4  # the deleted row is still in the file


def test_rows_are_exact_and_skip_deleted_records(company: Company) -> None:
    read = read_table(_tables(company)["ARCUST"])
    by_id = {row.text("custno"): row for row in read.rows}
    assert read.deleted == 1 and "C300" not in by_id
    cafe = by_id["C100"]
    assert cafe.values["BALANCE"] == Decimal("1300.00")  # exact, never a float
    assert isinstance(cafe.values["BALANCE"], Decimal)
    assert cafe.text("company") == "Café Élan Ltd"  # code page 0 read with the site's cp1252
    assert cafe.day("LASTPAY") == date(2026, 2, 3)
    assert cafe.text("EMAIL") == "billing@cafe-elan.example"  # C(128) or a memo


def test_keys_keep_sage_pros_right_justified_padding(company: Company) -> None:
    read = read_table(_tables(company)["ARMAST"])
    first = read.rows[0]
    assert first.raw_text("INVNO") == "      1001" and first.text("INVNO") == "1001"


def test_bad_values_are_reported_with_their_record_not_raised(company: Company) -> None:
    invoices = read_table(_tables(company)["ARMAST"])
    bad_dates = [(b.record, b.field, b.raw) for b in invoices.bad_values]
    assert bad_dates == [(5, "INVDTE", "21323213")]
    assert next(r for r in invoices.rows if r.record == 5).day("INVDTE") is None
    customers = read_table(_tables(company)["ARCUST"])
    if company.flavour == "sbt7":
        assert [(b.record, b.field, b.problem) for b in customers.bad_values] == [
            (4, "BALANCE", "number too large for its field (****)")
        ]
    else:
        assert customers.bad_values == []  # currency (Y) cannot overflow


def test_the_site_code_page_decides_text_only_where_the_table_says_none(
    tmp_path: Path,
) -> None:
    sbt7 = build_company(tmp_path / "a", "sbt7", "one-folder")
    pro32 = build_company(tmp_path / "b", "pro32", "one-folder")
    name = lambda c, cp: read_table(_tables(c)["ARCUST"], cp).rows[0].text("COMPANY")  # noqa: E731
    assert name(sbt7, "cp437") != "Café Élan Ltd"  # byte 0: the site setting is used
    assert name(pro32, "cp437") == "Café Élan Ltd"  # mark 0x03: the table's own cp1252


# --- dbfread as the second reader -------------------------------------------------------


class _LenientParser(FieldParser):
    """dbfread with exact money and bad values as None, as the bridge reads them."""

    def parseN(self, field: Any, data: bytes) -> Decimal | None:
        text = data.strip(b" \x00")
        if not text or text.startswith(b"*"):
            return None
        return Decimal(text.decode("ascii"))

    def parseD(self, field: Any, data: bytes) -> date | None:
        try:
            return super().parseD(field, data)
        except ValueError:
            return None


def _canonical(value: Any) -> Any:
    if isinstance(value, str):
        return value.rstrip() or None  # a blank memo: "" from one reader, None from the other
    if isinstance(value, Decimal):
        return value.normalize()
    if value is None or value == "":
        return None
    return value


def test_dbf_and_dbfread_readers_agree_on_every_fixture_table(company: Company) -> None:
    tables = _tables(company)
    assert len(tables) >= 6
    for base, path in tables.items():
        read = read_table(path)
        mark = read.header.code_page_mark
        other = DBF(
            str(path),
            encoding="cp1252",
            parserclass=_LenientParser,
            char_decode_errors="strict",
            raw=False,
        )
        theirs = [
            {k: _canonical(v) for k, v in record.items() if k != "_NullFlags"} for record in other
        ]
        ours = [{k: _canonical(v) for k, v in row.values.items()} for row in read.rows]
        assert ours == theirs, f"{base} ({path.name}, code page mark {mark})"


# --- discovery ----------------------------------------------------------------------------


def test_sysdata_discovery_uses_the_live_rows_and_rewrites_drive_paths(tmp_path: Path) -> None:
    company = build_company(tmp_path, "sbt7", "sysdata")
    found = discover(company.data_folder, "01", _maps(company))
    assert found.mode == "sysdata"
    assert found.module_folders["AR"] == tmp_path / "ARDATA"  # not F:\OLD, not F:\GONE
    assert found.tables["ARCUST"].name == "arcust01.dbf"  # any case
    assert found.tables["ARMAST"].name == "ArMast01.DBF"
    assert found.tables["SYCDFIS"].parent == tmp_path / "SYS"
    ignored = {row.path: row.ignored for row in found.sysdata_rows}
    assert ignored["F:\\OLD\\ARDATA"] == "PASS2 marks it deleted"
    assert "F:\\GONE\\ARDATA" not in ignored  # the deleted row is never read


def test_without_the_path_map_discovery_says_which_path_to_map(tmp_path: Path) -> None:
    company = build_company(tmp_path, "sbt7", "sysdata")
    with pytest.raises(DiscoveryError, match=r"--path-map 'F:\\APPS\\SBT7\\ARDATA"):
        discover(company.data_folder, "01")


def test_one_folder_discovery_finds_system_tables_one_level_up(tmp_path: Path) -> None:
    company = build_company(tmp_path, "pro32", "one-folder")
    found = discover(company.data_folder, "01")
    assert found.mode == "one-folder"
    assert found.tables["ARMAST"].name == "armast01.dbf"
    assert found.tables["SYCDFIS"] == tmp_path / "SYCDFIS.DBF"


def test_path_maps_rewrite_drive_letters_and_unc_paths_without_regard_to_case(
    tmp_path: Path,
) -> None:
    (tmp_path / "ArData").mkdir()
    drive = PathMap.parse(f"f:\\apps\\SBT7={tmp_path}")
    assert drive.rewrite("F:\\APPS\\SBT7\\ARDATA\\") == tmp_path / "ArData"
    assert drive.rewrite("G:\\APPS\\SBT7\\ARDATA") is None
    unc = PathMap.parse(f"\\\\server\\sbt={tmp_path}")
    assert unc.rewrite("\\\\SERVER\\SBT\\ardata") == tmp_path / "ArData"
    with pytest.raises(DiscoveryError, match="must look like"):
        PathMap.parse("F:\\APPS\\SBT7")


def test_a_missing_company_is_a_plain_error(tmp_path: Path) -> None:
    company = build_company(tmp_path, "pro32", "one-folder")
    with pytest.raises(DiscoveryError, match=r"no ARCUST02\.DBF"):
        discover(company.data_folder, "02")


# --- layout -------------------------------------------------------------------------------


def test_the_proposed_layout_marks_what_the_headers_lack(tmp_path: Path) -> None:
    company = build_company(tmp_path, "sbt7", "one-folder")
    found = discover(company.data_folder, "01")
    headers = {base: read_header(path) for base, path in found.tables.items()}
    proposed, gaps = layouts.propose("01", headers)
    assert "customers.CreditHold: field CREDSTAT not in ARCUST" in gaps
    assert proposed["records"]["customers"]["fields"]["CreditHold"]["field"] is None
    assert proposed["records"]["payments"]["fields"]["PaymentReference"]["status"] == "uncertain"
    layouts.check(proposed, headers)  # what survey proposes, serve accepts


def test_a_layout_naming_a_missing_field_or_table_is_refused_by_name(tmp_path: Path) -> None:
    company = build_company(tmp_path, "pro32", "one-folder")
    found = discover(company.data_folder, "01")
    headers = {base: read_header(path) for base, path in found.tables.items()}
    proposed, _ = layouts.propose("01", headers)
    proposed["records"]["invoices"]["fields"]["Balance"]["field"] = "OPENBAL"
    proposed["records"]["glaccounts"]["tables"] = ["GLACCT"]
    with pytest.raises(layouts.LayoutError) as refused:
        layouts.check(proposed, headers)
    assert "invoices.Balance: field OPENBAL is missing from armast01.dbf" in str(refused.value)
    assert "glaccounts: table GLACCT is missing from the folder" in str(refused.value)


def test_a_torn_overflow_in_a_key_field_is_reported_not_fatal(tmp_path: Path) -> None:
    company = build_company(tmp_path, "pro32", "one-folder")
    path = _tables(company)["ARMAST"]
    patch_field(path, 2, "PNET", b"***")
    read = read_table(path)
    assert [(b.record, b.field) for b in read.bad_values] == [(2, "PNET"), (5, "INVDTE")]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_torn_last_record_is_reported_and_the_rest_read(tmp_path: Path, flavour: str) -> None:
    company = build_company(tmp_path, flavour, "one-folder")
    path = _tables(company)["ARMAST"]
    data = path.read_bytes()
    header = read_header(path)
    record_length = int.from_bytes(data[10:12], "little")
    header_length = int.from_bytes(data[8:10], "little")
    cut = header_length + record_length * (header.record_count - 1) + record_length // 2
    path.write_bytes(data[:cut])  # the last record half written, no end-of-file mark
    read = read_table(path)
    assert [row.text("INVNO") for row in read.rows] == ["1001", "1002", "1003", "1004", "1005"]
    assert read.bad_values[-1].record == 7
    assert "not complete" in read.bad_values[-1].problem


def test_cdx_tag_definitions_agree_with_dbflib_on_every_fixture_index(tmp_path: Path) -> None:
    from dbflib import read_cdx_definitions

    from app.bridge.cdx_tags import read_tag_definitions

    company = build_company(tmp_path, "pro32", "sysdata")
    indexes = [p for p in company.table_files() if p.suffix.upper() == ".CDX"]
    assert len(indexes) == 4
    for index in indexes:
        ours = [(t.tag, t.key, t.unique) for t in read_tag_definitions(index)]
        theirs = [
            (t, s["key"], s.get("unique", False)) for t, s in read_cdx_definitions(str(index))
        ]
        assert ours == theirs, index.name
