"""App-wide signals. Views subscribe here instead of calling each other: whoever changes
data announces it, and every page showing that entity refreshes itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, SignalInstance

from app.ui.changes import (
    AUDIT,
    BATCHES,
    EVERYTHING,
    EXCEPTIONS,
    OUTBOX,
    PROPOSALS,
    TRANSACTIONS,
    Changes,
)

# Entity names announced through ``data_changed`` (the tables a page may show).
SETTINGS = "settings"
ALL_ENTITIES = EVERYTHING.entities
__all__ = [
    "ALL_ENTITIES",
    "AUDIT",
    "BATCHES",
    "EXCEPTIONS",
    "OUTBOX",
    "PROPOSALS",
    "SETTINGS",
    "TRANSACTIONS",
    "AppSignals",
    "announce",
    "announce_changed",
    "app_signals",
    "subscribe",
]


class AppSignals(QObject):
    data_changed = Signal(str)  # entity name (see constants above)
    sync_started = Signal(str)  # trigger: manual / schedule
    sync_progress = Signal(str, int, int)  # stage text, done, total
    sync_finished = Signal(bool, str)  # ok, plain-words summary or error
    schedule_changed = Signal()  # on/off, next run, interval
    settings_changed = Signal()
    # title, message, link (app/ui/links.py: the page a click on it opens; "" the window)
    alert = Signal(str, str, str)  # a tray notification (the status bar where none)
    status_message = Signal(str)  # transient line for the status bar
    navigate = Signal(str)  # page key, e.g. "exceptions"
    open_link = Signal(str)  # a link (app/ui/links.py), e.g. "settings/paytrace/url"
    reconciliation_view = Signal(str)  # a "Show" view of the grid, e.g. "open" (Needs review)


_instance: AppSignals | None = None


def app_signals() -> AppSignals:
    """The one instance (created on first use, on the GUI thread)."""
    global _instance
    if _instance is None:
        _instance = AppSignals()
    return _instance


def subscribe(owner: QObject, signal: SignalInstance, fn: Callable[..., Any]) -> None:
    """Connect ``fn`` to an app-wide signal for as long as ``owner`` lives (a lambda would
    otherwise outlive the page it refreshes)."""

    def call(*args: Any) -> None:
        if shiboken6.isValid(owner):
            fn(*args)

    signal.connect(call)
    owner.destroyed.connect(lambda *_a: signal.disconnect(call))


def announce(changes: Changes) -> None:
    """Broadcast what a mutating operation changed: each page showing one of those areas
    refreshes itself."""
    announce_changed(*changes.entities)


def announce_changed(*entities: str) -> None:
    for entity in entities:
        app_signals().data_changed.emit(entity)
