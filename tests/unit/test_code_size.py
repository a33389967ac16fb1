"""No module under app/ over 400 lines, no function over 80 (migrations aside): past that
a newcomer cannot hold a unit in mind. Read with ast only, so the check costs nothing.

A unit another change is splitting right now sits in an allow-list below, one entry per
module or function; delete the entry when the unit is split (the test says when one is
no longer needed).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
MIGRATIONS = APP / "store" / "migrations"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80

# Modules being split elsewhere (path relative to the repository).
LONG_MODULES_BEING_SPLIT: frozenset[str] = frozenset()
# (module, function) pairs being split elsewhere; nested functions are named outer.inner.
LONG_FUNCTIONS_BEING_SPLIT: frozenset[tuple[str, str]] = frozenset()


def app_modules() -> Iterator[Path]:
    for path in sorted(APP.rglob("*.py")):
        if not path.is_relative_to(MIGRATIONS):
            yield path


def functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    """Every function and method, named by its enclosing functions (not classes)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from functions(node, f"{name}.")
        else:
            yield from functions(node, prefix)


def span(node: ast.AST) -> int:
    """Lines from ``def`` to the last line of the body (decorators not counted)."""
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    assert node.end_lineno is not None
    return node.end_lineno - node.lineno + 1


def long_modules() -> dict[str, int]:
    found = {}
    for path in app_modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found[path.relative_to(ROOT).as_posix()] = lines
    return found


def long_functions() -> dict[tuple[str, str], int]:
    found = {}
    for path in app_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = path.relative_to(ROOT).as_posix()
        for name, node in functions(tree):
            if span(node) > MAX_FUNCTION_LINES:
                found[(module, name)] = span(node)
    return found


def test_no_module_under_app_is_over_400_lines():
    over = {m: n for m, n in long_modules().items() if m not in LONG_MODULES_BEING_SPLIT}
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them by meaning): {over}"


def test_no_function_under_app_is_over_80_lines():
    found = long_functions()
    over = {f: n for f, n in found.items() if f not in LONG_FUNCTIONS_BEING_SPLIT}
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines: {over}"


def test_the_allow_lists_name_only_units_still_too_long():
    stale_modules = LONG_MODULES_BEING_SPLIT - long_modules().keys()
    stale_functions = LONG_FUNCTIONS_BEING_SPLIT - long_functions().keys()
    assert not stale_modules and not stale_functions, (
        f"split already; delete from the allow-list: {sorted(stale_modules)}"
        f" {sorted(stale_functions)}"
    )


def test_the_check_sees_a_long_function_and_a_nested_one():
    body = "\n".join(["        x = 1"] * 80)
    source = f"def outer():\n    def inner():\n{body}\n    return inner\n"
    spans = {name: span(node) for name, node in functions(ast.parse(source))}
    assert spans == {"outer": 83, "outer.inner": 81}
