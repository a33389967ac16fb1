"""`paysage store migrate --to postgresql://…` and `paysage store status`: move one
bookkeeper's local history into the team's PostgreSQL store, and say which store a profile
uses."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import credentials
from app.config import SettingsError, database_path, load_settings, save_settings
from app.credentials import SecretSystem
from app.store import dialect, open_profile_store, open_store, open_store_url
from app.store.copy import CopyReport, copy_store
from app.store.migrate import current_revision, head_revision
from app.store.presence import others_online


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "store",
        help="team mode: copy the local store into PostgreSQL, or show the store in use",
        description="A profile's store is its local SQLite file, or a shared PostgreSQL "
        "database (team mode). The PostgreSQL password lives in the keyring: "
        "`paysage credentials set --profile NAME postgresql`.",
    )
    actions = parser.add_subparsers(dest="store_action", metavar="ACTION", required=True)
    migrate = actions.add_parser(
        "migrate",
        help="copy the profile's local SQLite store into a PostgreSQL database",
        description="Creates or upgrades the schema on the server, copies every row not "
        "there yet (running it again copies nothing), then verifies each table by row count "
        "and checksum and the audit chain. Exit 0 only when all of that holds.",
    )
    migrate.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/db")
    migrate.add_argument("--profile", help="profile whose store to copy (default: active)")
    migrate.add_argument("--from", dest="source", type=Path, help="a SQLite file to copy instead")
    migrate.add_argument(
        "--use", action="store_true", help="afterwards, point the profile at the server"
    )
    migrate.set_defaults(handler=run_migrate)
    status = actions.add_parser("status", help="which store the profile uses, and who is on it")
    status.add_argument("--profile", help="profile (default: active)")
    status.set_defaults(handler=run_status)


def _target_url(url: str, profile: str) -> str:
    if not dialect.is_postgresql_url(url):
        raise SettingsError(f"--to must be a postgresql:// URL, not {url.split(':', 1)[0]}.")
    if dialect.has_password(url):
        return dialect.normalise_url(url)
    try:
        password = credentials.get_secret(profile, SecretSystem.POSTGRESQL)
    except credentials.MissingSecretError:
        password = None  # PGPASSWORD / pgpass / a trusting server may still let us in
    return dialect.connect_url(url, password)


def _print_report(report: CopyReport) -> None:
    for check in report.tables:
        verdict = "ok" if check.ok else "MISMATCH"
        print(
            f"{check.table:<24} {check.source_rows:>9} rows  +{check.inserted:<9} "
            f"copied  {verdict}"
            + ("" if check.ok else f" (target has {check.target_rows} rows / other values)")
        )
    chain = "intact" if report.audit_ok else "BROKEN"
    print(f"audit chain on the target: {report.audit_events} events, {chain}")


def run_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    profile = settings.profile(args.profile)
    source_path: Path = args.source or database_path(profile.name)
    if not source_path.exists():
        raise SettingsError(f"There is no local store to copy at {source_path}.")
    url = _target_url(args.to, profile.name)
    source = open_store(source_path)
    try:
        target = open_store_url(url)
        try:
            print(f"Copying {source_path} into {dialect.without_password(url)} ...")
            report = copy_store(source, target)
        finally:
            target.dispose()
    finally:
        source.dispose()
    _print_report(report)
    if not report.ok:
        print("The copy does not match the source; the profile was left as it was.")
        return 1
    print(f"Verified: {report.inserted} rows copied now, every table matches.")
    if args.use:
        profile.database_url = dialect.without_password(dialect.normalise_url(args.to))
        save_settings(settings)
        print(f"Profile {profile.name} now uses {profile.database_url}.")
    return 0


def run_status(args: argparse.Namespace) -> int:
    profile = load_settings().profile(args.profile)
    where = profile.database_url or str(database_path(profile.name))
    kind = "PostgreSQL (team mode)" if profile.database_url else "local SQLite file"
    print(f"Profile {profile.name}: {kind} {where}")
    store = open_profile_store(profile)
    try:
        print(f"Schema {current_revision(store.writer)} (this version needs {head_revision()}).")
        others = others_online(store)
        for seen in others:
            print(
                f"Also connected: {seen.user} on {seen.host} (last seen {seen.last_seen:%H:%M} UTC)"
            )
        if not others:
            print("No other workstation connected in the last few minutes.")
    finally:
        store.dispose()
    return 0
