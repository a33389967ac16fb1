"""The audit chain's head, anchored outside the database.

The hash chain proves that no event was edited or removed *inside* the trail, but deleting
the last events leaves a shorter chain that still verifies. So after every committed write
that appended audit events, this computer notes the chain's head in a small file in its data
folder: how many events the chain held, and the last event's id, hash and time. ``paysage
doctor`` then checks that the chain still holds that event with that hash at that position.

Team mode (PostgreSQL): every workstation keeps its own anchor for the shared store. Others
appending afterwards does not disturb it — the anchored event is still at its position — so
only a removed or rewritten part of the trail raises the alarm.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.store.models import AuditEvent

log = logging.getLogger(__name__)

# Set by ``audit.record`` so only transactions that appended events pay for the anchor.
APPENDED = "audit_appended"
_PENDING = "audit_head_pending"


class AnchorUnreadableError(Exception):
    """The anchor file exists but is not one this app wrote (damaged or edited)."""


@dataclass(frozen=True)
class ChainHead:
    count: int  # events in the chain up to and including this one (its position)
    event_id: int
    hash: str
    at: datetime  # when that event was recorded (UTC)


def anchor_path_for_url(url: str, folder: Path) -> Path:
    """Where this computer anchors the chain of the store at ``url``: beside a SQLite file;
    for a server database, a file in ``folder`` named after the server and database (never
    the password), so pointing a profile at another database never compares it with this one.
    """
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database:
        database = Path(parsed.database)
        return database.with_name(database.name + ".audit-head.json")
    identity = parsed._replace(password=None).render_as_string(hide_password=False)
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    return folder / f"paysage-team-{digest}.audit-head.json"


def read_anchor(path: Path) -> ChainHead | None:
    """The anchored head, or None when this computer has not anchored one yet."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
        return ChainHead(
            count=int(data["count"]),
            event_id=int(data["event_id"]),
            hash=str(data["hash"]),
            at=datetime.fromisoformat(data["at"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorUnreadableError(f"{path.name} cannot be read ({exc})") from exc


def write_anchor(path: Path, head: ChainHead) -> None:
    """Replace the anchor atomically: a reader sees the old head or the new one, never half.
    (``os.replace`` also replaces an existing file on Windows.)"""
    body = {
        "count": head.count,
        "event_id": head.event_id,
        "hash": head.hash,
        "at": head.at.isoformat(),
    }
    # No fsync: a crash leaves the old head (still valid) or, rarely, a damaged file, which
    # the doctor reports as a warning, never as a cut trail.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)  # on Windows this fails while another program holds ``path``
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _count(session: Session, condition: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count(AuditEvent.id)).where(condition)) or 0


class HeadAnchor:
    """Keeps the anchor at ``path`` up to date for every session made by one sessionmaker."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._known: ChainHead | None = None
        self._lock = threading.Lock()
        self._cut_logged = False  # say it once per run, not at every write

    def attach(self, factory: sessionmaker[Session]) -> None:
        event.listen(factory, "before_commit", self._before_commit)
        event.listen(factory, "after_commit", self._after_commit)

    def _last_anchor(self) -> ChainHead | None:
        with self._lock:
            known = self._known
        if known is not None:
            return known
        try:
            return read_anchor(self.path)
        except AnchorUnreadableError as exc:
            log.warning("Audit anchor replaced: %s", exc)
            return None

    def _before_commit(self, session: Session) -> None:
        # Still inside the write transaction (and its writer lock): the head and count agree.
        if not session.info.pop(APPENDED, False):
            return
        last = session.execute(
            select(AuditEvent.id, AuditEvent.hash, AuditEvent.at)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return
        old = self._last_anchor()
        if old is None:
            count = _count(session, AuditEvent.id <= last.id)
        else:
            still_there = session.scalar(
                select(AuditEvent.hash).where(AuditEvent.id == old.event_id)
            )
            if still_there != old.hash:
                # Moving the anchor now would hide the cut for good: keep it for the doctor.
                if not self._cut_logged:
                    self._cut_logged = True
                    log.error(
                        "The audit trail no longer holds event %s recorded on this computer; "
                        "its note %s is kept so `paysage doctor` reports it",
                        old.count,
                        self.path,
                    )
                return
            count = old.count + _count(session, AuditEvent.id > old.event_id)
        session.info[_PENDING] = ChainHead(count, last.id, last.hash, last.at)

    def _after_commit(self, session: Session) -> None:
        head: ChainHead | None = session.info.pop(_PENDING, None)
        if head is None:
            return
        with self._lock:
            if self._known is not None and self._known.count >= head.count:
                return  # another thread of this process already anchored a later head
            try:
                write_anchor(self.path, head)
            except OSError as exc:
                # The change is committed; an older anchor stays valid, so say so and go on.
                log.error("Could not update the audit anchor %s: %s", self.path, exc.strerror)
                return
            self._known = head


@dataclass(frozen=True)
class HeadCheck:
    ok: bool
    detail: str


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


def _events(missing: int) -> str:
    return "event is" if missing == 1 else f"{missing} events are"


def check_head(session: Session, events: int, head: ChainHead) -> HeadCheck:
    """Does the (already verified, ``events`` long) chain still hold the anchored head at its
    position? Others may have appended since; that is fine."""
    found = session.execute(
        select(AuditEvent.id).where(AuditEvent.hash == head.hash)
    ).scalar_one_or_none()
    if found is not None:
        position = _count(session, AuditEvent.id <= found)
        if position == head.count:
            return HeadCheck(True, f"ends at or after event {head.count} noted on this computer")
        return HeadCheck(
            False,
            f"event {head.count} noted on this computer ({_when(head.at)}) is now event "
            f"{position}: the trail before it no longer matches this computer's note",
        )
    last_at = session.scalar(select(func.max(AuditEvent.at)))
    if events < head.count and (last_at is None or last_at <= head.at):
        since = f" since {_when(last_at)}" if last_at is not None else ""
        return HeadCheck(
            False,
            f"the last {_events(head.count - events)} missing{since}: the trail ends at "
            f"event {events}, but this computer saw event {head.count} ({_when(head.at)})",
        )
    return HeadCheck(
        False,
        f"event {head.count} of {_when(head.at)}, as noted on this computer, is gone: events "
        "were removed and the trail was written on after them",
    )
