"""`paysage sync --once`: one full cycle headless (for Windows Task Scheduler), or keep
syncing on the profile's schedule until Ctrl+C."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from datetime import date

from app import credentials
from app.config import Profile, load_settings, settings_path, with_env_overrides
from app.log import setup_logging
from app.platform_mutex import hold_app_mutex
from app.store import open_profile_store
from app.sync.cycle import CycleResult, build_context, run_cycle

# The variables that give a scheduled run its connection without a settings file.
ENV_CONNECTION = ("PAYSAGE_PAYTRACE_URL", "PAYSAGE_PAYTRACE_USERNAME", "PAYSAGE_SAGEPRO_URL")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="poll PayTrace, match and post to Sage Pro (headless)",
        description="Runs the same sync as the app's Sync now button. The last line printed "
        "is one JSON object with the counts. Exit 0 when the cycle completed (items waiting "
        "for review are not errors).",
    )
    parser.add_argument("--once", action="store_true", help="run one cycle and exit")
    parser.add_argument("--profile", help="profile to sync (default: the active one)")
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="fetch from this merchant-local date instead of the cursor",
    )
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        help="approve what the profile's auto-approve tier approves (Recommended unless "
        "set otherwise in Settings) without review",
    )
    parser.set_defaults(handler=run)


def setup_missing(profile: Profile) -> list[str]:
    """What stops a sync before it starts, in plain words ([] when nothing does). Checked
    before anything is created: a run that cannot sync leaves no database or log behind."""
    from_env = any(os.environ.get(name) for name in ENV_CONNECTION)
    if not settings_path().exists() and not from_env:
        return ["no profile is set up yet"]
    missing = []
    if not profile.paytrace.username:
        missing.append(f"profile {profile.name!r} has no PayTrace API user name")
    for system, words in (("paytrace", "PayTrace password"), ("sagepro", "Sage Pro API key")):
        try:
            credentials.get_secret(profile.name, system, headless=True)
        except credentials.MissingSecretError:
            missing.append(f"no {words} is stored for profile {profile.name!r}")
        except credentials.CredentialsError as exc:
            missing.append(str(exc).rstrip("."))
            break  # the same keyring problem for both
    return missing


def how_to_set_up(profile: str) -> str:
    return (
        "To set it up, open Paysage (`paysage gui`) and fill in Settings → PayTrace and "
        "Sage Pro, or run "
        f"`paysage credentials set --profile {profile} paytrace` and "
        f"`paysage credentials set --profile {profile} sagepro`. For a scheduled run the "
        "PAYSAGE_PAYTRACE_URL, PAYSAGE_PAYTRACE_USERNAME, PAYSAGE_PAYTRACE_PASSWORD, "
        "PAYSAGE_SAGEPRO_URL and PAYSAGE_SAGEPRO_API_KEY environment variables do the same. "
        "Nothing was created."
    )


def run(args: argparse.Namespace) -> int:
    profile = with_env_overrides(load_settings().profile(args.profile))
    missing = setup_missing(profile)
    if missing:
        # One line, like every other expected failure of the CLI.
        print(
            f"paysage: cannot sync yet: {'; '.join(missing)}. {how_to_set_up(profile.name)}",
            file=sys.stderr,
        )
        return 2
    setup_logging()
    store = open_profile_store(profile)
    mutex = hold_app_mutex()  # keeps the installer from replacing files mid-sync
    try:
        ctx = build_context(profile, store, headless=True)
        if not args.once:
            return _run_scheduled(ctx, args)
        result = run_cycle(
            ctx, trigger="cli", since=args.since, auto_approve=True if args.auto_approve else None
        )
        return _report(result)
    finally:
        mutex.release()
        store.dispose()


def _report(result: CycleResult) -> int:
    for note in result.notes:
        print(note, file=sys.stderr)
    print(json.dumps(result.as_dict()))
    paused = any(note.startswith("Posting paused") for note in result.notes)
    return 3 if paused else 0


def _run_scheduled(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from app.sync.scheduler import SyncScheduler

    stop = threading.Event()

    def cycle(trigger: str) -> CycleResult:
        result = run_cycle(ctx, trigger=trigger, auto_approve=True if args.auto_approve else None)
        _report(result)
        return result

    scheduler = SyncScheduler(
        ctx.profile.name, cycle, store=ctx.store, interval_minutes=ctx.profile.sync.interval_minutes
    )
    scheduler.start()
    print(
        f"Syncing profile {ctx.profile.name} every {ctx.profile.sync.interval_minutes} "
        "minutes; press Ctrl+C to stop.",
        file=sys.stderr,
    )
    try:
        stop.wait()
    finally:
        scheduler.shutdown()
    return 0
