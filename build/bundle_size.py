"""Prints how big the PyInstaller onedir is, and what makes it big.

    python build/bundle_size.py pyi-dist/Paysage [--top 15]

Totals, then the largest folders (two levels under ``_internal``) and the largest files, so
a dependency that suddenly adds 50 MB is visible in every build log. ``installer.spec`` calls
``report()`` at the end of each build.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class BundleSize:
    root: Path
    total_bytes: int
    file_count: int
    by_folder: list[tuple[str, int]]
    largest_files: list[tuple[str, int]]


def folder_key(relative: Path, depth: int) -> str:
    """``_internal/PySide6/Qt/lib/x.so`` → ``_internal/PySide6/Qt`` at depth 2 below _internal."""
    parts = relative.parts[:-1]
    keep = depth + 1 if parts and parts[0] == "_internal" else depth
    return "/".join(parts[:keep]) or "."


def measure(root: Path, *, top: int = 15, depth: int = 2) -> BundleSize:
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder (build the onedir first)")
    folders: Counter[str] = Counter()
    files: list[tuple[str, int]] = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            relative = path.relative_to(root)
            folders[folder_key(relative, depth)] += size
            files.append((relative.as_posix(), size))
    files.sort(key=lambda item: item[1], reverse=True)
    return BundleSize(
        root=root,
        total_bytes=sum(size for _, size in files),
        file_count=len(files),
        by_folder=folders.most_common(top),
        largest_files=files[:top],
    )


def format_report(size: BundleSize) -> str:
    lines = [
        f"Bundle {size.root}: {size.total_bytes / MB:.1f} MB in {size.file_count} files",
        "Largest folders:",
    ]
    lines += [f"  {b / MB:8.1f} MB  {name}" for name, b in size.by_folder]
    lines.append("Largest files:")
    lines += [f"  {b / MB:8.1f} MB  {name}" for name, b in size.largest_files]
    return "\n".join(lines)


def report(root: Path, top: int = 15) -> BundleSize:
    size = measure(root, top=top)
    print(format_report(size))
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Size of a PyInstaller onedir bundle.")
    parser.add_argument("bundle", type=Path, help="the onedir folder, e.g. pyi-dist/Paysage")
    parser.add_argument("--top", type=int, default=15, help="how many folders/files to list")
    args = parser.parse_args(argv)
    try:
        report(args.bundle, args.top)
    except FileNotFoundError as exc:
        print(f"bundle_size: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
