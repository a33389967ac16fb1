"""Secrets never leave the keyring (DESIGN §1, §3): after syncs that set credentials — good
ones, wrong ones, expired PayTrace tokens, a refused Sage Pro key, the headless CLI with
secrets in PAYSAGE_* variables — no password, API key or PayTrace OAuth access token is in
the data folder (database, WAL, logs, settings), in the CLI's output, in any error message,
or in the text of the dialogs the app would show for those errors.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from app import credentials
from app.config import Settings, data_dir, save_settings
from app.log import setup_logging
from app.store import open_profile_store
from app.sync.cycle import build_context, run_cycle
from app.sync.errors import SyncFatalError
from tests.support.reliability_crash import since_of
from tests.support.reliability_env import TODAY, make_profile, running_stand_ins, small_company
from tests.support.reliability_scan import files_under, secret_hits

PROFILE = "Secrets"


def dialog_texts(errors: list[BaseException], qtbot) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """What the window would show for each error: the failed-sync notice and, were it
    unhandled, the crash dialog (summary and copyable details)."""
    from PySide6.QtWidgets import QLabel

    from app.ui import crash
    from app.ui.ops import describe_error
    from app.ui.widgets.notices import notify

    texts = []
    for error in errors:
        words = describe_error(error)
        box = notify(None, "Sync failed", words, warning=True)
        qtbot.addWidget(box)
        texts.append(("notice", box.text()))
        crash.handle_exception(type(error), error, error.__traceback__)
        dialog = crash.last_dialog
        assert dialog is not None
        qtbot.addWidget(dialog)
        texts.append(("crash dialog", dialog.details.toPlainText()))
        texts.extend(("crash dialog", label.text()) for label in dialog.findChildren(QLabel))
    return texts


def run_cli(
    home: Path, connection: dict[str, str], **overrides: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PAYSAGE_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PAYSAGE_PAYTRACE_URL": connection["paytrace_url"],
        "PAYSAGE_PAYTRACE_USERNAME": connection["paytrace_username"],
        "PAYSAGE_PAYTRACE_INTEGRATOR_ID": connection["paytrace_integrator_id"],
        "PAYSAGE_PAYTRACE_PASSWORD": connection["paytrace_password"],
        "PAYSAGE_SAGEPRO_URL": connection["sagepro_url"],
        "PAYSAGE_SAGEPRO_API_KEY": connection["sagepro_api_key"],
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "-m", "app", "sync", "--once", "--since", TODAY.isoformat()],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_no_secret_in_the_data_folder_logs_messages_or_dialogs(tmp_path: Path, qtbot):
    password = "pt-pass-" + secrets.token_urlsafe(12)
    api_key = "sp-key-" + secrets.token_urlsafe(12)
    wrong_password = "pt-wrong-" + secrets.token_urlsafe(12)
    wrong_key = "sp-wrong-" + secrets.token_urlsafe(12)
    company = small_company()
    errors: list[BaseException] = []
    texts: list[tuple[str, str]] = []
    with running_stand_ins(company, paytrace_password=password, sagepro_api_key=api_key) as s:
        profile = make_profile(s.connection(), PROFILE)
        save_settings(Settings(active_profile=PROFILE, profiles={PROFILE: profile}))
        credentials.set_secret(PROFILE, "paytrace", password)
        credentials.set_secret(PROFILE, "sagepro", api_key)
        setup_logging(logging.DEBUG)  # the data folder's log, as the app sets it up
        store = open_profile_store(profile)

        def cycle(**kwargs: object) -> None:
            ctx = build_context(profile, store)
            ctx.today = lambda: TODAY
            try:
                result = run_cycle(ctx, auto_approve=True, **kwargs)  # type: ignore[arg-type]
                texts.extend(("note", note) for note in result.notes)
            except SyncFatalError as error:
                errors.append(error)

        try:
            cycle(since=since_of(company))  # a good run
            s.paytrace.faults.script("expired_token", 3)  # new tokens are issued
            s.sagepro.faults.script("500", 2)
            cycle(since=TODAY - timedelta(days=1))
            s.sagepro.faults.clear()
            s.sagepro.faults.script("expired_token", 1, path_contains="/api/customers")
            cycle(since=TODAY)
            credentials.set_secret(PROFILE, "paytrace", wrong_password)
            cycle(since=TODAY)
            credentials.set_secret(PROFILE, "paytrace", password)
            credentials.set_secret(PROFILE, "sagepro", wrong_key)
            cycle(since=TODAY)
            cli_home = tmp_path / "cli-home"
            good = run_cli(cli_home, s.connection())
            bad = run_cli(cli_home, s.connection(), PAYSAGE_SAGEPRO_API_KEY=wrong_key)
        finally:
            store.dispose()
        tokens = s.issued_tokens()
    assert len(errors) >= 3, errors
    assert good.returncode == 0, good.stderr
    assert bad.returncode == 2 and bad.stderr.startswith("paysage: Sage Pro refused the API key")
    texts += [(type(e).__name__, str(e)) for e in errors]
    texts += [("cli stdout", good.stdout + bad.stdout), ("cli stderr", good.stderr + bad.stderr)]
    texts += dialog_texts(errors, qtbot)
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = files_under(data_dir(), tmp_path / "cli-home")
    assert any(p.name == "paysage.log" for p in files) and any(
        p.name.endswith(".db") for p in files
    )
    assert len(tokens) >= 4, "the stand-in issued fresh tokens after the expired ones"
    hits = secret_hits(files, [password, api_key, wrong_password, wrong_key, *tokens], texts)
    print(
        f"\nsecrets scan: files={len(files)} messages/dialog texts={len(texts)} "
        f"secrets sought={4 + len(tokens)} (of which PayTrace tokens {len(tokens)}) "
        f"hits={len(hits)}"
    )
    assert [f"{h.where} [{h.encoding}]" for h in hits] == []
