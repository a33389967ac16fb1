"""Open a company for serving: discover the tables, settle the layout, find the API key."""

from __future__ import annotations

import os
from pathlib import Path

from app import credentials
from app.bridge import layout as layouts
from app.bridge.company import SageProCompany
from app.bridge.discovery import PathMap, discover

API_KEY_ENV = "PAYSAGE_BRIDGE_API_KEY"  # for the bridge run as a service, without a keyring


def open_company(
    data_folder: Path,
    company: str = "01",
    path_maps: tuple[PathMap, ...] = (),
    code_page: str = "cp1252",
    layout_file: Path | None = None,
) -> SageProCompany:
    """The company ready to serve, or ``LayoutError``/``DiscoveryError`` saying what is
    missing. Without a layout file the layout proposed from the headers is used, and it
    must name every table and field the reads cannot do without."""
    found = discover(data_folder, company, path_maps, code_page)
    served = SageProCompany(found, {}, code_page)
    headers = served.headers()
    if layout_file is not None:
        layout = layouts.load(layout_file)
    else:
        layout, _gaps = layouts.propose(found.company, headers)
    layouts.check(layout, headers)
    served.layout = layout
    return served


def bridge_api_key(profile: str) -> str:
    """The key clients must send: ``PAYSAGE_BRIDGE_API_KEY`` when set (a service has no
    keyring), else the profile's Sage Pro API key from the keyring, which is the key the
    app already sends to its Sage Pro API service."""
    from_env = os.environ.get(API_KEY_ENV, "")
    if from_env:
        return from_env
    return credentials.get_secret(profile, credentials.SecretSystem.SAGEPRO)
