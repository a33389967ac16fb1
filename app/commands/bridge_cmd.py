"""`paysage bridge survey|serve`: the Sage Pro bridge over a real Sage Pro data folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.bridge.addon import AddonInbox
    from app.bridge.company import SageProCompany
    from app.bridge.discovery import PathMap
    from app.bridge.journal_batches import JournalBatches

DEFAULT_PORT = 8083


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "bridge",
        help="read a real Sage Pro data folder: survey it, or serve it as the Sage Pro API",
        description="The Paysage Bridge for Sage Pro reads the company's FoxPro tables "
        "(read-only, never writing a Sage Pro file) and serves the Sage Pro API contract.",
    )
    actions = parser.add_subparsers(dest="bridge_action", metavar="ACTION", required=True)
    survey = actions.add_parser(
        "survey",
        help="print one JSON report of the company's tables and the layout proposed",
        description="Read-only report: tables, header versions, code pages, record counts, "
        "fields, CDX tags, unreadable values with record numbers, and a proposed layout.",
    )
    _folder_arguments(survey)
    survey.add_argument("--output", type=Path, help="write the report here instead of stdout")
    survey.set_defaults(handler=run_survey)

    serve = actions.add_parser(
        "serve",
        help="serve the Sage Pro API (reads) over the data folder until Ctrl+C",
        description="Serves contract v1.1 reads with the profile's Sage Pro API key "
        "(or PAYSAGE_BRIDGE_API_KEY). Payments are staged for the bookkeeper to enter; "
        "other writes answer 'unavailable' in this version.",
    )
    _folder_arguments(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address (default: loopback only)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    serve.add_argument("--layout", type=Path, help="layout JSON (default: proposed from headers)")
    serve.add_argument("--profile", help="profile whose Sage Pro API key to accept")
    _staging_arguments(serve)
    serve.add_argument(
        "--write-journals",
        action="store_true",
        help="write journal entries as unposted GL batches through the Visual FoxPro OLE DB "
        "provider (32-bit Windows build only; try it on a copy of the company first)",
    )
    serve.add_argument(
        "--ar-mode",
        choices=("worklist", "addon"),
        default="worklist",
        help="how staged receipts reach Sage Pro: the bookkeeper's worklist (default), or "
        "also the inbox of a Sage Pro import add-on (docs/sage-pro-addon.md)",
    )
    serve.add_argument(
        "--addon-folder",
        type=Path,
        help="the add-on's INBOX/OUTBOX folder (default: PAYSAGE\\<company> in the system folder)",
    )
    serve.set_defaults(handler=run_serve)

    worklist = actions.add_parser(
        "worklist",
        help="list the staged receipts still to be entered in Sage Pro, with what to type",
        description="What to enter in Sage Pro's Cash Receipts: customer, date, amount, "
        "invoices and the Check/Reference No. to type. Entered receipts leave the list.",
    )
    _folder_arguments(worklist)
    worklist.add_argument("--layout", type=Path, help="layout JSON (default: proposed)")
    _staging_arguments(worklist)
    worklist.add_argument("--csv", type=Path, help="also write the list to this CSV file")
    worklist.set_defaults(handler=run_worklist)

    check = actions.add_parser(
        "check",
        help="run the on-site acceptance checks on a copy of a company",
        description="Every step of docs/sage-pro-acceptance.md a program can do: survey, "
        "layout, GL batch tables and token widths, SYSDATA counters, reader parity with the "
        "FoxPro engine (--engine, 32-bit Windows build), journal tokens found in Sage Pro. "
        "Exits 1 when a step failed.",
    )
    _folder_arguments(check)
    _staging_arguments(check)
    check.add_argument(
        "--engine",
        action="store_true",
        help="also compare every table with the Visual FoxPro OLE DB provider's SELECT",
    )
    check.set_defaults(handler=run_check)


def _folder_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-folder",
        type=Path,
        required=True,
        help="the system folder holding SYSDATA.DBF, or the folder holding the company tables",
    )
    parser.add_argument("--company", default="01", help="company id, as in ARCUST01 (default 01)")
    parser.add_argument(
        "--code-page",
        default="cp1252",
        help="code page of tables that do not say theirs (default cp1252)",
    )
    parser.add_argument(
        "--path-map",
        action="append",
        default=[],
        metavar="WINDOWS_PATH=FOLDER",
        help="where a path SYSDATA names is seen here, e.g. 'F:\\APPS\\SBT7=/mnt/sbt7' "
        "(repeatable)",
    )


def _staging_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-folder",
        type=Path,
        help="where the bridge keeps staged receipts (default: Paysage's data folder)",
    )
    parser.add_argument(
        "--alert-after-days",
        type=int,
        default=3,
        help="staged receipts not found in Sage Pro after this many days raise an alert",
    )


def _path_maps(args: argparse.Namespace) -> tuple[PathMap, ...]:
    from app.bridge.discovery import PathMap

    return tuple(PathMap.parse(text) for text in args.path_map)


def run_survey(args: argparse.Namespace) -> int:
    from app.bridge.survey import survey

    report = survey(args.data_folder, args.company, _path_maps(args), args.code_page)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
        print(f"Survey written to {args.output}")
    else:
        sys.stdout.write(text + "\n")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from app.bridge.http_app import BridgeApp
    from app.bridge.service import bridge_api_key, open_company
    from app.bridge.staging import StagedReceipts, StagedStore
    from app.config import load_settings
    from app.sandbox.http_base import SandboxServer

    company = open_company(
        args.data_folder,
        args.company,
        _path_maps(args),
        args.code_page,
        args.layout,
    )
    profile = args.profile or load_settings().profile(None).name
    store = StagedStore(_state_file(args, company.company))
    receipts = StagedReceipts(company, store, alert_after_days=args.alert_after_days)
    journals = _journal_writer(company, args) if args.write_journals else None
    addon = _addon_inbox(company, args) if args.ar_mode == "addon" else None
    app = BridgeApp(company, bridge_api_key(profile), receipts, journals, addon)
    server = SandboxServer(app, host=args.host, port=args.port)
    print(
        f"Sage Pro bridge listening on http://{args.host}:{server.port} "
        f"(company {company.company}, {company.folder.mode} folder {args.data_folder})"
    )
    print(f"  Staged receipts kept in {store.path}; nothing is written to Sage Pro files.")
    if addon is not None:
        print(f"  Add-on mode: staged receipts, credit memos and voids also go to {addon.inbox}.")
    if journals is not None:
        print(f"  Journal entries become unposted GL batches; intent log {journals.log.path}.")
    print("  Press Ctrl+C to stop.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        store.close()
    return 0


def _journal_writer(company: SageProCompany, args: argparse.Namespace) -> JournalBatches:
    """GL batches through VFPOLEDB; a crash left by an earlier run is settled first."""
    from app.bridge.engine.vfp_oledb import VfpOleDbEngine, require_vfp_platform
    from app.bridge.intent_log import JournalIntentLog
    from app.bridge.journal_batches import JournalBatches

    require_vfp_platform()  # refuse at start, in plain words, rather than on each post
    tables = dict(company.folder.tables)
    log = JournalIntentLog(_state_file(args, company.company).with_name("journals.sqlite3"))
    journals = JournalBatches(company, lambda: VfpOleDbEngine(args.data_folder, tables), log)
    journals.recover()
    return journals


def _addon_inbox(company: SageProCompany, args: argparse.Namespace) -> AddonInbox:
    from app.bridge.addon import AddonInbox

    system = company.folder.system_folder or args.data_folder
    return AddonInbox(args.addon_folder or system / "PAYSAGE" / company.company)


def _state_file(args: argparse.Namespace, company: str) -> Path:
    from app.config import data_dir

    folder: Path = args.state_folder or data_dir() / "bridge" / f"company-{company}"
    return folder / "staged.sqlite3"


def run_worklist(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from app.bridge.service import open_company
    from app.bridge.staging import StagedReceipts, StagedStore
    from app.bridge.worklist import print_table, work_items, write_csv

    company = open_company(
        args.data_folder, args.company, _path_maps(args), args.code_page, args.layout
    )
    store = StagedStore(_state_file(args, company.company))
    try:
        receipts = StagedReceipts(company, store, alert_after_days=args.alert_after_days)
        items = work_items(receipts, datetime.now(UTC))
    finally:
        store.close()
    if not items:
        print("Nothing to enter: every staged receipt, credit memo and void is in Sage Pro.")
    else:
        print_table(items, sys.stdout)
        late = sum(item.overdue for item in items)
        if late:
            print(
                f"{late} item(s) waiting {args.alert_after_days} days or more: check "
                "that they were entered with the Check/Reference No. shown."
            )
    if args.csv:
        write_csv(items, args.csv)
        print(f"Written to {args.csv}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from app.bridge.acceptance import FAILED, run_checks
    from app.bridge.discovery import CompanyFolder
    from app.bridge.engine.vfp_oledb import VfpOleDbEngine, require_vfp_platform

    def engine(found: CompanyFolder) -> VfpOleDbEngine:
        return VfpOleDbEngine(args.data_folder, found.tables)

    if args.engine:
        require_vfp_platform()  # a plain sentence off Windows, before any step runs
    journal_log = _state_file(args, args.company).with_name("journals.sqlite3")
    steps = run_checks(
        args.data_folder,
        args.company,
        _path_maps(args),
        args.code_page,
        journal_log,
        engine if args.engine else None,
    )
    for number, step in enumerate(steps, start=1):
        print(f"{number}. [{step.outcome}] {step.title}: {step.detail}")
    return 1 if any(step.outcome == FAILED for step in steps) else 0
