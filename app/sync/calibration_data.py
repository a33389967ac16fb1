"""The shipped calibration figures (``resources/matching_calibration.json``).

Written by ``scripts/calibrate_matching.py``; read here so the tiers and the Settings page
use measured numbers, never hand-typed ones.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from app.domain.matching.tiers import Calibration
from app.mapping.template import resources_dir


def calibration_path() -> Path:
    return resources_dir() / "matching_calibration.json"


@cache
def shipped_calibration() -> Calibration:
    """The figures shipped with the app. A missing or broken file is an installation
    fault: it raises rather than silently approving nothing (or everything)."""
    path = calibration_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"the matching calibration file {path} cannot be read: {exc}") from exc
    return Calibration.from_json_dict(data)
