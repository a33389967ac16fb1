"""The script both frozen executables run (see installer.spec): ``app.__main__.main``.

``Paysage.exe`` (windowed; ``paysage-gui`` on Linux) with no arguments opens the desktop app,
as a double click on the Start-menu shortcut does. ``paysage-cli.exe`` (console; ``paysage``
on Linux) is the ordinary ``paysage`` command line, e.g. ``paysage-cli sync --once`` from
Windows Task Scheduler, and prints its help when given no arguments.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

GUI_EXECUTABLE = "Paysage" if sys.platform == "win32" else "paysage-gui"


def is_gui_executable(executable: str) -> bool:
    return Path(executable).stem.lower() == GUI_EXECUTABLE.lower()


def frozen_argv(executable: str, args: list[str]) -> list[str]:
    return args or (["gui"] if is_gui_executable(executable) else [])


def run() -> int:
    # A windowed executable has no console: sys.stdout/stderr are None, and a library that
    # writes to them directly would crash the app.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    from app.__main__ import main

    return main(frozen_argv(sys.executable, sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(run())
