"""Mapping editor (Qt): drag PayTrace fields onto Sage Pro fields, edit transform chains,
preview on sample rows, follow validation messages, save versions."""

from app.ui.mapping.editor import MappingEditor
from app.ui.mapping.page import MappingPage
from app.ui.mapping.state import EditorState

__all__ = ["EditorState", "MappingEditor", "MappingPage"]
