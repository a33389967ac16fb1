"""Fault injection shared by both stand-ins.

Faults are either *scripted* (the next N matching requests get fault K) or *random*
(each matching request gets one of ``kinds`` with probability ``rate``, from a seeded RNG so
a soak is repeatable). Tests drive an injector in-process; a running stand-in is driven at
run time through ``POST /_sandbox/faults`` (see ``http_base``).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class FaultKind(StrEnum):
    LATENCY = "latency"  # sleep ``latency_s`` then answer normally
    RATE_LIMITED = "429"  # 429 with Retry-After
    UNAVAILABLE = "503"  # 503 with Retry-After
    INTERNAL = "500"
    RESET = "reset"  # close the connection without a response, before applying
    HANG = "hang"  # hold the connection ``hang_s`` seconds, then close it, not applied
    EXPIRED_TOKEN = "expired_token"  # the token presented is treated as expired
    MALFORMED = "malformed"  # apply, then send a truncated JSON body
    APPLY_THEN_DROP = "apply_then_drop"  # apply the change, then drop the response


# Faults that only make sense where the request changes state.
WRITE_ONLY = frozenset({FaultKind.APPLY_THEN_DROP})


@dataclass
class ScriptedFault:
    kind: FaultKind
    remaining: int
    path_contains: str | None = None  # only requests whose path contains this text
    writes_only: bool = False


@dataclass
class FaultSettings:
    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = ()
    latency_s: float = 0.0  # added to every request (not only LATENCY faults)
    fault_latency_s: float = 0.2  # the sleep of a LATENCY fault
    hang_s: float = 5.0
    retry_after_s: int = 1
    path_contains: str | None = None
    seed: int = 0


@dataclass
class FaultInjector:
    settings: FaultSettings = field(default_factory=FaultSettings)
    _script: list[ScriptedFault] = field(default_factory=list)
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[str] = field(default_factory=Counter)

    def script(
        self,
        kind: FaultKind | str,
        count: int = 1,
        *,
        path_contains: str | None = None,
        writes_only: bool = False,
    ) -> None:
        """The next ``count`` matching requests get ``kind``."""
        with self._lock:
            self._script.append(ScriptedFault(FaultKind(kind), count, path_contains, writes_only))

    def set_random(
        self,
        rate: float,
        kinds: list[FaultKind | str] | tuple[FaultKind | str, ...],
        *,
        seed: int = 0,
        path_contains: str | None = None,
        **extra: float,
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        with self._lock:
            self.settings = FaultSettings(
                rate=rate,
                kinds=tuple(FaultKind(k) for k in kinds),
                seed=seed,
                path_contains=path_contains,
                latency_s=float(extra.get("latency_s", self.settings.latency_s)),
                fault_latency_s=float(extra.get("fault_latency_s", self.settings.fault_latency_s)),
                hang_s=float(extra.get("hang_s", self.settings.hang_s)),
                retry_after_s=int(extra.get("retry_after_s", self.settings.retry_after_s)),
            )
            self._rng = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self._script.clear()
            self.settings = FaultSettings()
            self.counts.clear()

    def decide(self, path: str, is_write: bool) -> FaultKind | None:
        """The fault for this request, or None to answer normally."""
        with self._lock:
            for scripted in self._script:
                if scripted.path_contains and scripted.path_contains not in path:
                    continue
                if scripted.writes_only and not is_write:
                    continue
                if scripted.kind in WRITE_ONLY and not is_write:
                    continue
                scripted.remaining -= 1
                if scripted.remaining <= 0:
                    self._script.remove(scripted)
                self.counts[scripted.kind.value] += 1
                return scripted.kind
            s = self.settings
            if s.rate <= 0 or not s.kinds:
                return None
            if s.path_contains and s.path_contains not in path:
                return None
            if self._rng.random() >= s.rate:
                return None
            choices = [k for k in s.kinds if is_write or k not in WRITE_ONLY]
            if not choices:
                return None
            kind = self._rng.choice(choices)
            self.counts[kind.value] += 1
            return kind

    def configure(self, spec: dict[str, object]) -> None:
        """Apply a JSON control document (the ``/_sandbox/faults`` body).

        ``{"clear": true}``, ``{"script": [{"kind": "503", "count": 2, "path_contains": "x"}]}``,
        ``{"random": {"rate": 0.2, "kinds": ["500", "reset"], "seed": 1}}``.
        """
        if spec.get("clear"):
            self.clear()
        scripted = spec.get("script") or []
        if not isinstance(scripted, list):
            raise ValueError("'script' must be a list")
        for item in scripted:
            if not isinstance(item, dict):
                raise ValueError("each scripted fault must be an object")
            self.script(
                str(item["kind"]),
                int(item.get("count", 1)),
                path_contains=item.get("path_contains"),
                writes_only=bool(item.get("writes_only", False)),
            )
        rand = spec.get("random")
        if isinstance(rand, dict):
            kinds = rand.get("kinds") or []
            extra = {
                k: float(rand[k])
                for k in ("latency_s", "fault_latency_s", "hang_s", "retry_after_s")
                if k in rand
            }
            self.set_random(
                float(rand.get("rate", 0.0)),
                [str(k) for k in kinds],
                seed=int(rand.get("seed", 0)),
                path_contains=rand.get("path_contains"),
                **extra,
            )
