"""Versions in a real SQLite file: save, active, restore, diff, export/import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.mapping import (
    DocumentFormatError,
    InvalidMappingDocumentError,
    MappedRecord,
    MappingContext,
    NoMappingVersionError,
    TransformStep,
    active_version,
    apply_mapping,
    diff_documents,
    diff_versions,
    ensure_active_version,
    export_version,
    import_document,
    import_version,
    list_versions,
    load_default_template,
    load_version,
    restore_version,
    save_document,
    save_version,
)
from app.store.models import Base, MappingVersion
from tests.unit.test_mapping_samples import LINKS, export_row


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(f"sqlite:///{(tmp_path / 'mapping.db').as_posix()}")
    Base.metadata.create_all(engine)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def upper_memo(document):  # type: ignore[no-untyped-def]
    return document.with_transforms("Payment.Memo", (TransformStep("trim"), TransformStep("upper")))


def test_save_list_load_and_active(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(NoMappingVersionError):
        active_version(sessions)
    template = load_default_template()
    first = save_version(sessions, template, "ann", "Initial")
    second = save_version(sessions, upper_memo(template), "bob", "Upper-case memo")
    assert (first.version, second.version) == (1, 2)
    listed = list_versions(sessions)
    assert [(v.version, v.author, v.comment, v.active) for v in listed] == [
        (2, "bob", "Upper-case memo", True),
        (1, "ann", "Initial", False),
    ]
    version_id, document = active_version(sessions)
    assert version_id == second.id and document.version == 2
    assert load_version(sessions, 1).mapping_for("Payment.Memo").transforms == (  # type: ignore[union-attr]
        TransformStep("trim"),
    )
    with pytest.raises(NoMappingVersionError, match="no mapping version 9"):
        load_version(sessions, 9)
    with Session(sessions.kw["bind"]) as session:
        rows = session.scalars(select(MappingVersion)).all()
        assert sum(r.active for r in rows) == 1
        assert all(r.created_at is not None for r in rows)


def test_a_session_argument_leaves_the_commit_to_the_caller(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        info = save_version(session, load_default_template(), "ann")
        assert info.id is not None
        session.rollback()
    assert list_versions(sessions) == []
    with sessions() as session, session.begin():
        save_version(session, load_default_template(), "ann")
    assert len(list_versions(sessions)) == 1


def test_invalid_documents_are_refused(sessions: sessionmaker[Session]) -> None:
    broken = load_default_template().without_mapping("Payment.Amount")
    with pytest.raises(InvalidMappingDocumentError) as caught:
        save_version(sessions, broken, "ann")
    assert "Payment field Amount is required" in str(caught.value)
    assert list_versions(sessions) == []


def test_restore_makes_a_new_active_version_equal_to_the_old(
    sessions: sessionmaker[Session],
) -> None:
    template = load_default_template()
    save_version(sessions, template, "ann", "v1")
    save_version(sessions, upper_memo(template), "ann", "v2")
    restored = restore_version(sessions, 1, "bob")
    assert restored.version == 3 and restored.active and restored.comment == "Restored version 1"
    version_id, document = active_version(sessions)
    assert version_id == restored.id
    assert document.mappings == template.mappings
    assert diff_versions(sessions, 1, 3) == []


def test_diff_reads_as_a_list_of_changes(sessions: sessionmaker[Session]) -> None:
    from dataclasses import replace

    from app.mapping.document import GLCondition, GLRule

    template = load_default_template()
    changed = upper_memo(template).with_source("Payment.PaymentDate", "settled")
    changed = changed.without_mapping("CreditMemo.Reason")
    changed = replace(
        changed,
        status_map=replace(
            changed.status_map, values={**changed.status_map.values, "Voided": "Failed"}
        ),
        gl_rules=replace(
            changed.gl_rules,
            default="1055",
            rules=(*changed.gl_rules.rules, GLRule("ACH", "1060", GLCondition(methods=("ACH",)))),
        ),
    )
    save_version(sessions, template, "ann")
    save_version(sessions, changed, "ann")
    text = [str(c) for c in diff_versions(sessions, 1, 2)]
    assert text == [
        "Payment.PaymentDate: source changed from 'created.at' to 'settled'.",
        "Payment.Memo: transforms changed from Trim to Trim → Upper case.",
        "CreditMemo.Reason: mapping removed (was 'transaction_id').",
        "Status map: 'Voided' now → 'Failed' (was 'Void').",
        "GL default account now 1055 (was 1050).",
        "GL rule 2 'ACH' added: methods ACH → 1060.",
    ]
    assert diff_documents(template, template) == []
    off = replace(
        template,
        targets=tuple(
            replace(r, enabled=not r.enabled) if r.name == "Customer" else r
            for r in template.targets
        ),
    )
    assert [str(c) for c in diff_documents(template, off)] == ["Customer: turned on."]


def test_export_and_import_round_trip(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    save_version(sessions, upper_memo(load_default_template()), "ann", "memo")
    path = tmp_path / "exported.json"
    export_version(sessions, 1, path)
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    imported = import_version(sessions, path, "bob")
    assert imported.version == 2 and imported.comment == "Imported from exported.json"
    assert diff_versions(sessions, 1, 2) == []
    assert import_document(path).version is None


def test_import_validates(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    save_document(load_default_template().without_mapping("Payment.CustomerID"), broken)
    with pytest.raises(InvalidMappingDocumentError) as caught:
        import_document(broken)
    assert [i.target for i in caught.value.issues] == ["Payment.CustomerID"]
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"schema": "paysage.mapping-document", "name": 3}', encoding="utf-8")
    with pytest.raises(DocumentFormatError, match="name: expected text"):
        import_document(garbage)


def test_a_new_version_changes_the_next_result_and_keeps_version_ids_apart(
    sessions: sessionmaker[Session],
) -> None:
    first_id, _ = ensure_active_version(sessions)
    assert ensure_active_version(sessions)[0] == first_id  # no second default
    row = export_row(description="thank you")
    context = MappingContext(customer_links=LINKS)
    _, document = active_version(sessions)
    before = apply_mapping(document, row, context)
    save_version(sessions, upper_memo(document), "ann", "shout")
    second_id, newer = active_version(sessions)
    after = apply_mapping(newer, row, context)
    assert isinstance(before, MappedRecord) and isinstance(after, MappedRecord)
    assert before.payloads["Payment"]["Memo"] == "thank you"
    assert after.payloads["Payment"]["Memo"] == "THANK YOU"
    assert (before.mapping_version, after.mapping_version) == (1, 2)
    assert second_id != first_id
