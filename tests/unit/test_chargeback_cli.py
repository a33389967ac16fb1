"""`paysage import-chargebacks FILE [--profile P] [--dry-run]`."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.__main__ import main
from app.config import database_path
from app.store import open_store
from app.store.models import ExceptionItem

REPORT = (
    "Case Number,Transaction ID,Card Type,Last 4,Amount,Reason Code,Reason,Received Date\r\n"
    "CB-9,80000001,Visa,5439,$45.00,10.4,Fraud,3/10/2025\r\n"
    "CB-10,80000002,Visa,4012000098765439,12.00,13.1,Not received,3/11/2025\r\n"
    "CB-11,80000003,Visa,5439,twelve,13.1,Not received,3/11/2025\r\n"
)


def _last_json(out: str) -> dict:  # type: ignore[type-arg]
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_twice_then_dry_run(tmp_path: Path, capsys):
    report = tmp_path / "cb.csv"
    report.write_bytes(REPORT.encode("utf-8-sig"))

    assert main(["import-chargebacks", str(report)]) == 1  # one row refused
    out = capsys.readouterr().out
    assert "line 4, amount:" in out
    assert _last_json(out) == {
        "added": 2, "already_known": 0, "refused": 1, "card_numbers_removed": 1}  # fmt: skip

    assert main(["import-chargebacks", str(report), "--profile", "Sandbox"]) == 1
    assert _last_json(capsys.readouterr().out)["added"] == 0

    assert main(["import-chargebacks", "--dry-run", str(report)]) == 1
    assert _last_json(capsys.readouterr().out) == {"rows": 2, "refused": 1}

    store = open_store(database_path("Sandbox"))
    try:
        with store.read() as session:
            cases = (
                session.execute(
                    select(ExceptionItem.title).where(ExceptionItem.category == "chargeback")
                )
                .scalars()
                .all()
            )
    finally:
        store.dispose()
    assert len(cases) == 2 and not any("4012000098765439" in c for c in cases)


def test_a_missing_file_is_one_plain_sentence(tmp_path: Path, capsys):
    assert main(["import-chargebacks", str(tmp_path / "nope.csv")]) == 2
    assert "cannot be read" in capsys.readouterr().err
