"""Test-connection buttons' work (Qt-free, run on a worker): sign in to PayTrace, reach
Sage Pro and read its chart of accounts. Results are plain words and never contain the
password or API key, whatever the server echoes back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import requests

from app.config import data_dir
from app.log import redact, register_secret

TIMEOUT_S = (5.0, 15.0)  # connect, read


@dataclass(frozen=True)
class GLAccount:
    account_id: str
    description: str
    kind: str  # Asset / Liability / Income / Expense / Equity


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    words: str
    gl_accounts: list[GLAccount] = field(default_factory=list)


def _network_words(system: str, exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return f"{system} did not answer in time. Check the address and try again."
    if isinstance(exc, requests.ConnectionError):
        return f"{system} could not be reached at that address. Check the URL and the network."
    return f"{system} could not be contacted ({type(exc).__name__})."


def check_paytrace(base_url: str, username: str, password: str, integrator_id: str) -> CheckResult:
    """``POST {url}/oauth/token`` with the password grant, as the sync will."""
    register_secret(password)
    if not (base_url and username and password):
        return CheckResult(False, "Enter the PayTrace address, API user name and password.")
    try:
        response = requests.post(
            base_url.rstrip("/") + "/oauth/token",
            data={"grant_type": "password", "username": username, "password": password},
            timeout=TIMEOUT_S,
        )
    except requests.RequestException as exc:
        return CheckResult(False, _network_words("PayTrace", exc))
    if response.status_code == 200:
        try:
            token = response.json().get("access_token")
        except ValueError:
            token = None
        if token:
            register_secret(str(token))
            note = "" if integrator_id else " Add the integrator id before syncing."
            return CheckResult(True, f"Signed in to PayTrace as {username}.{note}")
        return CheckResult(False, "PayTrace answered, but not with a sign-in token.")
    if response.status_code in (400, 401):
        return CheckResult(False, "PayTrace refused this API user name or password.")
    return CheckResult(
        False, redact(f"PayTrace answered with an error (HTTP {response.status_code}).")
    )


def fetch_gl_accounts(base_url: str, api_key: str) -> list[GLAccount]:
    """Every GL account (all pages). Raises ``requests`` errors / ValueError to the caller."""
    accounts: list[GLAccount] = []
    page = 1
    while True:
        response = requests.get(
            base_url.rstrip("/") + "/api/glaccounts",
            params={"page": page, "page_size": 500},
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=TIMEOUT_S,
        )
        response.raise_for_status()
        body = response.json()
        for item in body.get("items", []):
            if item.get("Active", True):
                accounts.append(
                    GLAccount(
                        str(item["GLAccountID"]),
                        str(item.get("Description", "")),
                        str(item.get("Type", "")),
                    )
                )
        if page * int(body.get("page_size", 500)) >= int(body.get("total", 0)):
            return accounts
        page += 1


def check_sagepro(base_url: str, api_key: str) -> CheckResult:
    """``GET /api/health`` (no key), then the chart of accounts with the key."""
    register_secret(api_key)
    if not (base_url and api_key):
        return CheckResult(False, "Enter the Sage Pro address and API key.")
    root = base_url.rstrip("/")
    try:
        health = requests.get(root + "/api/health", timeout=TIMEOUT_S)
        if health.status_code != 200:
            return CheckResult(False, f"Sage Pro is not healthy (HTTP {health.status_code}).")
        company = str(health.json().get("company", "?"))
        accounts = fetch_gl_accounts(root, api_key)
    except requests.HTTPError as exc:
        code = exc.response.status_code if exc.response is not None else 0
        if code == 401:
            return CheckResult(False, "Sage Pro is reachable but refused this API key.")
        return CheckResult(False, f"Sage Pro answered with an error (HTTP {code}).")
    except requests.RequestException as exc:
        return CheckResult(False, _network_words("Sage Pro", exc))
    except (ValueError, KeyError):
        return CheckResult(False, "Sage Pro answered with something that is not its API.")
    return CheckResult(
        True, f"Connected to Sage Pro company {company}; {len(accounts)} GL accounts.", accounts
    )


def _cache_path(profile: str) -> Path:
    safe = "".join(ch if ch.isalnum() else "_" for ch in profile).lower()
    return data_dir() / f"glaccounts-{safe}.json"


def save_gl_cache(profile: str, accounts: list[GLAccount]) -> None:
    path = _cache_path(profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [[a.account_id, a.description, a.kind] for a in accounts]
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")


def load_gl_cache(profile: str) -> list[GLAccount]:
    """The chart of accounts fetched last time ([] when never fetched or unreadable)."""
    try:
        rows = json.loads(_cache_path(profile).read_text(encoding="utf-8"))
        return [GLAccount(str(a), str(d), str(k)) for a, d, k in rows]
    except (OSError, ValueError, TypeError):
        return []
