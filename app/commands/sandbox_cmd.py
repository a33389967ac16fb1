"""`paysage sandbox paytrace|sagepro`: run a stand-in server until Ctrl+C."""

from __future__ import annotations

import argparse
from importlib import import_module

STAND_INS = {
    "paytrace": ("app.sandbox.paytrace.cli", "the stand-in PayTrace JSON API v1"),
    "sagepro": ("app.sandbox.sagepro.cli", "the stand-in Sage Pro API service"),
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a stand-in PayTrace or Sage Pro server on this computer",
        description="Real HTTP servers on localhost that behave like PayTrace and Sage Pro, "
        "for trying Paysage without touching real systems.",
    )
    systems = parser.add_subparsers(dest="system", metavar="SYSTEM", required=True)
    for name, (module, help_text) in STAND_INS.items():
        cli = import_module(module)
        sub = systems.add_parser(name, help=help_text, description=f"Serve {help_text}.")
        cli.add_arguments(sub)
        sub.set_defaults(handler=cli.run)
