"""`paysage import-chargebacks FILE`: add PayTrace's chargeback report to the Exceptions queue."""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path

from app.config import load_settings
from app.domain.chargebacks import parse_chargeback_report
from app.log import setup_logging
from app.store import open_profile_store
from app.sync.chargebacks.cases import ChargebackError
from app.sync.chargebacks.report_import import MAX_FILE_BYTES, import_chargeback_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import-chargebacks",
        help="import PayTrace's chargeback report (CSV) into the Exceptions queue",
        description="Each new case becomes a chargeback item to confirm in the Exceptions "
        "page; a case already imported is skipped, so importing the same file twice adds "
        "nothing. Card numbers in the file are never stored (only the last 4). The last line "
        "printed is one JSON object with the counts. Exit 1 when some rows were refused.",
    )
    parser.add_argument("file", type=Path, help="the CSV file downloaded from PayTrace")
    parser.add_argument("--profile", help="profile to import into (default: the active one)")
    parser.add_argument(
        "--dry-run", action="store_true", help="only read the file and report what it holds"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup_logging()
    profile = load_settings().profile(args.profile)
    if args.dry_run:
        try:
            if args.file.stat().st_size > MAX_FILE_BYTES:
                raise ChargebackError(f"{args.file.name} is too large for a chargeback report.")
            report = parse_chargeback_report(args.file.read_bytes())
        except OSError as exc:
            raise ChargebackError(f"{args.file} cannot be read: {exc.strerror or exc}.") from None
        for error in report.errors:
            print(_error_line(error.line, error.column, error.message))
        print(json.dumps({"rows": len(report.rows), "refused": len(report.errors)}))
        return 1 if report.errors else 0
    store = open_profile_store(profile)
    try:
        result = import_chargeback_file(store, args.file, profile=profile, user=_user())
    finally:
        store.dispose()
    for error in result.errors:
        print(_error_line(error.line, error.column, error.message))
    print(
        json.dumps(
            {
                "added": result.added,
                "already_known": result.already_known,
                "refused": len(result.errors),
                "card_numbers_removed": result.rows_with_card_numbers,
            }
        )
    )
    return 1 if result.errors else 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return "cli"


def _error_line(line: int, column: str, message: str) -> str:
    where = f"line {line}" if line else "file"
    return f"{where}, {column}: {message}"
