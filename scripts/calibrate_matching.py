"""Calibration report for the matching engine and its auto-approve tiers.

Runs the scenario generator on ten seeds of messy companies, prints per proposal kind and
confidence bucket how many proposals were right, and writes the measured figures that the
Settings page and ``paysage sync --auto-approve`` use to
``resources/matching_calibration.json``.

Run: ``uv run python scripts/calibrate_matching.py`` (``--check`` only compares).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.sync.review.calibration_data import calibration_path
from tests.support.calibration import report_lines, run_calibration


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped file differs")
    args = parser.parse_args(argv)
    run, calibration = run_calibration()
    print("\n".join(report_lines(run, calibration)))
    text = json.dumps(calibration.to_json_dict(), indent=2) + "\n"
    path = calibration_path()
    if args.check:
        if path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date: run scripts/calibrate_matching.py", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
