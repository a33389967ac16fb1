"""Saved mapping versions (table ``mapping_versions``): save, list, load, the active one,
restore, diff, export and import.

Every save is a new row with the next version number, its author, time and comment; exactly
one version is active. Functions take either an open ``Session`` — the caller owns the
transaction and commits; we only flush — or a ``sessionmaker``, in which case each call
runs in its own committed transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.clock import utcnow
from app.mapping.activation import require_activatable
from app.mapping.diff import Change, diff_documents
from app.mapping.document import MappingDocument, load_document, save_document
from app.mapping.preview import load_sample_rows
from app.mapping.template import load_default_template
from app.mapping.validation import require_valid
from app.store.models import MappingVersion

SessionSource = Session | sessionmaker[Session]


class NoMappingVersionError(LookupError):
    """No version with that number, or no active version yet."""


@dataclass(frozen=True)
class VersionInfo:
    id: int  # MappingVersion.id: what postings record as their mapping_version_id
    version: int
    author: str
    comment: str
    created_at: datetime  # UTC, naive
    active: bool


@contextmanager
def _session(db: SessionSource) -> Iterator[Session]:
    if isinstance(db, Session):
        yield db
        db.flush()
    else:
        with db() as session, session.begin():
            yield session


def _info(row: MappingVersion) -> VersionInfo:
    return VersionInfo(row.id, row.version, row.author, row.comment, row.created_at, row.active)


def _document(row: MappingVersion) -> MappingDocument:
    return replace(MappingDocument.from_dict(row.document), version=row.version)


def _row(session: Session, version: int) -> MappingVersion:
    row = session.scalar(select(MappingVersion).where(MappingVersion.version == version))
    if row is None:
        raise NoMappingVersionError(f"there is no mapping version {version}")
    return row


def _add(
    session: Session, document: MappingDocument, author: str, comment: str, activate: bool
) -> MappingVersion:
    number = (session.scalar(select(func.max(MappingVersion.version))) or 0) + 1
    if activate:
        session.execute(
            update(MappingVersion).where(MappingVersion.active.is_(True)).values(active=False)
        )
    row = MappingVersion(
        version=number,
        document=replace(document, version=number).to_dict(),
        author=author,
        comment=comment,
        created_at=utcnow(),
        active=activate,
    )
    session.add(row)
    session.flush()
    return row


def save_version(
    db: SessionSource,
    document: MappingDocument,
    author: str,
    comment: str = "",
    *,
    activate: bool = True,
) -> VersionInfo:
    """Store ``document`` as the next version (active by default). Refuses a document with
    validation errors, and one that cannot go live (a field failing on every stored sample
    row) when it is to be activated (``InvalidMappingDocumentError``, reasons in words)."""
    require_valid(document)
    with _session(db) as session:
        if activate:
            require_activatable(document, load_sample_rows(session))
        return _info(_add(session, document, author, comment, activate))


def list_versions(db: SessionSource) -> list[VersionInfo]:
    """Every version, newest first."""
    with _session(db) as session:
        rows = session.scalars(select(MappingVersion).order_by(MappingVersion.version.desc()))
        return [_info(row) for row in rows]


def load_version(db: SessionSource, version: int) -> MappingDocument:
    with _session(db) as session:
        return _document(_row(session, version))


def active_version(db: SessionSource) -> tuple[int, MappingDocument]:
    """(MappingVersion.id, document) of the active version; ``NoMappingVersionError`` if none."""
    with _session(db) as session:
        row = session.scalar(
            select(MappingVersion)
            .where(MappingVersion.active.is_(True))
            .order_by(MappingVersion.version.desc())
        )
        if row is None:
            raise NoMappingVersionError("no mapping version is active yet")
        return row.id, _document(row)


def ensure_active_version(
    db: SessionSource,
    author: str = "Paysage",
    *,
    prepare: Callable[[MappingDocument], MappingDocument] | None = None,
) -> tuple[int, MappingDocument]:
    """The active version, saving the shipped default template first when there is none
    (``prepare`` fills in what the caller knows, e.g. Settings' GL accounts)."""
    with _session(db) as session:
        try:
            return active_version(session)
        except NoMappingVersionError:
            template = load_default_template()
            if prepare is not None:
                template = prepare(template)
            _add(session, template, author, "Default template", activate=True)
            return active_version(session)


def restore_version(
    db: SessionSource, version: int, author: str, comment: str | None = None
) -> VersionInfo:
    """A new active version equal to ``version`` (history is never rewritten); refused like
    ``save_version`` when that version could not go live today."""
    with _session(db) as session:
        document = _document(_row(session, version))
        require_activatable(document, load_sample_rows(session))
        note = comment if comment is not None else f"Restored version {version}"
        return _info(_add(session, document, author, note, activate=True))


def diff_versions(db: SessionSource, old: int, new: int) -> list[Change]:
    with _session(db) as session:
        return diff_documents(_document(_row(session, old)), _document(_row(session, new)))


def export_version(db: SessionSource, version: int, path: Path) -> None:
    save_document(load_version(db, version), path)


def import_document(path: Path) -> MappingDocument:
    """Read and validate a document file; raises ``DocumentFormatError`` for a malformed
    file and ``InvalidMappingDocumentError`` (listing every error) for an invalid mapping."""
    document = replace(load_document(path), version=None)
    require_valid(document)
    return document


def import_version(
    db: SessionSource, path: Path, author: str, comment: str = "", *, activate: bool = True
) -> VersionInfo:
    """Validate the file, then store it as the next version."""
    document = import_document(path)
    return save_version(
        db, document, author, comment or f"Imported from {path.name}", activate=activate
    )


def all_documents(db: SessionSource) -> list[MappingDocument]:
    """Every saved document, oldest first (what suggestions learn from)."""
    with _session(db) as session:
        rows = session.scalars(select(MappingVersion).order_by(MappingVersion.version))
        return [_document(row) for row in rows]
