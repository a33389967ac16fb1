"""The stand-in PayTrace: JSON API v1 over real HTTP on localhost, seeded from demo data."""

from app.sandbox.paytrace.app import PayTraceStandIn
from app.sandbox.paytrace.clock import StandInClock
from app.sandbox.paytrace.settings import StandInSettings

__all__ = ["PayTraceStandIn", "StandInClock", "StandInSettings"]
