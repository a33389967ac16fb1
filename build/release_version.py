"""The release version, from one source: ``pyproject.toml`` ``[project].version``.

Used by ``installer.spec`` (and the Windows workflow) to
- keep ``app/version.py``'s ``FROZEN_VERSION`` in step (a frozen build has no package metadata,
  so ``paysage --version`` falls back to it),
- render the Windows version resource from ``build/version_info.txt.in``,
- hand Inno Setup the version (``--iscc-defines``).

Command line::

    python build/release_version.py            # prints the version
    python build/release_version.py --check    # exit 1 when app/version.py is out of step
    python build/release_version.py --write    # brings app/version.py in step
    python build/release_version.py --iscc-defines   # /DAppVersion=... /DAppVersionNumeric=...
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
VERSION_MODULE = ROOT / "app" / "version.py"
VERSION_TEMPLATE = ROOT / "build" / "version_info.txt.in"

_FROZEN_LINE = re.compile(r'^FROZEN_VERSION\s*=\s*"(?P<version>[^"]*)"', re.MULTILINE)
_RELEASE = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?")

COMPANY = "Paysage"
PRODUCT = "Paysage"
COPYRIGHT = "Copyright (C) Paysage"


def project_version(pyproject: Path = PYPROJECT) -> str:
    with pyproject.open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """The four 16-bit numbers Windows wants: ``1.2.0rc1`` → ``(1, 2, 0, 0)``."""
    match = _RELEASE.match(version)
    if not match:
        raise ValueError(f"Version {version!r} does not start with a release number")
    parts = [int(part) if part is not None else 0 for part in match.groups()]
    if any(part > 0xFFFF for part in parts):
        raise ValueError(f"Version {version!r} has a part above 65535 (Windows limit)")
    return parts[0], parts[1], parts[2], parts[3]


def frozen_version(module: Path = VERSION_MODULE) -> str | None:
    match = _FROZEN_LINE.search(module.read_text(encoding="utf-8"))
    return match.group("version") if match else None


def write_frozen_version(version: str, module: Path = VERSION_MODULE) -> bool:
    """Set ``FROZEN_VERSION`` to ``version``; True when the file changed."""
    text = module.read_text(encoding="utf-8")
    if not _FROZEN_LINE.search(text):
        raise ValueError(f'{module} has no FROZEN_VERSION = "..." line to update')
    updated = _FROZEN_LINE.sub(f'FROZEN_VERSION = "{version}"', text, count=1)
    if updated == text:
        return False
    module.write_text(updated, encoding="utf-8")
    return True


def render_version_info(
    version: str,
    *,
    internal_name: str,
    original_filename: str,
    description: str,
    template: Path = VERSION_TEMPLATE,
) -> str:
    """The PyInstaller ``VSVersionInfo`` text for one executable."""
    numbers = numeric_version(version)
    return Template(template.read_text(encoding="utf-8")).substitute(
        version_tuple=repr(numbers),
        version_dotted=".".join(str(n) for n in numbers),
        product_version=version,
        company=COMPANY,
        product=PRODUCT,
        copyright=COPYRIGHT,
        internal_name=internal_name,
        original_filename=original_filename,
        description=description,
    )


def iscc_defines(version: str) -> list[str]:
    numbers = ".".join(str(n) for n in numeric_version(version))
    return [f"/DAppVersion={version}", f"/DAppVersionNumeric={numbers}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The release version from pyproject.toml.")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="fail when app/version.py lags")
    action.add_argument("--write", action="store_true", help="update app/version.py")
    action.add_argument("--iscc-defines", action="store_true", help="print ISCC /D options")
    args = parser.parse_args(argv)
    version = project_version()
    if args.check:
        frozen = frozen_version()
        if frozen != version:
            print(
                f"app/version.py says {frozen!r} but pyproject.toml says {version!r}; "
                "run: python build/release_version.py --write",
                file=sys.stderr,
            )
            return 1
    elif args.write:
        if write_frozen_version(version):
            print(f"app/version.py: FROZEN_VERSION = {version!r}", file=sys.stderr)
    elif args.iscc_defines:
        print(" ".join(iscc_defines(version)))
        return 0
    print(version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
