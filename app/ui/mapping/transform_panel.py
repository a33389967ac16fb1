"""Side panel: the transform chain of the selected target field, each step's settings, and
what the chain makes of the first sample row."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.mapping import TransformStep
from app.mapping.diff import describe_step
from app.mapping.source_row import get_path, with_derived_fields
from app.mapping.transforms import REGISTRY, ParamSpec, TransformContext, TransformError, run_chain
from app.mapping.transforms.registry import as_text
from app.ui.mapping.state import EditorState


class TransformPanel(QWidget):
    def __init__(self, state: EditorState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._target: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        self.title = QLabel("Transforms")
        self.title.setObjectName("PanelTitle")
        self.origin = QLabel("Select a target field or a line.")
        self.origin.setObjectName("PanelHint")
        self.origin.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.origin)

        self.steps = QListWidget()
        self.steps.setObjectName("Steps")
        self.steps.setAccessibleName("Transform steps")
        self.steps.setMinimumHeight(110)
        self.steps.currentRowChanged.connect(self._show_settings)
        layout.addWidget(self.steps, 1)

        add_row = QHBoxLayout()
        self.choice = QComboBox()
        self.choice.setAccessibleName("Transform to add")
        for spec in sorted(REGISTRY.values(), key=lambda s: s.label):
            self.choice.addItem(spec.label, spec.name)
            self.choice.setItemData(
                self.choice.count() - 1, spec.description, Qt.ItemDataRole.ToolTipRole
            )
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_step)
        add_row.addWidget(self.choice, 1)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)

        buttons = QHBoxLayout()
        self.up_button = QPushButton("Up")
        self.down_button = QPushButton("Down")
        self.remove_button = QPushButton("Remove")
        self.up_button.clicked.connect(lambda: self.move_step(-1))
        self.down_button.clicked.connect(lambda: self.move_step(1))
        self.remove_button.clicked.connect(self.remove_step)
        for button in (self.up_button, self.down_button, self.remove_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.settings_title = QLabel("Settings")
        self.settings_title.setObjectName("PanelTitle")
        layout.addWidget(self.settings_title)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addWidget(self.form_host, 1)

        self.sample = QLabel("")
        self.sample.setObjectName("PanelHint")
        self.sample.setWordWrap(True)
        self.sample.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.sample)
        state.document_changed.connect(self.refresh)
        self.refresh()

    # -- showing ---------------------------------------------------------------------------
    def set_target(self, target: str | None) -> None:
        self._target = target
        self.refresh()

    @property
    def target(self) -> str | None:
        return self._target

    def _chain(self) -> tuple[TransformStep, ...]:
        mapping = self._state.document.mapping_for(self._target) if self._target else None
        return mapping.transforms if mapping else ()

    def refresh(self) -> None:
        current = self.steps.currentRow()
        self.steps.clear()
        enabled = self._target is not None and self._state.can_map(self._target)
        for widget in (self.steps, self.choice, self.add_button, self.form_host):
            widget.setEnabled(enabled)
        if self._target is None:
            self.title.setText("Transforms")
            self.origin.setText("Select a target field or a line to edit its transforms.")
            self.sample.setText("")
            self._show_settings(-1)
            return
        mapping = self._state.document.mapping_for(self._target)
        self.title.setText(self._target)
        if mapping is None:
            self.origin.setText("Not mapped. Drag a PayTrace field here, or add a constant.")
        else:
            self.origin.setText(f"From: {mapping.source or '(no source field: computed)'}")
        for number, step in enumerate(self._chain(), start=1):
            self.steps.addItem(f"{number}. {describe_step(step)}")
        if self.steps.count():
            self.steps.setCurrentRow(min(max(current, 0), self.steps.count() - 1))
        else:
            self._show_settings(-1)
        self._update_buttons()
        self.sample.setText(self._sample_text())

    def _update_buttons(self) -> None:
        row, count = self.steps.currentRow(), self.steps.count()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)
        self.remove_button.setEnabled(row >= 0)

    def _sample_text(self) -> str:
        if not self._state.sample_rows or self._target is None:
            return ""
        mapping = self._state.document.mapping_for(self._target)
        if mapping is None:
            return ""
        row = with_derived_fields(self._state.sample_rows[0])
        raw = get_path(row, mapping.source) if mapping.source else None
        context = TransformContext(row, self._state.document, self._state.context.all_tables())
        try:
            result = as_text(run_chain(mapping.transforms, raw, context))
        except TransformError as exc:
            return f"First sample: {as_text(raw) or '(empty)'} → error: {exc}"
        return f"First sample: {as_text(raw) or '(empty)'} → {result or '(empty)'}"

    def _show_settings(self, row: int) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        chain = self._chain()
        self._update_buttons()
        if not 0 <= row < len(chain):
            self.settings_title.setVisible(False)
            return
        spec = REGISTRY.get(chain[row].name)
        self.settings_title.setVisible(True)
        if spec is None:
            self.form.addRow(QLabel(f"Unknown transform '{chain[row].name}'"))
            return
        if not spec.params:
            hint = QLabel(spec.description or "No settings.")
            hint.setWordWrap(True)
            hint.setObjectName("PanelHint")
            self.form.addRow(hint)
        for param in spec.params:
            editor = self._editor(row, param, chain[row].params.get(param.name))
            editor.setToolTip(param.help)
            self.form.addRow(param.label, editor)

    # -- editing ---------------------------------------------------------------------------
    def _editor(self, row: int, param: ParamSpec, value: Any) -> QWidget:
        def commit(new_value: Any) -> None:
            self._set_param(row, param.name, new_value)

        if param.kind == "boolean":
            box = QCheckBox()
            box.setChecked(bool(param.default if value is None else value))
            box.toggled.connect(commit)
            return box
        if param.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(param.choices))
            combo.setCurrentText(str(param.default if value is None else value))
            combo.currentTextChanged.connect(commit)
            return combo
        if param.kind == "integer":
            spin = QSpinBox()
            spin.setRange(0, 999)
            spin.setValue(int(param.default if value is None else value or 0))
            spin.editingFinished.connect(lambda: commit(spin.value()))
            return spin
        line = QLineEdit()
        structured = param.kind in ("table", "parts")
        if value is not None:
            line.setText(json.dumps(value) if structured else str(value))
        line.setPlaceholderText(
            'JSON, e.g. {"card": "CC"}'
            if param.kind == "table"
            else "JSON list"
            if param.kind == "parts"
            else str(param.default or "")
        )

        def commit_text() -> None:
            text = line.text().strip()
            if not text:
                commit(None)
                return
            if structured:
                try:
                    commit(json.loads(text))
                except json.JSONDecodeError:
                    line.setStyleSheet("border-color: #c92a2a;")
                    line.setToolTip("Not valid JSON")
                return
            commit(text)

        line.editingFinished.connect(commit_text)
        return line

    def _set_param(self, row: int, name: str, value: Any) -> None:
        if self._target is None:
            return
        steps = list(self._chain())
        params = dict(steps[row].params)
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
        steps[row] = TransformStep(steps[row].name, params)
        self._state.set_transforms(self._target, tuple(steps))

    def add_step(self) -> None:
        if self._target is None:
            return
        name = str(self.choice.currentData())
        steps = (*self._chain(), TransformStep(name))
        if self._state.set_transforms(self._target, steps):
            self.steps.setCurrentRow(len(steps) - 1)

    def remove_step(self) -> None:
        row = self.steps.currentRow()
        if self._target is None or row < 0:
            return
        steps = list(self._chain())
        del steps[row]
        self._state.set_transforms(self._target, tuple(steps))

    def move_step(self, offset: int) -> None:
        row = self.steps.currentRow()
        steps = list(self._chain())
        other = row + offset
        if self._target is None or not (0 <= row < len(steps) and 0 <= other < len(steps)):
            return
        steps[row], steps[other] = steps[other], steps[row]
        if self._state.set_transforms(self._target, tuple(steps)):
            self.steps.setCurrentRow(other)
