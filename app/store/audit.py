"""Append-only audit trail with a hash chain: editing or deleting any row breaks ``verify``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain.pan import redact_value
from app.store.audit_anchor import APPENDED
from app.store.models import AuditEvent

GENESIS = "0" * 64


def _digest(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: Any,
    after: Any,
) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(), actor, action, entity_type, entity_id, before, after],
        sort_keys=True,
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    entity_type: str,
    entity_id: object,
    *,
    actor: str = "system",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's write transaction (so it commits with the change)."""
    last = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    prev = last or GENESIS
    at = utcnow()
    clean_before = redact_value(before) if before is not None else None
    clean_after = redact_value(after) if after is not None else None
    # Round-trip through JSON so the hash covers exactly what the database will return.
    clean_before = json.loads(json.dumps(clean_before, default=str))
    clean_after = json.loads(json.dumps(clean_after, default=str))
    event = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=clean_before,
        after=clean_after,
        prev_hash=prev,
        hash=_digest(
            prev, at, actor, action, entity_type, str(entity_id), clean_before, clean_after
        ),
    )
    session.add(event)
    session.flush()
    session.info[APPENDED] = True  # the store anchors the new head once this commits
    return event


@dataclass(frozen=True)
class ChainCheck:
    events: int
    broken_at: int | None  # id of the first event that fails, None when intact
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session, batch_size: int = 5000) -> ChainCheck:
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not rows:
            return ChainCheck(count, None)
        for event in rows:
            if event.prev_hash != prev:
                return ChainCheck(count, event.id, "an earlier event was removed or reordered")
            expected = _digest(
                prev,
                event.at,
                event.actor,
                event.action,
                event.entity_type,
                event.entity_id,
                event.before,
                event.after,
            )
            if expected != event.hash:
                return ChainCheck(count, event.id, "this event was changed after it was written")
            prev = event.hash
            count += 1
            last_id = event.id
