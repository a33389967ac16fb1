"""The engine layer: golden SQL for VFPOLEDB, a plain refusal off Windows, and the
FixtureEngine's own guarantees (fresh CDX after every write, conflicts, crashes)."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import dbf
import pytest

from app.bridge.dbf_table import read_table
from app.bridge.engine import vfp_sql
from app.bridge.engine.protocol import EngineUnavailableError, RecordInUseError, with_lock_retries
from tests.support.fixture_engine import FixtureEngine, SimulatedCrash, assert_cdx_fresh
from tests.support.sagepro_folder import build_company
from tests.support.sagepro_gl import add_gl_batches

GL = "F:\\APPS\\SBT7\\GLDATA\\GLBTCH01.DBF"


def test_golden_connection_and_session() -> None:
    assert vfp_sql.connection_string("F:\\APPS\\SBT7") == (
        "Provider=VFPOLEDB.1;Data Source=F:\\APPS\\SBT7;Collating Sequence=machine;"
        "Exclusive=No;Deleted=Yes;Mode=ReadWrite|Share Deny None"
    )
    assert vfp_sql.session_setup(7) == [
        ("SET EXCLUSIVE OFF", ()),
        ("SET DELETED ON", ()),
        ("SET REPROCESS TO 7", ()),
        ("SET MULTILOCKS ON", ()),
    ]


def test_golden_seek_insert_update_delete() -> None:
    assert vfp_sql.select_by_tag(GL, "BREF", " pt-batch-7-je ") == (
        f'SELECT RECNO() AS paysage_rn, * FROM "{GL}" WHERE UPPER(ALLTRIM(bref)) == ?',
        ("PT-BATCH-7-JE",),
    )
    assert vfp_sql.select_all(GL) == (f'SELECT RECNO() AS paysage_rn, * FROM "{GL}"', ())
    assert vfp_sql.insert(
        GL, {"BATCHNO": "000043", "CTRLTOT": Decimal("10.00"), "STSDATE": date(2025, 3, 14)}
    ) == (
        f'INSERT INTO "{GL}" (batchno, ctrltot, stsdate) VALUES (?, ?, ?)',
        ("000043", Decimal("10.00"), date(2025, 3, 14)),
    )
    assert vfp_sql.update(
        "S:\\SYSDATA.DBF", {"SYSID": "GL01", "STR9": "0000420000 "}, {"STR9": "0000440000"}
    ) == (
        'UPDATE "S:\\SYSDATA.DBF" SET str9 = ? WHERE ALLTRIM(sysid) == ? AND ALLTRIM(str9) == ?',
        ("0000440000", "GL01", "0000420000"),
    )
    assert vfp_sql.delete(GL, {"BATCHNO": "000043", "CREDIT": True}) == (
        f'DELETE FROM "{GL}" WHERE ALLTRIM(batchno) == ? AND credit = ?',
        ("000043", True),
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda: vfp_sql.insert(GL, {"BATCHNO; DROP": "x"}),
        lambda: vfp_sql.insert(GL, {"GLDAMNT": 1.1}),
        lambda: vfp_sql.delete(GL, {}),
        lambda: vfp_sql.update(GL, {"BATCHNO": "1"}, {}),
        lambda: vfp_sql.insert('x" OR 1=1', {"A": "1"}),
    ],
)
def test_sql_builders_refuse_what_must_never_reach_the_engine(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(vfp_sql.SqlBuildError):
        build()


@pytest.mark.skipif(sys.platform == "win32", reason="checks the refusal off Windows")
def test_vfp_engine_imports_here_and_refuses_in_plain_words(tmp_path: Path) -> None:
    from app.bridge.engine.vfp_oledb import VfpOleDbEngine

    with pytest.raises(EngineUnavailableError, match="only on Windows"):
        VfpOleDbEngine(tmp_path, {})


@pytest.fixture
def gl(tmp_path: Path) -> Path:
    return add_gl_batches(build_company(tmp_path, "pro32", "sysdata"))


def test_fixture_writes_keep_the_cdx_fresh_and_a_dbf_package_write_does_not(gl: Path) -> None:
    batches = gl / "GLBTCH01.DBF"
    engine = FixtureEngine({"GLBTCH": batches})
    engine.append("GLBTCH", {"BATCHNO": "000043", "BREF": "PT-1-JE", "CTRLTOT": Decimal("5")})
    engine.replace("GLBTCH", {"BATCHNO": "000043"}, {"BREF": "PT-2-JE"})
    assert [r.text("BREF") for r in engine.seek("GLBTCH", "BREF", "pt-2-je")] == ["PT-2-JE"]
    assert engine.delete("GLBTCH", {"BATCHNO": "000043"}) == 1
    assert_cdx_fresh(batches)
    assert [r.text("BATCHNO") for r in read_table(batches).rows] == ["000042"]
    # What the bridge must never do: the dbf package appends and leaves the index stale.
    table = dbf.Table(str(batches))
    table.open(dbf.READ_WRITE)
    table.append({"batchno": "000050", "bref": "STALE"})
    table.close()
    with pytest.raises(AssertionError, match="CDX does not match"):
        assert_cdx_fresh(batches)


def test_record_in_use_is_retried_then_given_up(gl: Path) -> None:
    engine = FixtureEngine({"GLBTCH": gl / "GLBTCH01.DBF"}, in_use={"GLBTCH": 2})
    waits: list[float] = []
    with_lock_retries(lambda: engine.lock_record("GLBTCH", {}), attempts=3, sleep=waits.append)
    assert len(waits) == 2 and engine.locks == {"GLBTCH"}
    engine.in_use["GLBTCH"] = 5
    with pytest.raises(RecordInUseError):
        with_lock_retries(lambda: engine.lock_file("GLBTCH"), attempts=3, sleep=waits.append)


def test_crash_after_the_nth_operation_keeps_that_operation(gl: Path) -> None:
    engine = FixtureEngine({"GLBTCH": gl / "GLBTCH01.DBF"}, crash_after=2)
    engine.seek("GLBTCH", "BATCHNO", "000042")
    with pytest.raises(SimulatedCrash):
        engine.append("GLBTCH", {"BATCHNO": "000043"})
    assert len(read_table(gl / "GLBTCH01.DBF").rows) == 2
