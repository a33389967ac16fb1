"""Who else is working on a shared store: each open window writes a heartbeat to its row in
``workstations``; the others list the rows seen within the last few minutes.

The id is ``user@host`` — readable in the UI, stable across restarts, and unique because one
data folder runs one Paysage (the single-instance lock) for one OS user on one computer.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app.clock import utcnow
from app.store.database import Store
from app.store.models import Workstation

HEARTBEAT_EVERY = timedelta(seconds=60)
ONLINE_WITHIN = timedelta(minutes=3)  # three missed heartbeats = offline
FALLBACK_USER = "bookkeeper"


def os_user_name() -> str:
    """The signed-in OS user: who approved, who is connected."""
    try:
        return getpass.getuser() or FALLBACK_USER
    except (OSError, KeyError, ImportError):  # no login name in this environment
        return FALLBACK_USER


def host_name() -> str:
    return socket.gethostname() or "localhost"


@dataclass(frozen=True)
class WorkstationIdentity:
    user: str
    host: str

    @property
    def id(self) -> str:
        return f"{self.user}@{self.host}"[:160]


@dataclass(frozen=True)
class WorkstationSeen:
    id: str
    user: str
    host: str
    started_at: datetime
    last_seen: datetime


def this_workstation() -> WorkstationIdentity:
    return WorkstationIdentity(os_user_name()[:80], host_name()[:80])


def heartbeat(
    store: Store, me: WorkstationIdentity | None = None, *, now: datetime | None = None
) -> None:
    """Insert or refresh this workstation's row (call at start-up, then every minute)."""
    me = me or this_workstation()
    at = now or utcnow()
    with store.write() as session:
        row = session.get(Workstation, me.id)
        if row is None:
            session.add(
                Workstation(id=me.id, user_name=me.user, host=me.host, started_at=at, last_seen=at)
            )
        else:
            row.last_seen = at


def others_online(
    store: Store,
    me: WorkstationIdentity | None = None,
    *,
    within: timedelta = ONLINE_WITHIN,
    now: datetime | None = None,
) -> list[WorkstationSeen]:
    """The other workstations seen within ``within``, most recent first."""
    me = me or this_workstation()
    since = (now or utcnow()) - within
    with store.read() as session:
        rows = session.execute(
            select(Workstation)
            .where(Workstation.last_seen >= since, Workstation.id != me.id)
            .order_by(Workstation.last_seen.desc(), Workstation.id)
        ).scalars()
        return [WorkstationSeen(r.id, r.user_name, r.host, r.started_at, r.last_seen) for r in rows]


def sign_off(store: Store, me: WorkstationIdentity | None = None) -> None:
    """Remove this workstation's row on a clean exit (a crash just ages out)."""
    me = me or this_workstation()
    with store.write() as session:
        session.execute(delete(Workstation).where(Workstation.id == me.id))
