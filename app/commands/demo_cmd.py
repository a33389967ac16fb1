"""`paysage demo`: the whole flow on a seeded demo company, nothing real touched."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="try Paysage on a demo company (stand-in PayTrace and Sage Pro on this computer)",
        description="Starts both stand-in servers with a seeded demo company, a throw-away "
        "data folder and demo credentials held in memory, then opens the app already "
        "connected. Quitting stops the servers and removes the folder.",
    )
    parser.add_argument("--seed", type=int, default=1, help="demo company seed (default 1)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="offscreen: open the window, run one sync cycle with "
        "auto-approval, print its JSON counts last, exit",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.smoke:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.config import database_path
    from app.demo import DEMO_PROFILE, demo_environment
    from app.log import setup_logging
    from app.store import open_store

    with demo_environment(args.seed, today=date.today()) as env:
        setup_logging()
        store = open_store(database_path(DEMO_PROFILE))
        try:
            if args.smoke:
                return _smoke(env, store)
            from app.ui.app import run_gui

            return run_gui(
                DEMO_PROFILE, store=store, settings=env.settings, demo=True, single_instance=False
            )
        finally:
            store.dispose()


def _smoke(env, store) -> int:  # type: ignore[no-untyped-def]
    """The demo without a screen: build the real window, sync once, report, quit."""
    from app.sync.cycle import build_context, run_cycle
    from app.ui.app import build_window, ensure_application
    from app.ui.context import UiContext

    app = ensure_application()
    ctx = UiContext(
        store=store, settings=env.settings, profile=env.profile, demo=True, persist_settings=False
    )
    window, controller, _tray = build_window(ctx)
    window.show()
    app.processEvents()
    result = run_cycle(build_context(env.profile, store), trigger="demo", auto_approve=True)
    app.processEvents()
    controller.shutdown()
    window.close()
    for note in result.notes:
        print(note)
    print(json.dumps(result.as_dict()))
    return 0
