from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from app.store import audit, open_store


def test_chain_verifies_and_detects_edits_and_deletes(tmp_path: Path):
    store = open_store(tmp_path / "a.db")
    with store.write() as session:
        for i in range(5):
            audit.record(session, "post", "outbox", i, actor="amy", before={"s": "pending"},
                         after={"s": "posted", "amount": "1.10"})  # fmt: skip
    with store.read() as session:
        check = audit.verify(session)
    assert check.ok and check.events == 5

    with store.write() as session:
        session.execute(text("UPDATE audit_events SET actor='mallory' WHERE id=3"))
    with store.read() as session:
        check = audit.verify(session)
    assert check.broken_at == 3 and "changed" in check.reason

    with store.write() as session:
        session.execute(text("UPDATE audit_events SET actor='amy' WHERE id=3"))
        session.execute(text("DELETE FROM audit_events WHERE id=2"))
    with store.read() as session:
        check = audit.verify(session)
    assert check.broken_at == 3 and "removed" in check.reason
    store.dispose()


def test_card_numbers_never_reach_the_audit_trail(tmp_path: Path):
    store = open_store(tmp_path / "b.db")
    with store.write() as session:
        audit.record(session, "fetch", "transaction", 1, after={"d": "card 4012 0000 9876 5439"})
    with store.read() as session:
        raw = session.execute(text("SELECT after FROM audit_events")).scalar()
    assert "9876 5439" not in raw and "5439" in raw
    store.dispose()
