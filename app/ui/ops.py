"""Background operations: run a Qt-free callable on a thread pool, hand it a progress
callback and a cancel token, and deliver its result or its error back on the GUI thread.

The GUI thread never waits on the network or a big query: every such call goes through
``run_op``. Errors reach the user in plain words (``describe_error``), redacted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.log import redact
from app.sync.cancel import CancelToken
from app.ui.changes import Changed
from app.ui.signals import announce

log = logging.getLogger(__name__)
T = TypeVar("T")

ProgressCallback = Callable[[str, int, int], None]


_NETWORK_WORDS = (
    ("ConnectionError", "The server could not be reached. Check the address and the network."),
    ("ConnectTimeout", "The server did not answer in time. Check the address and the network."),
    ("ReadTimeout", "The server took too long to answer. Try again in a moment."),
    ("Timeout", "The server took too long to answer. Try again in a moment."),
    ("SSLError", "The secure connection to the server failed (certificate problem)."),
    ("OperationalError", "The database could not complete the request (it may be busy)."),
)


def describe_error(exc: BaseException) -> str:
    """One plain sentence for the user. Our own exceptions carry words written for people;
    library exceptions are translated by kind; nothing passes without redaction."""
    module = type(exc).__module__
    if module.startswith("app.") and str(exc):
        return redact(str(exc))
    for cls in type(exc).__mro__:
        for name, words in _NETWORK_WORDS:
            if cls.__name__ == name:
                return words
    return (
        f"Something unexpected went wrong ({type(exc).__name__}). "
        "The details are in the log file; the data is unchanged."
    )


class Op(QObject, Generic[T]):
    """One running operation whose work returns a ``T`` (like Anki's ``QueryOp``). Signals
    arrive on the GUI thread (queued from the worker)."""

    progressed = Signal(str, int, int)  # stage text, done, total
    succeeded = Signal(object)  # the callable's return value
    failed = Signal(str, object)  # plain words, the exception
    finished = Signal()  # always, after succeeded or failed

    def __init__(self, label: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.token = CancelToken()
        self.done = False
        self.result: T | None = None
        self.error: str | None = None
        self.succeeded.connect(self._remember_result)
        self.failed.connect(self._remember_error)
        self.finished.connect(self._mark_done)

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def _remember_result(self, value: T) -> None:
        self.result = value

    def _remember_error(self, words: str, _exc: object) -> None:
        self.error = words

    def _mark_done(self) -> None:
        self.done = True
        _running.discard(self)


class _Runner(QRunnable, Generic[T]):
    def __init__(self, op: Op[T], work: Callable[[ProgressCallback, CancelToken], T]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._op = op
        self._work = work

    def run(self) -> None:
        op = self._op
        try:
            result = self._work(op.progressed.emit, op.token)
        except Exception as exc:  # every failure becomes a visible, plain-words signal
            log.error("%s failed: %s", op.label, exc, exc_info=True)
            op.failed.emit(describe_error(exc), exc)
        else:
            op.succeeded.emit(result)
        op.finished.emit()


# Ops are owned here until they finish, so a caller may drop its reference safely.
_running: set[Op[Any]] = set()
_pool: QThreadPool | None = None


def ops_pool() -> QThreadPool:
    """The pool for user operations (sync, approvals, exports, connection tests)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(4)
    return _pool


def run_op(
    work: Callable[[ProgressCallback, CancelToken], T],
    *,
    label: str,
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    pool: QThreadPool | None = None,
    owner: QObject | None = None,
) -> Op[T]:
    """Start ``work(progress, cancel)`` off the GUI thread; callbacks run on the GUI thread,
    and not at all once ``owner`` (the widget or model that asked) has been destroyed."""
    op: Op[T] = Op(label)

    def alive() -> bool:
        return owner is None or shiboken6.isValid(owner)

    if on_done is not None:
        op.succeeded.connect(lambda value: on_done(value) if alive() else None)
    if on_error is not None:
        op.failed.connect(lambda words, _exc: on_error(words) if alive() else None)
    if on_progress is not None:
        op.progressed.connect(lambda *a: on_progress(*a) if alive() else None)
    _running.add(op)
    (pool or ops_pool()).start(_Runner(op, work))
    return op


def run_call(
    fn: Callable[..., T],
    *args: Any,
    label: str,
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    pool: QThreadPool | None = None,
    owner: QObject | None = None,
    **kwargs: Any,
) -> Op[T]:
    """``run_op`` for a plain call that reports no progress and cannot be cancelled."""
    return run_op(
        lambda _progress, _cancel: fn(*args, **kwargs),
        label=label,
        on_done=on_done,
        on_error=on_error,
        pool=pool,
        owner=owner,
    )


def run_mutation(
    work: Callable[[], Changed[T]],
    *,
    label: str,
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    owner: QObject | None = None,
) -> Op[Changed[T]]:
    """``run_call`` for a change to the data (like Anki's ``CollectionOp``): ``work`` answers
    its result and what it changed; the changes are announced app-wide (every page showing
    those areas refreshes, even when ``owner`` is gone), then ``on_done`` gets the result."""

    def alive() -> bool:
        return owner is None or shiboken6.isValid(owner)

    def done(changed: Changed[T]) -> None:
        announce(changed.changes)
        if on_done is not None and alive():
            on_done(changed.value)

    def failed(words: str) -> None:
        if on_error is not None and alive():
            on_error(words)

    return run_call(work, label=label, on_done=done, on_error=failed)


def running_ops() -> list[Op[Any]]:
    return list(_running)
