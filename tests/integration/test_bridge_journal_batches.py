"""Journal entries as unposted GL batches through an engine (FixtureEngine here): numbers
from SYSDATA, period and account rules, the batch row last, the token in BREF/GLREFR, and
exactly once under conflicts, crashes at every engine operation, and a restored backup."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.bridge.dbf_table import Row, read_table
from app.bridge.discovery import PathMap
from app.bridge.engine.protocol import Engine
from app.bridge.intent_log import WRITING, WRITTEN, JournalIntentLog
from app.bridge.journal_batches import JournalBatches
from app.bridge.service import open_company
from app.bridge.tokens import token_for
from app.sandbox.sagepro.errors import ApiError
from tests.support.fixture_engine import FixtureEngine, SimulatedCrash, assert_cdx_fresh
from tests.support.sagepro_folder import build_company, patch_field
from tests.support.sagepro_gl import add_gl_batches

REFERENCE = "PT-BATCH-7-JE"


def entry(reference: str = REFERENCE, day: str = "2025-03-14", lines: Any = None) -> dict:
    return {
        "Reference": reference,
        "EntryDate": day,
        "Description": "Settlement batch 7",
        "Lines": lines
        or [
            {"GLAccountID": "1010", "Debit": "970.00", "Credit": "0.00", "Memo": "deposit"},
            {"GLAccountID": "6150", "Debit": "30.00", "Credit": "0.00"},
            {"GLAccountID": "1050", "Debit": "0.00", "Credit": "1000.00"},
        ],
    }


@dataclass
class Site:
    root: Path
    tables: dict[str, Path]
    log_path: Path
    writer: JournalBatches
    operations: list[str]

    def rows(self, table: str) -> list[Row]:
        return read_table(self.tables[table]).rows

    def reopen(self, open_engine: Callable[[], Engine] | None = None) -> JournalBatches:
        """A new bridge process on the same folder and intent log (after a crash)."""
        self.writer = _writer(self, open_engine)
        return self.writer


def _writer(site: Site, open_engine: Callable[[], Engine] | None) -> JournalBatches:
    company = build_site_company(site.root)
    engine = open_engine or (lambda: FixtureEngine(site.tables, operations=site.operations))
    return JournalBatches(company, engine, JournalIntentLog(site.log_path))


def build_site_company(root: Path) -> Any:
    maps = (PathMap.parse(f"F:\\APPS\\SBT7={root}"),)
    return open_company(root / "SYS", "01", maps)


def make_site(tmp: Path, flavour: str = "pro32", **widths: int) -> Site:
    add_gl_batches(build_company(tmp, flavour, "sysdata"), **widths)
    company = build_site_company(tmp)
    site = Site(tmp, dict(company.folder.tables), tmp / "state" / "journals.sqlite", None, [])  # type: ignore[arg-type]
    site.reopen()
    return site


@pytest.fixture(params=["pro32", "sbt7"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Site:
    return make_site(tmp_path, request.param)


def test_entry_becomes_one_unposted_batch_written_last(site: Site) -> None:
    je = site.writer.post(entry())
    assert je["JournalID"] == "000043"  # SYSDATA says 42, but batch 42 exists
    assert je["Status"] == "Unposted" and je["PostingState"] == "Entered"
    assert je["Reference"] == REFERENCE and je["EntryDate"] == "2025-03-14"
    assert [(x["GLAccountID"], x["Debit"], x["Credit"], x["Memo"]) for x in je["Lines"]] == [
        ("1010", "970.00", "0.00", "deposit"),
        ("6150", "30.00", "0.00", ""),
        ("1050", "0.00", "1000.00", ""),
    ]
    batch = site.rows("GLBTCH")[-1]
    assert (batch.text("BREF"), batch.text("BSTAT"), batch.text("YEARPRD")) == (
        REFERENCE,
        "U",
        "202503",
    )
    assert batch.money("CTRLTOT") == batch.money("DRTOTAL") == Decimal("1000.00")
    (header,) = site.rows("GLHUNP")
    assert (header.text("GLREFR"), header.text("GLSEQNO"), header.text("BATCHNO")) == (
        REFERENCE,
        "001234",
        "000043",
    )
    lines = site.rows("GLDUNP")
    assert [line.flag("CREDIT") for line in lines] == [False, False, True]
    gl01 = site.rows("SYSDATA")[0]
    assert (gl01.raw_text("STR9"), gl01.raw_text("STR10")) == ("0000440000", "0000001235")
    appends = [op for op in site.operations if op.startswith("append")]
    assert appends == ["append GLDUNP"] * 3 + ["append GLHUNP", "append GLBTCH"]
    for table in ("GLBTCH", "GLHUNP", "GLDUNP"):
        assert_cdx_fresh(site.tables[table])
    assert site.writer.find("pt-batch-7-je") == je
    assert site.writer.entries()[-1] == je
    assert site.writer.log.get(REFERENCE).state == WRITTEN  # type: ignore[union-attr]


def test_duplicate_is_409_with_the_existing_entry_before_any_rule(site: Site) -> None:
    je = site.writer.post(entry())
    with pytest.raises(ApiError) as refused:
        site.writer.post(entry("pt-batch-7-je", lines=[]))
    assert refused.value.code == "duplicate_reference" and refused.value.existing == je
    assert len(site.rows("GLBTCH")) == 2


def test_counters_roll_over_at_999999(site: Site) -> None:
    patch_field(site.tables["SYSDATA"], 1, "STR9", b"9999990000")
    patch_field(site.tables["SYSDATA"], 1, "STR10", b"0000999999")
    je = site.writer.post(entry())
    assert je["JournalID"] == "999999"
    assert site.rows("GLHUNP")[0].text("GLSEQNO") == "999999"
    gl01 = site.rows("SYSDATA")[0]
    assert (gl01.raw_text("STR9"), gl01.raw_text("STR10")) == ("0000010000", "0000000001")


def test_zero_counter_counts_as_one(site: Site) -> None:
    patch_field(site.tables["SYSDATA"], 1, "STR9", b"0000000000")
    assert site.writer.post(entry())["JournalID"] == "000001"


class _MovedUnderUs(FixtureEngine):
    """A Sage Pro user takes batch 42-43 between our read and our compare-and-set."""

    moved = False

    def replace(self, table: str, where: Any, values: Any) -> int:
        if table == "SYSDATA" and "STR9" in values and not _MovedUnderUs.moved:
            _MovedUnderUs.moved = True
            super().replace(table, {"SYSID": "GL01"}, {"STR9": "0000450000"})
        return super().replace(table, where, values)


def test_counter_compare_and_set_reads_again_when_moved(site: Site) -> None:
    _MovedUnderUs.moved = False
    site.reopen(lambda: _MovedUnderUs(site.tables, operations=site.operations))
    assert site.writer.post(entry())["JournalID"] == "000045"
    assert site.rows("SYSDATA")[0].raw_text("STR9") == "0000460000"


def test_record_in_use_is_waited_for_then_answered_unavailable(site: Site) -> None:
    conflicts = {"GLBTCH": 3, "SYSDATA": 2}
    site.reopen(lambda: FixtureEngine(site.tables, in_use=conflicts))
    assert site.writer.post(entry())["JournalID"] == "000043"
    conflicts["GLDUNP"] = 1000
    with pytest.raises(ApiError) as busy:
        site.writer.post(entry("PT-BATCH-8-JE"))
    assert busy.value.code == "unavailable" and "in use" in busy.value.message
    assert busy.value.headers["Retry-After"] == "5"
    assert len(site.rows("GLDUNP")) == 3  # nothing of the second entry
    conflicts["GLDUNP"] = 0
    # the numbers the busy attempt took are kept in the log and used now
    assert site.writer.post(entry("PT-BATCH-8-JE"))["JournalID"] == "000044"


@pytest.mark.parametrize(
    "day,code",
    [
        ("2025-02-10", "period_closed"),  # PERMLCK
        ("2024-12-15", "period_closed"),  # PLOCKED
        ("2025-11-15", "period_closed"),  # the period row is deleted
        ("2030-01-01", "validation_failed"),  # outside the calendar (contract)
    ],
)
def test_periods_refused_and_nothing_written(site: Site, day: str, code: str) -> None:
    with pytest.raises(ApiError) as refused:
        site.writer.post(entry(day=day))
    assert refused.value.code == code and "EntryDate" in refused.value.fields
    assert len(site.rows("GLBTCH")) == 1 and site.rows("GLDUNP") == []
    assert site.rows("SYSDATA")[0].raw_text("STR9") == "0000420000"


@pytest.mark.parametrize(
    "lines,field",
    [
        (
            [
                {"GLAccountID": "1040", "Debit": "5.00", "Credit": "0.00"},
                {"GLAccountID": "1050", "Debit": "0.00", "Credit": "5.00"},
            ],
            "Lines[0].GLAccountID",
        ),
        (
            [
                {"GLAccountID": "1010", "Debit": "5.00", "Credit": "0.00"},
                {"GLAccountID": "8888", "Debit": "0.00", "Credit": "5.00"},
            ],
            "Lines[1].GLAccountID",
        ),
        (
            [
                {"GLAccountID": "1010", "Debit": "5.00", "Credit": "0.00"},
                {"GLAccountID": "1050", "Debit": "0.00", "Credit": "4.99"},
            ],
            "Lines",
        ),
        (
            [
                {"GLAccountID": "1010", "Debit": "5.00", "Credit": "0.00", "Memo": "x" * 31},
                {"GLAccountID": "1050", "Debit": "0.00", "Credit": "5.00"},
            ],
            "Lines[0].Memo",
        ),
    ],
)
def test_accounts_balance_and_widths_refused(site: Site, lines: Any, field: str) -> None:
    with pytest.raises(ApiError) as refused:
        site.writer.post(entry(lines=lines))
    assert refused.value.code == "validation_failed" and field in refused.value.fields
    assert site.rows("GLDUNP") == []


def test_a_description_wider_than_sage_pro_keeps_is_refused(site: Site) -> None:
    with pytest.raises(ApiError) as refused:
        site.writer.post({**entry(), "Description": "d" * 31})  # BDESC and GLTDES are 30
    assert refused.value.code == "validation_failed" and "Description" in refused.value.fields
    assert site.rows("GLDUNP") == []


def test_a_key_wider_than_bref_gets_a_deterministic_short_token(tmp_path: Path) -> None:
    site = make_site(tmp_path, bref_width=10, glrefr_width=12)
    je = site.writer.post(entry())
    token = token_for(REFERENCE, 10)
    assert len(token) == 10 and token.startswith("PJ") and token != REFERENCE[:10]
    assert site.rows("GLBTCH")[-1].text("BREF") == token == je["Token"]
    assert site.rows("GLHUNP")[0].text("GLREFR") == token
    assert je["Reference"] == REFERENCE
    assert site.reopen().find(REFERENCE) == je
    with pytest.raises(ApiError) as dup:
        site.writer.post(entry())
    assert dup.value.code == "duplicate_reference"


def test_fields_narrower_than_eight_refuse_in_plain_words(tmp_path: Path) -> None:
    site = make_site(tmp_path, bref_width=6)
    with pytest.raises(ApiError) as refused:
        site.writer.post(entry())
    assert refused.value.code == "unavailable" and "at least 8" in refused.value.message


def _clean_write_operations(tmp: Path) -> list[str]:
    site = make_site(tmp)
    site.writer.post(entry())
    return site.operations


def test_crash_after_every_engine_operation_leaves_one_complete_batch(tmp_path: Path) -> None:
    """Done-when of issue 18: for every n, die after engine operation n, start again on the
    same folder and log, post again (the app retries): exactly one complete batch, no
    orphan header or lines, the counters moved, the log written, the CDX fresh."""
    total = len(_clean_write_operations(tmp_path / "clean"))
    assert total > 20
    for n in range(1, total + 1):
        site = make_site(tmp_path / f"crash{n}")
        site.reopen(
            lambda s=site, n=n: FixtureEngine(s.tables, operations=s.operations, crash_after=n)
        )  # type: ignore[misc]
        with pytest.raises(SimulatedCrash):
            site.writer.post(entry())
        site.operations.clear()
        writer = site.reopen()
        writer.recover()
        try:
            je = writer.post(entry())
        except ApiError as exc:  # the crash came after the batch row: it is there
            assert exc.code == "duplicate_reference", (n, exc.message)
            je = exc.existing  # type: ignore[assignment]
        batches = [r for r in site.rows("GLBTCH") if r.text("BREF") == REFERENCE]
        assert len(batches) == 1, n
        number = batches[0].text("BATCHNO")
        assert [r.text("BATCHNO") for r in site.rows("GLHUNP")] == [number], n
        assert [r.text("BATCHNO") for r in site.rows("GLDUNP")] == [number] * 3, n
        assert je["JournalID"] == number and len(je["Lines"]) == 3, n
        assert writer.find(REFERENCE) == je, n
        assert writer.log.get(REFERENCE).state == WRITTEN, n  # type: ignore[union-attr]
        for table in ("GLBTCH", "GLHUNP", "GLDUNP"):
            assert_cdx_fresh(site.tables[table])


def test_start_up_recovery_cleans_orphans_of_a_crash_between_tables(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    crash_at = _clean_write_operations(tmp_path / "clean").index("append GLHUNP") + 1
    site.reopen(
        lambda: FixtureEngine(site.tables, operations=site.operations, crash_after=crash_at)
    )
    with pytest.raises(SimulatedCrash):
        site.writer.post(entry())
    assert site.operations[-1] == "append GLHUNP" and len(site.rows("GLDUNP")) == 3
    assert site.reopen().recover() == [REFERENCE]
    assert site.rows("GLDUNP") == [] and site.rows("GLHUNP") == []
    assert site.writer.log.get(REFERENCE).state == WRITING  # type: ignore[union-attr]
    assert site.writer.post(entry())["JournalID"] == "000043"  # the numbers it had taken


def test_token_gone_after_written_is_an_alert_never_a_silent_repost(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    backup = tmp_path / "backup"
    shutil.copytree(tmp_path / "GLDATA", backup)
    site.writer.post(entry())
    shutil.rmtree(tmp_path / "GLDATA")
    shutil.copytree(backup, tmp_path / "GLDATA")  # Sage Pro restored from last night
    with pytest.raises(ApiError) as alert:
        site.reopen().post(entry())
    assert alert.value.code == "validation_failed" and "restored" in alert.value.message
    assert len(site.rows("GLBTCH")) == 1 and site.rows("GLDUNP") == []
    ((reference, token, why),) = site.writer.alerts()
    assert (reference, token) == (REFERENCE, REFERENCE) and "not posted again" in why


def test_a_batch_posted_in_sage_pro_shows_posted(site: Site) -> None:
    site.writer.post(entry())
    patch_field(site.tables["GLBTCH"], 2, "BSTAT", b"P")
    patch_field(site.tables["GLBTCH"], 2, "PSTDATE", b"20250320")
    found = site.writer.find(REFERENCE)
    assert found is not None and (found["Status"], found["PostingState"]) == ("Posted", "Posted")
