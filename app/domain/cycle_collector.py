"""Python's cycle collector paused for bulk work over many records (parsing an export,
storing it, a matching run): every few hundred new objects it would re-scan everything
still alive, the growing result included (a third of a 50,000-row parse, a fifth of a
40,000-payment run). Reference counting still frees at once; cycles made meanwhile wait for
the next collection. Left off if it was off (the GUI runs it on a timer)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
