"""Mapping engine: how a PayTrace transaction becomes Sage Pro records (docs/architecture.md §2).

Qt-free. The public API is re-exported here; each idea lives in its own module.
"""

from app.mapping.apply import (
    FieldProblem,
    MappedRecord,
    MappingContext,
    MappingError,
    apply_mapping,
)
from app.mapping.diff import Change, diff_documents
from app.mapping.document import (
    DocumentFormatError,
    FieldMapping,
    MappingDocument,
    TransformStep,
    load_document,
    save_document,
)
from app.mapping.gl_rules import choose_gl_account
from app.mapping.locked import locked_targets
from app.mapping.preview import PreviewRow, load_sample_rows, preview_mapping
from app.mapping.references import reference_tokens
from app.mapping.suggestions import Suggestion, SuggestionMemory, accept_suggestion, suggest
from app.mapping.template import load_default_template
from app.mapping.validation import (
    InvalidMappingDocumentError,
    ValidationIssue,
    validate_document,
)
from app.mapping.versions import (
    NoMappingVersionError,
    VersionInfo,
    active_version,
    all_documents,
    diff_versions,
    ensure_active_version,
    export_version,
    import_document,
    import_version,
    list_versions,
    load_version,
    restore_version,
    save_version,
)

__all__ = [
    "Change",
    "DocumentFormatError",
    "FieldMapping",
    "FieldProblem",
    "InvalidMappingDocumentError",
    "MappedRecord",
    "MappingContext",
    "MappingDocument",
    "MappingError",
    "NoMappingVersionError",
    "PreviewRow",
    "Suggestion",
    "SuggestionMemory",
    "TransformStep",
    "ValidationIssue",
    "VersionInfo",
    "accept_suggestion",
    "active_version",
    "all_documents",
    "apply_mapping",
    "choose_gl_account",
    "diff_documents",
    "diff_versions",
    "ensure_active_version",
    "export_version",
    "import_document",
    "import_version",
    "list_versions",
    "load_default_template",
    "load_document",
    "load_sample_rows",
    "load_version",
    "locked_targets",
    "preview_mapping",
    "reference_tokens",
    "restore_version",
    "save_document",
    "save_version",
    "suggest",
    "validate_document",
]
