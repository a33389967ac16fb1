"""OAuth password grant for the stand-in: opaque bearer tokens that expire on its clock."""

from __future__ import annotations

import secrets

from app.sandbox.paytrace.clock import StandInClock

TOKEN_LIFETIME_S = 7200


class TokenIssuer:
    def __init__(self, clock: StandInClock, lifetime_s: int = TOKEN_LIFETIME_S) -> None:
        self.clock = clock
        self.lifetime_s = lifetime_s
        self._expires: dict[str, float] = {}
        self.issued = 0

    def issue(self) -> tuple[str, int]:
        """A new token and its creation time (epoch seconds)."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        self._expires[token] = now + self.lifetime_s
        self.issued += 1
        return token, int(now)

    def valid(self, authorization_header: str) -> bool:
        scheme, _, token = authorization_header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        expires = self._expires.get(token.strip())
        return expires is not None and self.clock.now() < expires

    def expire_all(self) -> int:
        count = len(self._expires)
        self._expires.clear()
        return count
