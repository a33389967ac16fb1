"""`paysage demo --smoke` on a clean data folder: exit 0, the sync JSON as the last line."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_demo_smoke(tmp_path):
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PAYSAGE_HOME": str(tmp_path / "h"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    result = subprocess.run(
        [sys.executable, "-m", "app", "demo", "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["fetched"] >= 250 and counts["posted"] > 100
    assert counts["dead_letter"] == 0 and counts["errors"] == 0
    # The demo's folder is thrown away; the real one was never created or touched.
    assert not (tmp_path / "h").exists() or not any((tmp_path / "h").iterdir())
