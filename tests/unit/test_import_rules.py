"""The import rules of the house, checked on every default test run by reading the source
(AST, no import side effects): which layer may import which, and what stays Qt-free.

See docs/architecture.md for the layers in words.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

# Layers, lowest first. A unit may import its own package and any unit of a LOWER layer,
# never one of the same layer or above. Order and why:
#   domain/errors/version/clock: pure Python rules, shared error types, the one clock
#   settings_rules: the declared ranges and shapes of settings (plain values only)
#   settings_codec: the settings file's JSON <-> typed dataclasses (standard library only)
#   config: paths, profiles, settings (domain values only)
#   log, platform_mutex: process services built on config (the log redacts secrets)
#   credentials: the keyring door; registers each secret with the log's redactor
#   store: SQLAlchemy models, migrations, repositories
#   mapping: mapping documents, versions kept in the store
#   connectors: HTTP clients for PayTrace and Sage Pro
#   sync: the flows (poll, match, post) over store + connectors + mapping
#   sandbox: stand-in servers; beside the app, they use domain only (never the connectors)
#   bridge: the Sage Pro bridge, sharing the stand-in's field rules
#   doctor, demo: whole-app helpers used by the CLI and the GUI
#   queries: the reads behind the screens (grid SQL, detail panes, exports), Qt-free
#   ui: the Qt front end
#   commands: the CLI, which also starts the GUI
#   __main__: the entry point
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"app.domain", "app.errors", "app.version", "app.clock"}),
    frozenset({"app.settings_rules", "app.settings_codec"}),
    frozenset({"app.config"}),
    frozenset({"app.log", "app.platform_mutex"}),
    frozenset({"app.credentials"}),
    frozenset({"app.store"}),
    frozenset({"app.mapping"}),
    frozenset({"app.connectors"}),
    frozenset({"app.sync"}),
    frozenset({"app.sandbox"}),
    frozenset({"app.bridge"}),
    frozenset({"app.doctor", "app.demo"}),
    frozenset({"app.queries"}),
    frozenset({"app.ui"}),
    frozenset({"app.commands"}),
    frozenset({"app.__main__"}),
)
LAYER_OF = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}

QT_FREE = (
    "app.domain",
    "app.mapping",
    "app.store",
    "app.connectors",
    "app.sync",
    "app.queries",
    "app.bridge",
    "app.config",
)
# unit -> top-level names it must never import, and why
FORBIDDEN: dict[str, dict[str, str]] = {
    **{unit: {"PySide6": "Qt-free core", "shiboken6": "Qt-free core"} for unit in QT_FREE},
    "app.domain": {
        "PySide6": "Qt-free core",
        "shiboken6": "Qt-free core",
        "sqlalchemy": "domain knows no SQL",
        "requests": "domain knows no HTTP",
        "httpx": "domain knows no HTTP",
        "urllib3": "domain knows no HTTP",
    },
}


def unit_of(module: str) -> str:
    """``app.sync.outbound.poster`` -> ``app.sync``; top-level modules are their own unit."""
    parts = module.split(".")
    return ".".join(parts[:2])


def module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module) for every import in the file, relative ones resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module == "app":  # `from app import credentials` imports app.credentials
                for alias in node.names:
                    yield node.lineno, f"app.{alias.name}"
            else:
                yield node.lineno, module


def source_files() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "migrations" not in p.parts)


def layer_violations(path: Path) -> list[str]:
    source = unit_of(module_name(path))
    found = []
    for line, module in imports_of(path):
        top = module.split(".")[0]
        where = f"{path.relative_to(APP.parent)}:{line} imports {module}"
        reason = FORBIDDEN.get(source, {}).get(top)
        if reason:
            found.append(f"{where} ({reason})")
        if top != "app" or module == "app":
            continue
        target = unit_of(module)
        if target == source:
            continue
        if source == "app.sandbox" and target == "app.connectors":
            found.append(f"{where} (stand-ins must not share code with the clients they test)")
        elif target not in LAYER_OF or source not in LAYER_OF:
            found.append(f"{where} (unit not placed in LAYERS: add it with a reason)")
        elif LAYER_OF[target] >= LAYER_OF[source]:
            found.append(f"{where} (layer {LAYER_OF[target]} is not below {LAYER_OF[source]})")
    return found


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(module_name(p)) for p in source_files()} - {"app"}
    assert units <= set(LAYER_OF), f"place these in LAYERS: {sorted(units - set(LAYER_OF))}"


def test_imports_point_only_downward_and_core_stays_qt_free() -> None:
    violations = [v for path in source_files() for v in layer_violations(path)]
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize(
    ("relative", "text", "expected"),
    [
        ("domain/x_probe.py", "import sqlalchemy\n", "domain knows no SQL"),
        ("domain/x_probe.py", "from requests import Session\n", "domain knows no HTTP"),
        ("sync/x_probe.py", "from PySide6.QtCore import QObject\n", "Qt-free core"),
        ("queries/x_probe.py", "from PySide6.QtGui import QColor\n", "Qt-free core"),
        ("queries/x_probe.py", "from app.ui.models import sql_table\n", "is not below"),
        ("store/x_probe.py", "from app.sync.outbound.poster import Poster\n", "is not below"),
        ("store/x_probe.py", "from ..ui import services\n", "is not below"),
        ("sandbox/x_probe.py", "from app.connectors.paytrace import client\n", "stand-ins"),
        ("config.py", "from app import credentials\n", "is not below"),
    ],
)
def test_the_checker_catches_each_kind_of_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: str, text: str, expected: str
) -> None:
    fake_app = tmp_path / "app"
    probe = fake_app / relative
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text(text, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["APP"]), "APP", fake_app)
    found = layer_violations(probe)
    assert any(expected in v for v in found), found
