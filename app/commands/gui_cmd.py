"""`paysage gui` (also plain `paysage`): the desktop app on the real profile."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the window offscreen, quit at once, exit 0 (build checks)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import os

    if getattr(args, "smoke", False):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.log import setup_logging
    from app.platform_mutex import hold_app_mutex
    from app.ui.app import ensure_application, run_gui

    setup_logging()
    mutex = hold_app_mutex()  # the installer refuses to run while this is held
    try:
        if getattr(args, "smoke", False):
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, ensure_application().quit)
        return run_gui(getattr(args, "profile", None), minimized=getattr(args, "minimized", False))
    finally:
        mutex.release()
