"""docs/architecture.md draws the state machines from app/domain/states.py; this keeps the
drawing and the tables the writers use the same."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from app.domain.states import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def moves_table(entity: type[StrEnum]) -> str:
    """The markdown table of one entity's moves, as the doc shows it."""
    label, moves = TABLES[entity]
    title = f"`{entity.__name__}` ({label.split(' ', 1)[1]})"
    rows = [title, "", "| From | May go to |", "|---|---|"]
    for old in [None, *entity]:
        start = "*(new row)*" if old is None else f"`{old.value}`"
        targets = [f"`{s.value}`" for s in entity if s in moves[old]]
        rows.append(f"| {start} | {', '.join(targets) or '— (final)'} |")
    return "\n".join(rows)


def test_the_doc_draws_every_state_machine_as_the_code_has_it():
    text = DOC.read_text(encoding="utf-8")
    for entity in TABLES:
        assert moves_table(entity) in text, f"regenerate the {entity.__name__} table"


def test_the_readme_links_only_inside_the_repository():
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "](../" not in readme and "../shared" not in readme
