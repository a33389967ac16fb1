"""A user's search text as a SQL LIKE pattern ("contains"), with LIKE's wildcards escaped
(use with ``escape="\\"``). Qt-free, so the grids and the store's queries share it."""

from __future__ import annotations


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
