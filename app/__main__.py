"""The `paysage` command line (also `python -m app`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from app.errors import expected_errors

# Each module registers one subcommand; imported lazily by name to keep start-up light.
COMMAND_MODULES = (
    "app.commands.doctor_cmd",
    "app.commands.credentials_cmd",
    "app.commands.gui_cmd",
    "app.commands.demo_cmd",
    "app.commands.sync_cmd",
    "app.commands.sandbox_cmd",
    "app.commands.store_cmd",
    "app.commands.chargebacks_cmd",
    "app.commands.bridge_cmd",
    "app.commands.mapping_cmd",
)

log = logging.getLogger("paysage")


def app_version() -> str:
    try:
        return version("paysage")
    except PackageNotFoundError:  # frozen build without metadata
        from app.version import FROZEN_VERSION

        return FROZEN_VERSION


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paysage",
        description="Paysage keeps PayTrace payments and Sage Pro ERP in step.",
    )
    parser.add_argument("--version", action="version", version=f"paysage {app_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        # Plain `paysage` (and the windowed Paysage.exe) opens the app.
        args = parser.parse_args(["gui"])
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except expected_errors() as exc:
        print(f"paysage: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
