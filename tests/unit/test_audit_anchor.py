"""The audit chain's head is anchored outside the database (issue #16): deleting the last
events of the trail, which leaves a chain that still verifies, makes `paysage doctor` fail
and say how many events are missing since when; normal appends keep it ok."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from app.__main__ import main
from app.config import database_path
from app.store import Store, audit, open_store
from app.store.audit_anchor import anchor_path_for_url, check_head, read_anchor, write_anchor

PROFILE = "Sandbox"  # the profile `paysage doctor` checks by default


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYSAGE_DOCTOR_OFFLINE", "1")


def _append(store: Store, events: int, *, actor: str = "amy") -> None:
    with store.write() as session:
        for i in range(events):
            audit.record(session, "post", "outbox", f"PT-{i}-PAY", actor=actor)


def _doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["doctor"])
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "audit trail" in ln]
    assert len(lines) == 1
    return code, lines[0]


def _anchor(store: Store) -> Path:
    return anchor_path_for_url(store.url, Path("unused"))


def test_normal_appends_keep_the_anchor_at_the_head(offline, capsys):
    store = open_store(database_path(PROFILE))
    _append(store, 3)
    _append(store, 1)
    store.dispose()
    store = open_store(database_path(PROFILE))  # a later run continues the count
    _append(store, 2)
    head = read_anchor(_anchor(store))
    assert head is not None and head.count == 6 and head.event_id == 6
    with store.read() as session:
        assert check_head(session, audit.verify(session).events, head).ok
    store.dispose()
    code, line = _doctor(capsys)
    assert code == 0 and line.startswith("ok    audit trail        6 events, hash chain intact")


def test_deleting_the_last_two_events_fails_the_doctor(offline, capsys):
    store = open_store(database_path(PROFILE))
    for _ in range(5):
        _append(store, 1)
    with store.write() as session:
        session.execute(text("DELETE FROM audit_events WHERE id IN (4, 5)"))
        kept_at = session.execute(text("SELECT at FROM audit_events WHERE id = 3")).scalar()
    store.dispose()
    code, line = _doctor(capsys)
    assert code == 1
    assert line.startswith("fail  audit trail        3 events, hash chain intact, but the last 2")
    assert f"the last 2 events are missing since {str(kept_at)[:19]} UTC" in line
    assert "the trail ends at event 3, but this computer saw event 5" in line


def test_a_cut_tail_stays_reported_after_the_trail_is_written_on(offline, capsys):
    store = open_store(database_path(PROFILE))
    _append(store, 5)
    with store.write() as session:
        session.execute(text("DELETE FROM audit_events WHERE id IN (4, 5)"))
    _append(store, 1)  # the app goes on; SQLite even reuses id 4
    _append(store, 1)
    head = read_anchor(_anchor(store))
    assert head is not None and head.count == 5  # not moved over the cut
    store.dispose()
    code, line = _doctor(capsys)
    assert code == 1 and "fail  audit trail" in line
    assert "is gone: events were removed and the trail was written on" in line
    # Restored from a backup on purpose: the person deletes the note, as the line says.
    assert f"delete {_anchor(store)}" in line
    _anchor(store).unlink()
    store = open_store(database_path(PROFILE))
    _append(store, 1)
    store.dispose()
    code, line = _doctor(capsys)
    assert code == 0 and line.startswith("ok    audit trail        6 events, hash chain intact")


def test_another_writer_appending_keeps_it_ok(offline, capsys, tmp_path):
    """Another workstation (its own anchor) appends to the same store: this one's anchored
    event is still at its position, so no alarm."""
    mine = open_store(database_path(PROFILE))
    _append(mine, 3)
    their_anchor = tmp_path / "other-computer.audit-head.json"
    theirs = Store(mine.url, audit_anchor=their_anchor)
    _append(theirs, 4, actor="bob")
    _append(mine, 1)
    _append(theirs, 2, actor="bob")
    mine_head, their_head = (
        read_anchor(_anchor(mine)),
        read_anchor(tmp_path / "other-computer.audit-head.json"),
    )
    assert mine_head is not None and (mine_head.count, mine_head.event_id) == (8, 8)
    assert their_head is not None and their_head.count == 10
    theirs.dispose()
    mine.dispose()
    code, line = _doctor(capsys)
    assert code == 0 and line.startswith("ok    audit trail        10 events, hash chain intact")


def test_a_rolled_back_append_does_not_move_the_anchor():
    store = open_store(database_path(PROFILE))
    _append(store, 2)
    with pytest.raises(RuntimeError), store.write() as session:
        audit.record(session, "post", "outbox", "lost")
        raise RuntimeError("the write fails after the append")
    head = read_anchor(_anchor(store))
    assert head is not None and head.count == 2
    store.dispose()


def test_no_anchor_yet_is_a_warning_not_a_failure(offline, capsys):
    store = open_store(database_path(PROFILE))
    _append(store, 2)
    store.dispose()
    _anchor(store).unlink()  # as after an upgrade from a version without anchors
    code, line = _doctor(capsys)
    assert code == 0 and line.startswith("warn  audit trail        2 events, hash chain intact")
    assert "not yet noted on this computer" in line


def test_a_damaged_anchor_is_a_warning_and_is_written_afresh(offline, capsys):
    store = open_store(database_path(PROFILE))
    _append(store, 2)
    _anchor(store).write_text("{not json", encoding="utf-8")
    code, line = _doctor(capsys)
    assert code == 0 and line.startswith("warn  audit trail") and "cannot be told" in line
    _append(store, 1)
    assert json.loads(_anchor(store).read_text(encoding="utf-8"))["count"] == 3
    store.dispose()
    assert _doctor(capsys)[0] == 0


def test_team_anchors_never_hold_the_password(tmp_path: Path):
    one = anchor_path_for_url("postgresql+psycopg://amy:secret@db.local/books", tmp_path)
    two = anchor_path_for_url("postgresql+psycopg://amy:other@db.local/books", tmp_path)
    other_db = anchor_path_for_url("postgresql+psycopg://amy@db.local/books2", tmp_path)
    assert one == two != other_db and one.parent == tmp_path
    assert "secret" not in one.name


def test_an_anchor_that_cannot_be_replaced_keeps_the_change_and_the_older_note(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    """E.g. Windows refusing to replace a file another program holds open: the write is
    committed, the older note stays (still valid), no temp file is left, and it is logged."""
    store = open_store(database_path(PROFILE))
    _append(store, 2)

    def refuse(_src: object, _dst: object) -> None:
        raise PermissionError(13, "Access is denied")

    monkeypatch.setattr("app.store.audit_anchor.os.replace", refuse)
    _append(store, 1)
    monkeypatch.undo()
    with store.read() as session:
        assert audit.verify(session).events == 3
    head = read_anchor(_anchor(store))
    assert head is not None and head.count == 2
    assert [p.name for p in _anchor(store).parent.glob("*.tmp")] == []
    assert "Could not update the audit anchor" in caplog.text
    _append(store, 1)  # the next change anchors the head again
    head = read_anchor(_anchor(store))
    assert head is not None and head.count == 4
    store.dispose()


def test_the_noted_event_at_another_position_fails(offline, capsys):
    store = open_store(database_path(PROFILE))
    _append(store, 3)
    head = read_anchor(_anchor(store))
    assert head is not None
    store.dispose()
    write_anchor(_anchor(store), replace(head, count=5))  # a note that no longer fits
    code, line = _doctor(capsys)
    assert code == 1 and "is now event 3: the trail before it no longer matches" in line
