"""The op/worker API, the sync controller (progress, cancel, failure words, alerts), the
export of a grid, the crash hook and the single-instance hand-off."""

from __future__ import annotations

import csv
import sys
import threading
from pathlib import Path

from openpyxl import load_workbook

from app.log import register_secret
from app.queries.export_view import export_view
from app.ui import crash
from app.ui.models.reconciliation import ReconciliationModel
from app.ui.ops import describe_error, run_call, run_op
from app.ui.single_instance import InstanceServer, ask_running_instance_to_show
from app.ui.sync_controller import SyncController
from tests.gui.ui_app import make_context


def test_run_op_delivers_result_and_progress_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    gui = threading.get_ident()
    seen: list[tuple[str, int, int]] = []
    threads: list[int] = []

    def work(progress, cancel):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        progress("Counting", 1, 2)
        return 42

    op = run_op(work, label="test", on_progress=lambda *a: seen.append(a))
    qtbot.waitUntil(lambda: op.done, timeout=20_000)  # done is set by the finished signal
    assert op.result == 42 and threads[0] != gui
    assert seen == [("Counting", 1, 2)]


def test_errors_arrive_in_plain_words_and_redacted(qtbot) -> None:  # type: ignore[no-untyped-def]
    register_secret("hunter2-secret")

    def boom() -> None:
        raise ValueError("card 4012000098765439 refused with hunter2-secret")

    op = run_call(boom, label="boom")
    qtbot.waitUntil(lambda: op.done, timeout=20_000)  # done is set by the finished signal
    assert op.error is not None
    assert "4012000098765439" not in op.error and "hunter2" not in op.error
    assert "ValueError" in op.error  # a library-style error: named, not echoed
    from app.errors import PaysageError

    words = describe_error(PaysageError("Sage Pro refused 4012000098765439"))
    assert "4012000098765439" not in words and "Sage Pro refused" in words


def test_sync_now_reports_progress_and_can_be_cancelled(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    release = threading.Event()

    class Result:
        def as_dict(self) -> dict[str, int]:
            return {"fetched": 3, "posted": 1}

    def runner(trigger, progress, cancel):  # type: ignore[no-untyped-def]
        progress("Fetching PayTrace", 1, 3)
        release.wait(20)
        return Result()

    controller = SyncController(ctx, runner)
    progress: list[tuple[str, int, int]] = []
    ctx.signals.sync_progress.connect(lambda *a: progress.append(a))
    with qtbot.waitSignal(ctx.signals.sync_started, timeout=20_000):
        controller.sync_now()
    qtbot.waitUntil(lambda: controller.running, timeout=20_000)
    assert controller.sync_now() is None  # a second press while running does nothing
    with qtbot.waitSignal(ctx.signals.sync_finished, timeout=20_000) as finished:
        controller.cancel()
        release.set()
    assert finished.args[0] is False and "cancelled" in finished.args[1]
    assert progress and progress[0] == ("Fetching PayTrace", 1, 3)

    release.clear()
    release.set()
    with qtbot.waitSignal(ctx.signals.sync_finished, timeout=20_000) as finished:
        controller.sync_now()
    assert finished.args == [True, "Sync finished: 3 fetched, 1 posted."]


def test_a_failed_sync_raises_an_alert_in_plain_words(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)

    def runner(trigger, progress, cancel):  # type: ignore[no-untyped-def]
        raise ConnectionError("socket closed")

    controller = SyncController(ctx, runner)
    with qtbot.waitSignal(ctx.signals.alert, timeout=20_000) as alert:
        controller.sync_now()
    assert alert.args[0] == "Sync failed"
    assert "could not be reached" in alert.args[1]


def test_export_writes_every_row_of_the_view(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    model = ReconciliationModel(ctx.store, block_size=10)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    n = export_view(ctx.store, model.spec, len(model.columns), tmp_path / "view.csv")
    rows = list(csv.reader((tmp_path / "view.csv").open(encoding="utf-8-sig")))
    assert n == model.rowCount() == len(rows) - 1 > 10  # not just the loaded block
    assert rows[0][0] == "Paid on"
    export_view(ctx.store, model.spec, len(model.columns), tmp_path / "view.xlsx")
    sheet = load_workbook(tmp_path / "view.xlsx").active
    assert sheet.max_row == n + 1


def test_crash_hook_shows_redacted_copyable_details(qtbot) -> None:  # type: ignore[no-untyped-def]
    try:
        raise RuntimeError("boom with 4012000098765439")
    except RuntimeError:
        crash.handle_exception(*sys.exc_info())  # type: ignore[arg-type]
    dialog = crash.last_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert "4012000098765439" not in dialog.details.toPlainText()
    assert "RuntimeError" in dialog.details.toPlainText()
    dialog.copy()


def test_second_launch_brings_the_first_forward(qtbot) -> None:  # type: ignore[no-untyped-def]
    server = InstanceServer("paysage-test-instance")
    assert server.listening
    with qtbot.waitSignal(server.show_requested, timeout=20_000):
        assert ask_running_instance_to_show("paysage-test-instance")
    server.close()
