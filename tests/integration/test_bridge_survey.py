"""`paysage bridge survey` on fixture companies: one JSON report, read-only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from app.__main__ import main
from tests.support.sagepro_folder import Company, build_company


def _survey(company: Company, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    argv = ["bridge", "survey", "--data-folder", str(company.data_folder), "--company", "01"]
    if company.path_map:
        argv += ["--path-map", company.path_map]
    assert main([*argv, *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _digests(company: Company) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in company.table_files()}


@pytest.mark.parametrize("shape", ["sysdata", "one-folder"])
def test_survey_of_a_foxpro_2_company(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    company = build_company(tmp_path, "sbt7", shape)
    before = _digests(company)
    report = _survey(company, capsys)
    assert _digests(company) == before  # nothing written, not even a header date
    assert report["company"] == "01" and report["discovery"]["mode"] == shape
    tables = {t["table"]: t for t in report["tables"]}
    assert {"ARCUST", "ARMAST", "ARCASH", "ARYCSH", "GLACNT", "SYCDFIS"} <= set(tables)
    arcust = tables["ARCUST"]
    assert arcust["header_version"] == "0x03" and arcust["code_page_mark"] == "0x00"
    assert arcust["code_page"].startswith("cp1252 (site setting")
    assert (arcust["records"], arcust["live_records"], arcust["deleted"]) == (4, 3, 1)
    assert arcust["last_update"] is not None
    assert {"name": "BALANCE", "type": "N", "width": 12, "decimals": 2} in arcust["fields"]
    assert arcust["cdx"] is None
    assert arcust["unreadable_values"] == [
        {
            "record": 4,
            "field": "BALANCE",
            "raw": "************",
            "problem": "number too large for its field (****)",
        }
    ]
    assert tables["ARMAST"]["unreadable_values"][0] == {
        "record": 5,
        "field": "INVDTE",
        "raw": "21323213",
        "problem": "not a real date",
    }
    layout = report["proposed_layout"]
    assert layout["records"]["customers"]["fields"]["CustomerID"]["field"] == "CUSTNO"
    assert "customers.Status: field CUSTSTAT not in ARCUST" in report["layout_gaps"]
    if shape == "sysdata":
        rows = report["discovery"]["sysdata_rows"]
        assert [r["sysid"] for r in rows if not r["ignored"]] == ["GL01", "AR01"]


def test_survey_of_a_visual_foxpro_company_lists_cdx_tags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    company = build_company(tmp_path, "pro32", "sysdata")
    before = _digests(company)
    report = _survey(company, capsys, "--code-page", "cp437")
    assert _digests(company) == before
    tables = {t["table"]: t for t in report["tables"]}
    assert tables["ARCUST"]["header_version"] == "0x30"
    assert tables["ARCUST"]["code_page"] == "cp1252"  # the table's own mark wins
    assert tables["ARCUST"]["cdx"]["tags"] == [  # in the CDX's own tag order
        {"tag": "COMPANY1", "key": "company+custno"},
        {"tag": "CUSTNO", "key": "custno"},
    ]
    assert tables["SYCDFIS"]["cdx"]["tags"] == [{"tag": "COMPID1", "key": "compid+yearprd"}]
    assert tables["ARCASH"]["cdx"] is None
    assert report["layout_gaps"] == []
    assert [(t["table"], t["width"], len(t["typed_as"])) for t in report["token_fields"]] == [
        ("ARCASH", 10, 10),
        ("ARYCSH", 10, 10),
    ]  # PT-79388123-PAY needs a 10-character code


def test_survey_without_the_path_map_says_what_to_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    company = build_company(tmp_path, "sbt7", "sysdata")
    code = main(["bridge", "survey", "--data-folder", str(company.data_folder)])
    assert code == 2
    assert "add --path-map 'F:\\APPS\\SBT7\\ARDATA" in capsys.readouterr().err


@pytest.mark.timeout(60)  # dbflib's reader loops for ever on this file; ours must not
def test_a_damaged_cdx_is_reported_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    company = build_company(tmp_path, "pro32", "one-folder")
    (company.data_folder / "ARCUST01.CDX").write_bytes(b"")  # e.g. cut short by a copy
    (company.data_folder / "ARMAST01.cdx").write_bytes(b"\x00" * 700)
    tables = {t["table"]: t for t in _survey(company, capsys)["tables"]}
    assert "tags cannot be read" in tables["ARCUST"]["cdx"]["error"]
    assert "tags cannot be read" in tables["ARMAST"]["cdx"]["error"]
