"""Failures that end a sync cycle; the message is one plain sentence for the user."""

from __future__ import annotations


class SyncFatalError(Exception):
    pass


class SyncBusyError(SyncFatalError):
    """Another cycle of the same profile is running (in this process or another)."""
