"""Entry point of the 32-bit "Paysage Bridge for Sage Pro" build (bridge.spec).

Only `paysage bridge …` (survey, serve, worklist, check): none of the desktop app, its Qt,
its store or its sync, so the bundle runs in the 32-bit Python that the Visual FoxPro OLE DB
provider needs (PySide6 has no 32-bit Windows wheels).

    paysage-bridge.exe serve --data-folder S:\\SBT7\\SYS --write-journals
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.commands import bridge_cmd
from app.config import SettingsError
from app.credentials import CredentialsError
from app.errors import PaysageError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="paysage-bridge",
        description="Paysage Bridge for Sage Pro: the Sage Pro API over a Sage Pro data folder.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    bridge_cmd.register(commands)
    args = parser.parse_args(["bridge", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except (PaysageError, CredentialsError, SettingsError) as exc:
        print(f"paysage-bridge: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
