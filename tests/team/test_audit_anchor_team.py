"""Team mode and the audit anchor (issue #16): each workstation anchors the shared chain's
head in its own data folder. Others appending at the same time never make an anchor
complain; cutting the trail's tail makes the anchor that saw it complain. Both engines."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import delete, func, make_url, select

from app import credentials
from app.config import Profile
from app.doctor import Level, check_audit_chain
from app.store import Store, audit, dialect, open_profile_store, open_store_url
from app.store.audit_anchor import ChainHead, check_head, read_anchor
from app.store.models import AuditEvent

WORKSTATIONS = 3
APPENDS = 12


def _heads(anchors: list[Path]) -> list[ChainHead]:
    heads = [read_anchor(path) for path in anchors]
    assert all(head is not None for head in heads)
    return [head for head in heads if head is not None]


def test_workstations_appending_at_once_keep_every_anchor_valid(store_url: str, tmp_path: Path):
    open_store_url(store_url).dispose()  # migrate once
    anchors = [tmp_path / f"workstation-{n}.audit-head.json" for n in range(WORKSTATIONS)]
    stores = [Store(store_url, audit_anchor=path) for path in anchors]
    start = threading.Barrier(WORKSTATIONS)
    errors: list[BaseException] = []

    def workstation(store: Store, n: int) -> None:
        try:
            start.wait()
            for i in range(APPENDS):
                with store.write() as session:
                    audit.record(session, "approve", "proposal", f"{n}-{i}", actor=f"w{n}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=workstation, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = WORKSTATIONS * APPENDS
    heads = _heads(anchors)
    assert max(head.count for head in heads) == total
    with stores[0].read() as session:
        chain = audit.verify(session)
        assert chain.ok and chain.events == total
        assert all(check_head(session, chain.events, head).ok for head in heads)

    # Someone removes the last two events: the workstation that saw them says so.
    with stores[0].write() as session:
        last_two = select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(2)
        session.execute(delete(AuditEvent).where(AuditEvent.id.in_(last_two.scalar_subquery())))
        assert session.scalar(select(func.count(AuditEvent.id))) == total - 2
    with stores[0].read() as session:
        chain = audit.verify(session)
        assert chain.ok  # the chain alone cannot tell
        results = [check_head(session, chain.events, head) for head in heads]
    newest = max(range(WORKSTATIONS), key=lambda n: heads[n].count)
    assert not results[newest].ok and "the last 2 events are missing" in results[newest].detail
    for store in stores:
        store.dispose()


def test_doctor_checks_the_team_store_against_this_workstations_anchor(pg_url: str):
    """`paysage doctor` on a team profile reads the server's chain and this workstation's
    anchor (open_store_url keeps it in the data folder): others' appends are fine, a cut
    tail fails."""
    credentials.set_secret("Team", "postgresql", make_url(pg_url).password or "")
    profile = Profile(name="Team", database_url=dialect.without_password(pg_url))
    mine = open_profile_store(profile)
    with mine.write() as session:
        for i in range(3):
            audit.record(session, "approve", "proposal", i, actor="amy")
    assert check_audit_chain(profile).level is Level.OK
    other = Store(pg_url)  # another workstation: appends, and notes nothing here
    with other.write() as session:
        audit.record(session, "approve", "proposal", 9, actor="bob")
    check = check_audit_chain(profile)
    assert check.level is Level.OK and check.detail.startswith("4 events, hash chain intact")
    with other.write() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id >= 3))
    check = check_audit_chain(profile)
    assert check.level is Level.FAIL
    assert "the last event is missing" in check.detail, check.detail
    other.dispose()
    mine.dispose()
