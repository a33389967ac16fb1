"""A mapping version goes live only when it validates and every mapped field computes on
the sample rows; a refusal says why in one sentence per field and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from app.mapping import (
    InvalidMappingDocumentError,
    TransformStep,
    list_versions,
    load_default_template,
    restore_version,
    save_version,
)
from app.mapping.activation import require_activatable, sample_issues, sample_results
from app.mapping.versions import active_version
from app.store.models import Base, RawRecord
from tests.unit.test_mapping_samples import sample_rows

TEMPLATE = load_default_template()
# Day.Month.Year: no PayTrace "created.at" reads that way, so every row fails.
WRONG_DATES = TEMPLATE.with_transforms(
    "Payment.PaymentDate",
    (TransformStep("parse_date", {"format": "%d.%m.%Y"}), TransformStep("format_date")),
)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(f"sqlite:///{(tmp_path / 'mapping.db').as_posix()}")
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        for index, row in enumerate(sample_rows()):
            session.add(
                RawRecord(
                    source="paytrace.transaction",
                    source_id=str(row["transaction_id"]),
                    content_hash=f"h{index}",
                    payload=row,
                    fetched_at=datetime(2025, 3, 15),
                )
            )
    yield factory
    engine.dispose()


def test_every_governed_field_of_the_template_computes_on_the_samples() -> None:
    results = sample_results(TEMPLATE, sample_rows())
    assert [r for r in results if r.problem] == []
    dates = {r.transaction_id: r.value for r in results if r.target == "Payment.PaymentDate"}
    assert dates["79388123"] == "2015-04-10"
    # Locked fields are Paysage's: never tried, never refused.
    assert not {r.target for r in results} & {"Payment.Amount", "Payment.PaymentReference"}
    require_activatable(TEMPLATE, sample_rows())


def test_a_field_failing_on_every_sample_row_cannot_go_live() -> None:
    (issue,) = sample_issues(WRONG_DATES, sample_rows())
    assert issue.severity == "error" and issue.target == "Payment.PaymentDate"
    assert issue.message.startswith("Payment.PaymentDate fails on all ")
    assert "so it could never post; on transaction 79388123: step 1 (" in issue.message
    assert "is not a date in the '%d.%m.%Y' format." in issue.message


def test_a_field_failing_on_some_rows_only_is_a_warning() -> None:
    rows = sample_rows()
    rows[0] = {**rows[0], "created": {"at": "not a date"}}
    issues = {i.target: i for i in sample_issues(TEMPLATE, rows)}
    assert {"Payment.PaymentDate", "SalesOrder.OrderDate"} <= set(issues)
    assert {i.severity for i in issues.values()} == {"warning"}
    assert "those rows will wait for review" in issues["Payment.PaymentDate"].message
    require_activatable(TEMPLATE, rows)


def test_saving_or_restoring_a_version_that_cannot_go_live_is_refused_with_nothing_changed(
    sessions: sessionmaker[Session],
) -> None:
    save_version(sessions, TEMPLATE, "ann")
    with pytest.raises(InvalidMappingDocumentError) as refused:
        save_version(sessions, WRONG_DATES, "ann", "dates by day first")
    assert "Payment.PaymentDate fails on all" in str(refused.value)
    assert [v.version for v in list_versions(sessions)] == [1]
    # Kept as a draft (not active) it may be stored, but restoring it live is refused.
    draft = save_version(sessions, WRONG_DATES, "ann", "draft", activate=False)
    with pytest.raises(InvalidMappingDocumentError):
        restore_version(sessions, draft.version, "ann")
    assert active_version(sessions)[1].version == 1
    assert [v.version for v in list_versions(sessions)] == [2, 1]
