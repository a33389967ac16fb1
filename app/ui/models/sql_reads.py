"""Grid reads off the GUI thread: their own small pool, and interrupted once stale."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QThreadPool
from sqlalchemy.orm import Session

from app.queries.sql_query import QueryCancelledError, interrupt_when
from app.store import Store
from app.sync.cancel import CancelToken
from app.ui.ops import ProgressCallback, run_op

ReadResult = TypeVar("ReadResult")
_query_pool: QThreadPool | None = None


def query_pool() -> QThreadPool:
    """Grid reads get their own small pool so a long sync never delays scrolling."""
    global _query_pool
    if _query_pool is None:
        _query_pool = QThreadPool()
        _query_pool.setMaxThreadCount(3)
    return _query_pool


def read_off_thread(
    store: Store,
    owner: QObject,
    label: str,
    read: Callable[[Session], ReadResult],
    *,
    stale: Callable[[], bool],
    on_done: Callable[[ReadResult | None], None],
    on_error: Callable[[str], None],
) -> None:
    """``read`` in a read session on the query pool; interrupted once ``stale()`` turns
    true, and then handed on as None."""

    def work(_progress: ProgressCallback, _cancel: CancelToken) -> ReadResult | None:
        try:
            with store.read() as session, interrupt_when(session, stale):
                return read(session)
        except QueryCancelledError:
            return None

    run_op(work, label=label, pool=query_pool(), on_done=on_done, on_error=on_error, owner=owner)
