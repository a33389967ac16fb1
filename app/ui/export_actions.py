"""The Export… button of every grid: ask where, then write the file off the GUI thread."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.queries.export_view import export_view
from app.sync.cancel import CancelToken
from app.ui.context import UiContext
from app.ui.models.sql_table import SqlTableModel
from app.ui.ops import Op, ProgressCallback, run_op
from app.ui.ui_state import export_folder, remember_export_folder
from app.ui.widgets.notices import notify


def export_grid(
    parent: QWidget, ctx: UiContext, model: SqlTableModel, name: str, path: Path | None = None
) -> Op[int] | None:
    """Export what ``model`` shows (every row under its filter and sort)."""
    if path is None:
        suggested = str(export_folder() / f"paysage-{name}-{date.today():%Y-%m-%d}.xlsx")
        chosen, _filter = QFileDialog.getSaveFileName(
            parent, "Export", suggested, "Excel workbook (*.xlsx);;CSV (*.csv)"
        )
        if not chosen:
            return None
        path = Path(chosen)
        remember_export_folder(path)
    store, spec, shown = ctx.store, model.spec, len(model.columns)
    target, base = path, model.base_currency

    def work(progress: ProgressCallback, cancel: CancelToken) -> int:
        return export_view(
            store,
            spec,
            shown,
            target,
            progress=progress,
            cancelled=lambda: cancel.cancelled,
            base_currency=base,
        )

    def done(rows: int) -> None:
        ctx.signals.status_message.emit(f"Exported {rows:,} rows to {target}.")

    def failed(words: str) -> None:
        notify(parent, "Export failed", words, warning=True)

    ctx.signals.status_message.emit(f"Exporting to {target}…")
    return run_op(work, label="Exporting", on_done=done, on_error=failed, owner=parent)
