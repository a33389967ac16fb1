"""What a mutating operation changed, so every page showing those areas refreshes from the
operation's own answer instead of a list each page keeps by hand (as Anki's ``OpChanges``).

Qt-free: the service façade (``services``) builds these; ``signals.announce`` broadcasts them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Entity names announced through ``AppSignals.data_changed`` (the tables a page may show).
PROPOSALS = "proposals"
TRANSACTIONS = "transactions"
OUTBOX = "outbox"
EXCEPTIONS = "exceptions"
BATCHES = "settlement_batches"
AUDIT = "audit_events"


@dataclass(frozen=True)
class Changes:
    """Which areas an operation changed; each field is named after its entity."""

    proposals: bool = False
    transactions: bool = False
    outbox: bool = False
    exceptions: bool = False
    settlement_batches: bool = False
    audit_events: bool = False

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(name for name, changed in asdict(self).items() if changed)

    def __or__(self, other: Changes) -> Changes:
        theirs = asdict(other)
        return Changes(**{name: mine or theirs[name] for name, mine in asdict(self).items()})

    def __bool__(self) -> bool:
        return bool(self.entities)


NOTHING = Changes()
EVERYTHING = Changes(True, True, True, True, True, True)


@dataclass(frozen=True)
class Changed(Generic[T]):
    """A mutating operation's answer: its result for the caller, and what it changed."""

    value: T
    changes: Changes
