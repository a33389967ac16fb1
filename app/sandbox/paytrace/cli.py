"""``paysage sandbox paytrace``: serve the stand-in PayTrace until Ctrl+C.

The lead wires ``add_arguments``/``run`` into ``app/__main__.py``.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sandbox.demo_data import generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace.app import PayTraceStandIn
from app.sandbox.paytrace.settings import DECLINED_ROW_TYPES, VOIDED_ROW_TYPES, StandInSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0 = any free port)")
    parser.add_argument("--seed", type=int, default=None, help="seed demo data with this seed")
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--integrator-id", default="DEMOINTEGRA1")
    parser.add_argument(
        "--timezone",
        default="",
        help="merchant time zone, e.g. America/Los_Angeles (default: local)",
    )
    parser.add_argument(
        "--strict-integrator-id",
        action="store_true",
        help="refuse requests without the right integrator_id (error 981)",
    )
    parser.add_argument(
        "--declined-rows",
        choices=DECLINED_ROW_TYPES,
        default="DECLINED",
        help="how a declined row reads: DECLINED, or SALE (the type asked for, with an empty "
        "approval code and a decline message and status code)",
    )
    parser.add_argument(
        "--declines-in-unfiltered",
        action="store_true",
        help="list declined rows in the unfiltered export too (not only under DECLINED)",
    )
    parser.add_argument(
        "--voided-rows",
        choices=VOIDED_ROW_TYPES,
        default="VOID",
        help="how a voided sale reads: VOID, or SALE with status code 109",
    )


def build(args: argparse.Namespace) -> PayTraceStandIn:
    zone = ZoneInfo(args.timezone) if args.timezone else None
    settings = StandInSettings(
        username=args.username,
        password=args.password,
        integrator_id=args.integrator_id,
        merchant_zone=zone,
        strict_integrator_id=args.strict_integrator_id,
        declined_row_type=args.declined_rows,
        declined_in_unfiltered=args.declines_in_unfiltered,
        voided_row_type=args.voided_rows,
    )
    company = None
    if args.seed is not None:
        today = datetime.now(zone).date() if zone else date.today()  # merchant-local today
        company = generate_demo_company(args.seed, today=today)
    return PayTraceStandIn(settings, company=company)


def run(args: argparse.Namespace) -> int:
    try:
        app = build(args)
    except ZoneInfoNotFoundError:
        print(f"Unknown time zone: {args.timezone}")
        return 2
    server = SandboxServer(app, host=args.host, port=args.port)
    print(f"PayTrace stand-in listening on http://{args.host}:{server.port}", flush=True)
    print(f"API user {args.username!r}, integrator id {args.integrator_id!r}. Ctrl+C stops it.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("PayTrace stand-in stopped.")
    return 0
