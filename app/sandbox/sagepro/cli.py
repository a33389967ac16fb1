"""``paysage sandbox sagepro``: serve the Sage Pro API stand-in until Ctrl+C.

The lead wires ``add_arguments`` and ``run`` into ``app/__main__.py``.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro.app import DEFAULT_API_KEY, build_app

DEFAULT_PORT = 8082


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--seed", type=int, default=1, help="demo company seed (default 1)")
    parser.add_argument(
        "--api-key", default=DEFAULT_API_KEY, help=f"API key to accept (default {DEFAULT_API_KEY})"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="SQLite file that keeps the company between runs (default: in memory)",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the demo company's 'today' as YYYY-MM-DD (default: today)",
    )


def run(args: argparse.Namespace) -> int:
    data: Path | None = args.data
    if data is not None:
        data.parent.mkdir(parents=True, exist_ok=True)
    app = build_app(api_key=args.api_key, data=data, seed=args.seed, today=args.today)
    server = SandboxServer(app, host=args.host, port=args.port)
    counts = app.books.store.counts()
    print(f"Sage Pro API stand-in listening on {server.url} (company {app.books.company})")
    print(
        f"  {counts.get('customers', 0)} customers, {counts.get('invoices', 0)} invoices, "
        f"data: {data if data is not None else 'in memory'}; API key: "
        f"{'the default demo key' if args.api_key == DEFAULT_API_KEY else 'as given'}"
    )
    print("  Press Ctrl+C to stop.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        app.books.store.close()
    return 0
