"""Team mode in the window: keep this workstation's presence heartbeat going, list who else
is connected to the same store, and refresh the grids when another workstation changes rows.

Everything touching the database runs off the GUI thread (``run_call``); a poll that is still
running when the timer fires again is not doubled up. Polling ``changes_since`` works on both
engines, so this needs no PostgreSQL LISTEN connection (that only shortens the delay).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy.exc import SQLAlchemyError

from app.domain.display_time import show_local_time
from app.store import Store
from app.store.change_feed import changes_since
from app.store.presence import (
    HEARTBEAT_EVERY,
    WorkstationIdentity,
    WorkstationSeen,
    heartbeat,
    others_online,
    sign_off,
    this_workstation,
)
from app.ui.context import UiContext
from app.ui.ops import Op, run_call
from app.ui.signals import (
    ALL_ENTITIES,
    AUDIT,
    BATCHES,
    EXCEPTIONS,
    OUTBOX,
    PROPOSALS,
    TRANSACTIONS,
    announce_changed,
)

log = logging.getLogger(__name__)

POLL_EVERY_MS = 5_000

# Audit entity types → the entity names pages listen for (app/ui/signals.py).
_GRIDS_FOR_ENTITY_TYPE: dict[str, tuple[str, ...]] = {
    "proposal": (PROPOSALS, OUTBOX),
    "outbox": (PROPOSALS, OUTBOX),
    "transaction": (TRANSACTIONS,),
    "paytrace_day": (TRANSACTIONS,),
    "exception_item": (EXCEPTIONS,),
    "settlement_batch": (BATCHES,),
    # A whole sync cycle elsewhere may have touched every table.
    "sync_run": ALL_ENTITIES,
    "sync_cycle": ALL_ENTITIES,
}


def entities_to_refresh(entity_types: Iterable[str]) -> list[str]:
    """The page entity names to announce for these changed audit entity types, audit last
    (every change writes an audit event, so the audit log always refreshes)."""
    wanted: list[str] = []
    for kind in sorted(entity_types):
        for entity in _GRIDS_FOR_ENTITY_TYPE.get(kind, ()):
            if entity not in wanted and entity != AUDIT:
                wanted.append(entity)
    return [*wanted, AUDIT]


def also_connected_text(others: list[WorkstationSeen]) -> str:
    return "Also connected: " + ", ".join(o.id for o in others) if others else ""


@dataclass(frozen=True)
class TeamPoll:
    token: str
    entity_types: frozenset[str]
    others: list[WorkstationSeen]


def poll_team(store: Store, me: WorkstationIdentity, token: str | None, beat: bool) -> TeamPoll:
    """One round on a worker thread: heartbeat (when due), who else is on, what changed."""
    if beat:
        heartbeat(store, me)
    others = others_online(store, me)
    changes = changes_since(store, token)
    return TeamPoll(changes.token, changes.entity_types, others)


class TeamWatch(QObject):
    others_changed = Signal(list)  # list[WorkstationSeen], everyone but this workstation

    def __init__(
        self,
        ctx: UiContext,
        parent: QObject | None = None,
        *,
        interval_ms: int = POLL_EVERY_MS,
        me: WorkstationIdentity | None = None,
        heartbeat_every_s: float = HEARTBEAT_EVERY.total_seconds(),
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.me = me or this_workstation()
        self.others: list[WorkstationSeen] = []
        self.token: str | None = None
        self._heartbeat_every_s = heartbeat_every_s
        self._last_beat: float | None = None
        self._op: Op | None = None
        self._signed_off = False
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.poll)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def start(self) -> None:
        self._timer.start()
        self.poll()  # heartbeat and the starting token now, not one interval later

    def poll(self) -> None:
        if self._signed_off or (self._op is not None and not self._op.done):
            return
        now = time.monotonic()
        beat = self._last_beat is None or now - self._last_beat >= self._heartbeat_every_s
        if beat:
            self._last_beat = now
        self._op = run_call(
            poll_team,
            self.ctx.store,
            self.me,
            self.token,
            beat,
            label="Checking the team",
            on_done=self._apply,
            on_error=self._failed,
            owner=self,
        )

    def _apply(self, result: TeamPoll) -> None:
        had_token = self.token is not None
        self.token = result.token
        if had_token and result.entity_types:
            announce_changed(*entities_to_refresh(result.entity_types))
        if result.others != self.others:
            self.others = result.others
            self.others_changed.emit(result.others)

    def _failed(self, words: str) -> None:
        # Retry on the next tick; a busy shared database is not worth a pop-up.
        log.warning("Team check failed: %s", words)
        self._last_beat = None

    def stop(self) -> None:
        """Stop polling and remove this workstation from the list (a clean exit)."""
        if self._signed_off:
            return
        self._signed_off = True
        self._timer.stop()
        try:
            sign_off(self.ctx.store, self.me)  # quick, and the pool may not run again
        except SQLAlchemyError as exc:  # the row then ages out like a crash would
            log.warning("Could not sign off from the team list: %s", exc)


class AlsoConnectedLabel(QLabel):
    """Status-bar words naming the other connected workstations; hidden when alone."""

    def __init__(self, watch: TeamWatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alsoConnected")
        self.hide()
        watch.others_changed.connect(self.show_others)

    def show_others(self, others: list[WorkstationSeen]) -> None:
        self.setText(also_connected_text(others))
        self.setToolTip(
            "\n".join(f"{o.id} — last seen {show_local_time(o.last_seen)}" for o in others)
        )
        self.setVisible(bool(others))
