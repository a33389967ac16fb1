"""`paysage mapping list|show|diff|restore|export|import|promote`: the mapping versions of a
profile from the command line. Every change is a new version (history is never rewritten)
and is recorded in the audit trail; a refused import or promotion changes nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from app.config import load_settings
from app.errors import PaysageError
from app.mapping import (
    DocumentFormatError,
    InvalidMappingDocumentError,
    NoMappingVersionError,
    load_version,
)
from app.mapping.diff import describe_chain
from app.mapping.history import VersionSummary, describe_changes, version_history
from app.mapping.version_actions import (
    VersionActionError,
    compare,
    export_file,
    import_file,
    plan_for_profile,
    promote_to_profile,
    read_mapping_file,
    restore,
)
from app.store import Store, open_profile_store
from app.store.presence import os_user_name

T = TypeVar("T")


class MappingCommandError(PaysageError):
    """A mapping command refused; the message says why and that nothing changed."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "mapping",
        help="mapping versions: list, show, diff, restore, export, import, promote",
        description="Each profile keeps every saved mapping version; exactly one is active "
        "and the next sync posts with it. Restoring, importing and promoting add a new "
        "version and an audit event. Exit 2 when refused (nothing is changed then).",
    )
    actions = parser.add_subparsers(dest="mapping_action", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", help="profile (default: the active one)")
    add = actions.add_parser
    add("list", parents=[common], help="every version: who, when, what it changed").set_defaults(
        handler=run_list
    )
    show = add("show", parents=[common], help="what a version maps (default: the active one)")
    show.add_argument("version", type=int, nargs="?")
    show.set_defaults(handler=run_show)
    diff = add("diff", parents=[common], help="the differences between two versions")
    diff.add_argument("old", type=int)
    diff.add_argument("new", type=int)
    diff.set_defaults(handler=run_diff)
    restore_cmd = add("restore", parents=[common], help="make an old version active again")
    restore_cmd.add_argument("version", type=int)
    restore_cmd.set_defaults(handler=run_restore)
    export = add("export", parents=[common], help="write a version to a JSON file")
    export.add_argument("file", type=Path)
    export.add_argument("--version", type=int, help="default: the active version")
    export.set_defaults(handler=run_export)
    import_cmd = add(
        "import", parents=[common], help="check a JSON file and save it as the active version"
    )
    import_cmd.add_argument("file", type=Path)
    import_cmd.add_argument("--check", action="store_true", help="only check the file")
    import_cmd.set_defaults(handler=run_import)
    promote_cmd = add(
        "promote", parents=[common], help="copy a version into the Production profile"
    )
    promote_cmd.add_argument("version", type=int)
    promote_cmd.add_argument("--to", help="target profile (default: the Production one)")
    promote_cmd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    promote_cmd.set_defaults(handler=run_promote)


@contextmanager
def _store(profile_name: str | None) -> Iterator[Store]:
    store = open_profile_store(load_settings().profile(profile_name))
    try:
        yield store
    except NoMappingVersionError as exc:
        raise MappingCommandError(f"{str(exc).capitalize()}.") from None
    finally:
        store.dispose()


def _refused(exc: Exception) -> PaysageError:
    if isinstance(exc, VersionActionError):
        return exc
    if isinstance(exc, InvalidMappingDocumentError):
        reasons = "\n".join(f"  - {issue.message}" for issue in exc.issues)
        return MappingCommandError(f"the mapping is refused, nothing was changed:\n{reasons}")
    return MappingCommandError(f"the file is refused, nothing was changed: {exc}")


def _checked(read: Callable[[], T]) -> T:
    try:
        return read()
    except (DocumentFormatError, InvalidMappingDocumentError, VersionActionError) as exc:
        raise _refused(exc) from None


def _active_number(store: Store) -> int:
    active = [v for v in version_history_of(store) if v.info.active]
    if not active:
        raise MappingCommandError("This profile has no mapping version yet.")
    return active[0].info.version


def version_history_of(store: Store) -> list[VersionSummary]:
    with store.read() as session:
        return version_history(session)


def run_list(args: argparse.Namespace) -> int:
    with _store(args.profile) as store:
        history = version_history_of(store)
    if not history:
        print("No mapping version yet (the template is saved as version 1 on first use).")
    for item in history:
        v = item.info
        mark = "*" if v.active else " "
        print(
            f"{mark}{v.version:>4}  {v.created_at:%Y-%m-%d %H:%M} UTC  {v.author:<12} "
            f"{v.comment or '(no description)'} — {item.changes}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    with _store(args.profile) as store:
        number = args.version or _active_number(store)
        with store.read() as session:
            document = load_version(session, number)
    print(f"Mapping version {number}: {document.name}")
    for mapping in document.mappings:
        source = mapping.source or "(made by transforms)"
        steps = f"  [{describe_chain(mapping.transforms)}]" if mapping.transforms else ""
        print(f"  {mapping.target:<34} ← {source}{steps}")
    for word, status in document.status_map.values.items():
        print(f"  status {word!r} → {status!r}")
    for rule in document.gl_rules.rules:
        print(f"  GL rule {rule.name!r} → {rule.account}")
    print(f"  GL default account: {document.gl_rules.default or 'none'}")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    with _store(args.profile) as store:
        changes = compare(store, args.old, args.new)
    print(f"From version {args.old} to version {args.new}:")
    for line in describe_changes(changes):
        print(f"  {line}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    with _store(args.profile) as store:
        info = restore(store, args.version, os_user_name())
    print(f"Version {args.version} restored as version {info.version}, now active.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with _store(args.profile) as store:
        number = args.version or _active_number(store)
        _checked(lambda: export_file(store, number, args.file))
    print(f"Version {number} written to {args.file}.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    if args.check:
        document = _checked(lambda: read_mapping_file(args.file))
        print(f"{args.file.name} is a valid mapping ({len(document.mappings)} fields mapped).")
        return 0
    with _store(args.profile) as store:
        info = _checked(lambda: import_file(store, args.file, os_user_name()))
    print(f"{args.file.name} saved as version {info.version}, now active.")
    return 0


def run_promote(args: argparse.Namespace) -> int:
    settings = load_settings()
    source_profile = settings.profile(args.profile)
    target = settings.profile(args.to) if args.to else settings.production_profile()
    if target.name == source_profile.name:
        raise MappingCommandError(f"Version {args.version} is already in {source_profile.name}.")
    with _store(source_profile.name) as source:
        plan = plan_for_profile(source, args.version, source_profile.name, target)
        print(f"Version {args.version} of {source_profile.name} against {plan.against}:")
        for line in describe_changes(plan.changes):
            print(f"  {line}")
        if not plan.changes:
            raise MappingCommandError(
                f"Nothing to promote: version {args.version} maps the same way as {plan.against}."
            )
        if not args.yes and input(f"Promote to {target.name}? [y/N] ").lower() != "y":
            print("Nothing promoted.")
            return 1
        info = _checked(lambda: promote_to_profile(source, plan, target, os_user_name()))
    print(f"{target.name} now uses it as version {info.version} (recorded in both).")
    return 0
