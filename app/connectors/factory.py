"""The one place the app builds its connectors from a profile: address and user from the
profile's settings, the secret from the keyring (``app.credentials``). The sync cycle, the
schedules page and the recurrence dialog all come here, so a new setting or secret rule is
made once."""

from __future__ import annotations

from app import credentials
from app.config import Profile
from app.connectors.paytrace.client import PayTraceClient
from app.connectors.sagepro.client import SageProClient
from app.connectors.sagepro.gateway import SageProGateway


def paytrace_client(profile: Profile, *, headless: bool = False) -> PayTraceClient:
    """The profile's PayTrace account. Reads the keyring: call it off the GUI thread."""
    password = credentials.get_secret(profile.name, "paytrace", headless=headless)
    settings = profile.paytrace
    return PayTraceClient(settings.base_url, settings.username, password, settings.integrator_id)


def sagepro_gateway(profile: Profile, *, headless: bool = False) -> SageProGateway:
    """The profile's Sage Pro company, over its REST API service. Reads the keyring."""
    api_key = credentials.get_secret(profile.name, "sagepro", headless=headless)
    return SageProClient(profile.sagepro.base_url, api_key)
