"""How a stand-in PayTrace account is set up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from app.sandbox.paytrace.auth import TOKEN_LIFETIME_S


@dataclass(frozen=True)
class StandInSettings:
    username: str = "demo"
    password: str = "demo"
    integrator_id: str = "DEMOINTEGRA1"
    merchant_zone: tzinfo | None = None  # None: the machine's local zone
    strict_integrator_id: bool = False  # True: a missing/wrong integrator_id is error 981
    token_lifetime_s: int = TOKEN_LIFETIME_S
