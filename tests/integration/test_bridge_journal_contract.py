"""The contract suite's journal-entry tests, run unchanged against the bridge over a fixture
company (FixtureEngine standing in for VFPOLEDB), over a real socket: the bridge and the
stand-in answer journal entries alike (201 Unposted, 409 with ``existing``, the line,
account, balance and period rules)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.__main__ import main
from app.bridge.http_app import BridgeApp
from app.bridge.intent_log import JournalIntentLog
from app.bridge.journal_batches import JournalBatches
from app.bridge.service import API_KEY_ENV
from app.sandbox.http_base import SandboxServer
from tests.integration.test_bridge_journal_batches import build_site_company
from tests.integration.test_sagepro_contract_postings import (  # noqa: F401 - collected here
    test_journal_entry_is_written_unposted,
    test_journal_entry_period_rules,
    test_journal_entry_rules,
)
from tests.support.fixture_engine import FixtureEngine
from tests.support.sagepro_fixtures import SageProHttp
from tests.support.sagepro_folder import build_company
from tests.support.sagepro_gl import add_gl_batches

KEY = "bridge-journal-key"


@pytest.fixture(params=["pro32", "sbt7"])
def bridge(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SandboxServer]:
    add_gl_batches(build_company(tmp_path, request.param, "sysdata"))
    company = build_site_company(tmp_path)
    tables = dict(company.folder.tables)
    log = JournalIntentLog(tmp_path / "state" / "journals.sqlite3")
    journals = JournalBatches(company, lambda: FixtureEngine(tables), log)
    with SandboxServer(BridgeApp(company, KEY, journals=journals)) as server:
        yield server
    log.close()


@pytest.fixture
def sagepro_http(bridge: SandboxServer) -> Iterator[SageProHttp]:
    """The contract tests' client, pointed at the bridge instead of the stand-in."""
    http = SageProHttp(bridge, KEY)
    yield http
    http.close()


def test_bridge_lists_journal_entries_with_the_health_alerts(sagepro_http: SageProHttp) -> None:
    first = sagepro_http.post(
        "/api/journalentries",
        {
            "Reference": "PT-CB-ABC-JE",
            "EntryDate": "2025-04-02",
            "Lines": [
                {"GLAccountID": "6150", "Debit": "15.00", "Credit": "0.00"},
                {"GLAccountID": "1010", "Debit": "0.00", "Credit": "15.00"},
            ],
        },
    ).json()
    listed = sagepro_http.get("/api/journalentries", **{"from": "2025-04-01"}).json()["items"]
    assert [je["Reference"] for je in listed] == ["PT-CB-ABC-JE"] and listed[0] == first
    assert first["JournalID"] == "000043" and first["PostingState"] == "Entered"
    health = requests.get(sagepro_http.server.url + "/api/health", timeout=5).json()
    assert health["journal_alerts"] == []
    assert sagepro_http.get("/api/journalentries/000042").json()["Reference"] == "MANUAL"


@pytest.mark.skipif(sys.platform == "win32", reason="checks the refusal off Windows")
def test_serve_write_journals_refuses_off_windows_in_plain_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    company = build_company(tmp_path / "co", "pro32", "sysdata")
    add_gl_batches(company)
    monkeypatch.setenv(API_KEY_ENV, KEY)
    argv = ["bridge", "serve", "--data-folder", str(company.data_folder), "--port", "0"]
    argv += ["--path-map", company.path_map, "--state-folder", str(tmp_path / "state")]
    assert main([*argv, "--write-journals"]) == 2  # no server, no traceback
    assert "only on Windows" in capsys.readouterr().err
