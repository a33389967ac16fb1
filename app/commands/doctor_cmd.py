"""`paysage doctor`"""

from __future__ import annotations

import argparse

from app.config import load_settings, with_env_overrides
from app.doctor import Level, run_checks


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check this computer, the data folder and the connections",
        description="One line per check (ok / warn / fail) with the reason. Exit 1 if any fail.",
    )
    parser.add_argument("--profile", help="profile to check (default: the active one)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    profile = with_env_overrides(load_settings().profile(args.profile))
    checks = run_checks(profile)
    for check in checks:
        print(check.line())
    return 1 if any(c.level is Level.FAIL for c in checks) else 0
