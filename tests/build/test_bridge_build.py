"""The 32-bit bridge build: its entry point carries only `paysage bridge …` (no Qt, no store,
no sync, so it runs in a 32-bit Python) and answers in plain words; its spec refuses a
64-bit build and takes the VFPOLEDB bindings along."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BRIDGE_SPEC = (ROOT / "bridge.spec").read_text(encoding="utf-8")

PROBE = """
import sys
sys.path.insert(0, "build")
import bridge_entry
code = bridge_entry.main(["check", "--data-folder", "no-such-folder"])
heavy = [m for m in ("PySide6", "sqlalchemy", "alembic", "apscheduler") if m in sys.modules]
print(code, heavy)
"""


def test_bridge_entry_imports_none_of_the_desktop_app_and_answers_plainly() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "is not a folder this computer can see" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "1 []"


def test_bridge_spec_refuses_64_bit_and_bundles_the_vfp_bindings() -> None:
    assert 'struct.calcsize("P") != 4' in BRIDGE_SPEC
    assert '"adodbapi"' in BRIDGE_SPEC and "bridge_entry.py" in BRIDGE_SPEC
    assert '"PySide6"' in BRIDGE_SPEC.split("excludes = [", 1)[1].split("]", 1)[0]
    workflow = (ROOT / ".github" / "workflows" / "windows-release.yml").read_text("utf-8")
    assert "bridge-win32:" in workflow and "architecture: x86" in workflow
