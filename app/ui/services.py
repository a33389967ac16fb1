"""The Qt-free services the pages call (always off the GUI thread, through ``ops``),
imported lazily so a page still opens while a service is missing from a build; the action
then fails in plain words instead of the whole window failing to start.
"""

from __future__ import annotations

import getpass
from importlib import import_module
from types import ModuleType

from app.errors import PaysageError

_PURPOSE = {
    "app.sync.review": "approving, rejecting and re-matching payments",
    "app.sync.exception_queue": "retrying and resolving exceptions",
    "app.sync.cycle": "syncing with PayTrace and Sage Pro",
    "app.sync.scheduler": "scheduled syncing",
}


class ServiceUnavailableError(PaysageError):
    """A sync service module is not in this build."""


def _load(name: str) -> ModuleType:
    try:
        return import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not name.startswith(exc.name):
            raise  # a real import error inside the module: let it surface
        raise ServiceUnavailableError(
            f"This build of Paysage does not include {_PURPOSE.get(name, name)} yet."
        ) from None


def review() -> ModuleType:
    """``app.sync.review``: approve_proposals, reject_proposal, rematch_proposal, ..."""
    return _load("app.sync.review")


def exception_queue() -> ModuleType:
    """``app.sync.exception_queue``: retry_item, retry_group, resolve_item, discard_item, ..."""
    return _load("app.sync.exception_queue")


def cycle() -> ModuleType:
    """``app.sync.cycle``: build_context, run_cycle, CycleResult, CancelToken."""
    return _load("app.sync.cycle")


def scheduler() -> ModuleType:
    """``app.sync.scheduler``: SyncScheduler."""
    return _load("app.sync.scheduler")


def sync_errors() -> ModuleType:
    """``app.sync.errors``: SyncFatalError, SyncBusyError."""
    return _load("app.sync.errors")


def is_available(name: str) -> bool:
    try:
        _load(f"app.sync.{name}")
    except ServiceUnavailableError:
        return False
    return True


def current_user() -> str:
    """Who is at the keyboard, for audit events."""
    try:
        return getpass.getuser() or "bookkeeper"
    except (OSError, KeyError):
        return "bookkeeper"
