"""`paysage doctor`: one line per check — ok, warn or fail — with the reason."""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import requests

from app import credentials
from app.config import Profile, SettingsError, data_dir, database_path
from app.store.location import network_share_reason

# SQLite 3.7.0–3.51.2 can corrupt a WAL database when a checkpoint races concurrent writers
# (the "WAL-reset" bug, fixed in 3.51.3).
SQLITE_WAL_FIX = (3, 51, 3)


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    detail: str

    def line(self) -> str:
        return f"{self.level.value:<4}  {self.name:<18} {self.detail}"


def check_python() -> Check:
    version = ".".join(str(p) for p in sys.version_info[:3])
    return Check("python", Level.OK, f"Python {version}")


def check_sqlite(version: str = sqlite3.sqlite_version) -> Check:
    parts = tuple(int(p) for p in version.split(".")[:3])
    if parts < SQLITE_WAL_FIX:
        return Check(
            "sqlite",
            Level.WARN,
            f"SQLite {version} has the WAL-reset corruption bug with concurrent writers "
            "(fixed in 3.51.3); Paysage keeps a single writer, but upgrade when you can",
        )
    return Check("sqlite", Level.OK, f"SQLite {version}")


def check_keyring() -> Check:
    try:
        name = credentials.backend_name()
    except credentials.NoKeyringBackendError as exc:
        return Check("keyring", Level.FAIL, str(exc))
    return Check("keyring", Level.OK, f"backend {name}")


def check_data_folder() -> Check:
    folder = data_dir()
    reason = network_share_reason(folder)
    if reason:
        return Check("data folder", Level.FAIL, f"{reason}; SQLite needs a local disk")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("data folder", Level.FAIL, f"{folder} is not writable: {exc.strerror}")
    return Check("data folder", Level.OK, f"{folder} (local, writable)")


def check_database(profile: Profile) -> Check:
    path = database_path(profile.name)
    if not path.exists():
        return Check("database", Level.OK, f"{path.name} not created yet (first sync makes it)")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return Check("database", Level.FAIL, f"{path.name} cannot be opened: {exc}")
    if result != [("ok",)]:
        first = "; ".join(str(row[0]) for row in result[:3])
        return Check("database", Level.FAIL, f"integrity_check found problems: {first}")
    return Check("database", Level.OK, f"{path.name} integrity_check ok")


def check_audit_chain(profile: Profile) -> Check:
    """The hash chain, and its end against the head this computer noted (a cut tail)."""
    from app.store import audit, profile_connect_url
    from app.store.audit_anchor import (
        AnchorUnreadableError,
        anchor_path_for_url,
        check_head,
        read_anchor,
    )
    from app.store.database import Store, sqlite_url

    if profile.database_url:  # team mode: the shared server, this workstation's anchor
        try:
            url = profile_connect_url(profile)
        except SettingsError as exc:
            return Check("audit trail", Level.FAIL, str(exc))
        anchor = anchor_path_for_url(url, data_dir())
    else:
        path = database_path(profile.name)
        if not path.exists():
            return Check("audit trail", Level.OK, "no database yet")
        url = sqlite_url(path)
        anchor = anchor_path_for_url(url, path.parent)
    try:
        head = read_anchor(anchor)
        unreadable = ""
    except AnchorUnreadableError as exc:
        head, unreadable = None, str(exc)
    store = Store(url)
    try:
        with store.read() as session:
            result = audit.verify(session)
            ending = check_head(session, result.events, head) if result.ok and head else None
    except Exception as exc:  # noqa: BLE001 - any failure to read is the finding itself
        return Check("audit trail", Level.FAIL, f"cannot be read: {type(exc).__name__}")
    finally:
        store.dispose()
    if not result.ok:
        return Check(
            "audit trail", Level.FAIL, f"broken at event {result.broken_at}: {result.reason}"
        )
    intact = f"{result.events} events, hash chain intact"
    if ending is not None:
        if not ending.ok:
            # A deliberate restore from a backup is a cut too; the person who did it says so.
            accept = f"if the database was restored from a backup on purpose, delete {anchor}"
            return Check("audit trail", Level.FAIL, f"{intact}, but {ending.detail} ({accept})")
        return Check("audit trail", Level.OK, f"{intact}; {ending.detail}")
    if unreadable:
        return Check(
            "audit trail",
            Level.WARN,
            f"{intact}; whether events are missing at its end cannot be told: {unreadable} "
            "(it is written afresh at the next change)",
        )
    if result.events:
        # A new install or the first run after an upgrade: nothing noted yet, nothing wrong.
        return Check(
            "audit trail",
            Level.WARN,
            f"{intact}; its end is not yet noted on this computer, so missing last events "
            "cannot be told until the next change is recorded",
        )
    return Check("audit trail", Level.OK, intact)


def _reachable(name: str, url: str, probe: Callable[[str], requests.Response]) -> Check:
    if not url:
        return Check(name, Level.WARN, "no URL configured")
    try:
        response = probe(url)
    except requests.RequestException as exc:
        return Check(name, Level.FAIL, f"{url} is not reachable ({type(exc).__name__})")
    return Check(name, Level.OK, f"{url} answered HTTP {response.status_code}")


def check_paytrace(profile: Profile) -> Check:
    base = profile.paytrace.base_url.rstrip("/")
    return _reachable(
        "paytrace", base, lambda url: requests.post(url + "/v1/ping", json={}, timeout=5)
    )


def check_sagepro(profile: Profile) -> Check:
    base = profile.sagepro.base_url.rstrip("/")
    return _reachable("sage pro", base, lambda url: requests.get(url + "/api/health", timeout=5))


def run_checks(profile: Profile, extra: list[Callable[[], Check]] | None = None) -> list[Check]:
    checks = [check_python(), check_sqlite(), check_keyring(), check_data_folder()]
    checks.append(check_database(profile))
    if checks[-1].level is Level.OK:
        checks.append(check_audit_chain(profile))
    for more in extra or []:
        checks.append(more())
    if not os.environ.get("PAYSAGE_DOCTOR_OFFLINE"):
        checks += [check_paytrace(profile), check_sagepro(profile)]
    return checks
