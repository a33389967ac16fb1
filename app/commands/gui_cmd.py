"""`paysage gui` (also plain `paysage`): the desktop app on the real profile."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "gui",
        help="open the desktop app (the default when no command is given)",
        description="Opens Paysage on the active profile; the first run shows the "
        "connections wizard.",
    )
    parser.add_argument("--profile", help="profile to open (default: the active one)")
    parser.add_argument(
        "--minimized",
        action="store_true",
        help="start in the tray only and keep syncing on schedule",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.log import setup_logging
    from app.ui.app import run_gui

    setup_logging()
    return run_gui(getattr(args, "profile", None), minimized=getattr(args, "minimized", False))
