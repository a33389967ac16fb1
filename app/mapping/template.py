"""The shipped default mapping template (``resources/mappings/default.json``)."""

from __future__ import annotations

import sys
from pathlib import Path

from app.mapping.document import MappingDocument, load_document


def resources_dir() -> Path:
    """``resources/`` next to the source tree, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def default_template_path() -> Path:
    return resources_dir() / "mappings" / "default.json"


def load_default_template() -> MappingDocument:
    return load_document(default_template_path())
