"""`paysage bridge check`: the automatable acceptance steps pass on a good copy and fail,
naming the problem, when a token is gone, a token field is too narrow or the engine reads
a table differently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.__main__ import main
from app.bridge.acceptance import FAILED, MANUAL, PASSED, SKIPPED, run_checks
from app.bridge.dbf_table import Row
from app.bridge.discovery import PathMap
from tests.integration.test_bridge_journal_batches import entry, make_site
from tests.support.fixture_engine import FixtureEngine


def _check(tmp_path: Path, engine: object = None) -> dict[str, tuple[str, str]]:
    steps = run_checks(
        tmp_path / "SYS",
        "01",
        (PathMap.parse(f"F:\\APPS\\SBT7={tmp_path}"),),
        journal_log=tmp_path / "state" / "journals.sqlite",
        open_engine=engine,  # type: ignore[arg-type]
    )
    return {step.title: (step.outcome, step.detail) for step in steps}


def test_a_good_copy_passes_every_automatable_step(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.writer.post(entry())
    steps = _check(tmp_path, lambda found: FixtureEngine(found.tables))
    assert {title: outcome for title, (outcome, _) in steps.items()} == {
        "Survey the company": PASSED,
        "Layout": PASSED,
        "GL batch tables and token fields": PASSED,
        "SYSDATA counters": PASSED,
        "Reader parity with the FoxPro engine": PASSED,
        "Journal tokens found in Sage Pro": PASSED,
        "Sage Pro's own checks": MANUAL,
    }
    assert steps["SYSDATA counters"][1] == "next batch 000044, next sequence 001235"
    assert "PT-BATCH-7-JE → batch 000043 (unposted)" in steps["Journal tokens found in Sage Pro"][1]
    assert _check(tmp_path)["Reader parity with the FoxPro engine"][0] == SKIPPED


def test_a_token_gone_after_a_restore_fails(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    backup = tmp_path / "backup"
    shutil.copytree(tmp_path / "GLDATA", backup)
    site.writer.post(entry())
    shutil.rmtree(tmp_path / "GLDATA")
    shutil.copytree(backup, tmp_path / "GLDATA")
    outcome, detail = _check(tmp_path)["Journal tokens found in Sage Pro"]
    assert outcome == FAILED and "PT-BATCH-7-JE" in detail


def test_a_narrow_token_field_fails(tmp_path: Path) -> None:
    make_site(tmp_path, glrefr_width=6)
    outcome, detail = _check(tmp_path)["GL batch tables and token fields"]
    assert outcome == FAILED and "GLHUNP.GLREFR is 6 wide" in detail


class _EngineMissingARow(FixtureEngine):
    def all_rows(self, table: str) -> list[Row]:
        rows = super().all_rows(table)
        return rows[:-1] if table == "GLACNT" else rows


def test_reader_and_engine_disagreeing_fails(tmp_path: Path) -> None:
    make_site(tmp_path)
    outcome, detail = _check(tmp_path, lambda found: _EngineMissingARow(found.tables))[
        "Reader parity with the FoxPro engine"
    ]
    assert outcome == FAILED and detail.startswith("GLACNT: records [4]")


def test_check_command_prints_each_step_and_exits_1_on_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_site(tmp_path, bref_width=6)
    argv = ["bridge", "check", "--data-folder", str(tmp_path / "SYS")]
    argv += ["--path-map", f"F:\\APPS\\SBT7={tmp_path}", "--state-folder", str(tmp_path / "s")]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "3. [failed] GL batch tables and token fields: GLBTCH.BREF is 6 wide" in out
    assert "5. [skipped] Reader parity" in out and "7. [manual]" in out
