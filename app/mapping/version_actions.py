"""What a bookkeeper does with mapping versions — restore, import, export, promote to
Production — each recorded in the audit trail, each all-or-nothing.

Qt-free; the Mapping page (through the op runner) and ``paysage mapping`` call these. A
refused import or promotion raises ``VersionActionError`` (or the document's own format /
validation error) with the reason in words, and nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.errors import PaysageError
from app.mapping.diff import Change, diff_documents
from app.mapping.document import MappingDocument, save_document
from app.mapping.template import load_default_template
from app.mapping.versions import (
    NoMappingVersionError,
    VersionInfo,
    active_version,
    import_document,
    list_versions,
    load_version,
    restore_version,
    save_version,
)
from app.store import Store, audit, open_profile_store

if TYPE_CHECKING:
    from app.config import Profile

ENTITY = "mapping_version"


class VersionActionError(PaysageError):
    """A version action refused, with the reason in words."""


def restore(store: Store, version: int, author: str) -> VersionInfo:
    """A new active version equal to ``version``; audited."""
    with store.write() as session:
        info = restore_version(session, version, author)
        audit.record(
            session,
            "mapping_restore",
            ENTITY,
            info.version,
            actor=author,
            after={"restored_from": version, "new_version": info.version},
        )
        return info


def save_edited(store: Store, document: MappingDocument, author: str, comment: str) -> VersionInfo:
    """Store the editor's ``document`` as the next active version; audited with who saved
    it, its number and the description the user gave."""
    with store.write() as session:
        info = save_version(session, document, author=author, comment=comment)
        audit.record(
            session,
            "mapping_save",
            ENTITY,
            info.version,
            actor=author,
            after={"new_version": info.version, "description": comment},
        )
        return info


def read_mapping_file(path: Path) -> MappingDocument:
    """The validated document in ``path``; format, validation and file errors in words."""
    try:
        return import_document(path)
    except FileNotFoundError:
        raise VersionActionError(f"There is no file {path}.") from None
    except OSError as exc:
        raise VersionActionError(f"{path} cannot be read: {exc.strerror or exc}.") from None


def import_file(store: Store, path: Path, author: str) -> VersionInfo:
    """Validate ``path`` completely, then store it as the next active version; audited.
    A broken document raises before anything is written."""
    document = read_mapping_file(path)
    with store.write() as session:
        info = save_version(session, document, author, f"Imported from {path.name}")
        audit.record(
            session,
            "mapping_import",
            ENTITY,
            info.version,
            actor=author,
            after={"file": path.name, "new_version": info.version},
        )
        return info


def export_file(store: Store, version: int, path: Path) -> None:
    """Write ``version`` as JSON; through a temporary file, so a failed write leaves no
    half file."""
    with store.read() as session:
        document = load_version(session, version)
    temporary = path.with_name(path.name + ".part")
    try:
        save_document(document, temporary)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise VersionActionError(f"{path} cannot be written: {exc.strerror or exc}.") from None


def compare(store: Store, old: int, new: int) -> list[Change]:
    with store.read() as session:
        return diff_documents(load_version(session, old), load_version(session, new))


@dataclass(frozen=True)
class PromotionPlan:
    """What promoting ``version`` would change in the target profile's store."""

    version: int
    source_profile: str
    target_profile: str
    target_active: int | None  # the target's active version number; None = it has none yet
    changes: list[Change]

    @property
    def against(self) -> str:
        if self.target_active is None:
            return f"the template {self.target_profile} starts from (it has no mapping yet)"
        return f"{self.target_profile}'s active version {self.target_active}"


def _active_in(session: Session) -> tuple[int | None, MappingDocument]:
    try:
        version_id, document = active_version(session)
    except NoMappingVersionError:
        return None, load_default_template()
    number = next(v.version for v in list_versions(session) if v.id == version_id)
    return number, document


def plan_promotion(
    source: Store, target: Store, version: int, *, source_profile: str, target_profile: str
) -> PromotionPlan:
    """The diff from the target's active mapping to ``version`` (nothing is written)."""
    with source.read() as session:
        document = load_version(session, version)
    with target.read() as session:
        active, current = _active_in(session)
    changes = diff_documents(current, document)
    return PromotionPlan(version, source_profile, target_profile, active, changes)


def promote(source: Store, target: Store, plan: PromotionPlan, author: str) -> VersionInfo:
    """Save ``plan.version`` as the target's new active version, audited in both stores.
    Refused when there is nothing to change or the target moved on since the plan."""
    if not plan.changes:
        raise VersionActionError(
            f"{plan.target_profile} already maps exactly like version {plan.version}; "
            "nothing to promote."
        )
    with source.read() as session:
        document = load_version(session, plan.version)
    comment = f"Promoted from {plan.source_profile} version {plan.version}"
    with target.write() as session:
        now_active, _current = _active_in(session)
        if now_active != plan.target_active:
            raise VersionActionError(
                f"{plan.target_profile}'s mapping changed since the comparison was shown "
                f"(now version {now_active}); compare again before promoting."
            )
        info = save_version(session, document, author, comment)
        audit.record(
            session,
            "mapping_promoted_in",
            ENTITY,
            info.version,
            actor=author,
            before={"active_version": plan.target_active},
            after={"from_profile": plan.source_profile, "from_version": plan.version},
        )
    with source.write() as session:
        audit.record(
            session,
            "mapping_promote",
            ENTITY,
            plan.version,
            actor=author,
            after={"to_profile": plan.target_profile, "new_version": info.version},
        )
    return info


@contextmanager
def _opened(profile: Profile) -> Iterator[Store]:
    store = open_profile_store(profile)
    try:
        yield store
    finally:
        store.dispose()


def plan_for_profile(
    source: Store, version: int, source_profile: str, target: Profile
) -> PromotionPlan:
    """``plan_promotion`` against ``target``'s own store, opened for the comparison only."""
    with _opened(target) as target_store:
        return plan_promotion(
            source, target_store, version, source_profile=source_profile, target_profile=target.name
        )


def promote_to_profile(
    source: Store, plan: PromotionPlan, target: Profile, author: str
) -> VersionInfo:
    with _opened(target) as target_store:
        return promote(source, target_store, plan, author)
