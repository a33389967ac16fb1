"""Mapping versions a bookkeeper can reach: export → import → diff round-trips without a
difference; a broken file is refused with the reason and nothing changes; restore and
promote add versions and audit events — through the Qt-free layer and `paysage mapping`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.__main__ import main
from app.config import Settings, SettingsError, environment_label, load_settings, save_settings
from app.mapping import DocumentFormatError, ensure_active_version, list_versions
from app.mapping.validation import InvalidMappingDocumentError
from app.mapping.version_actions import (
    VersionActionError,
    compare,
    export_file,
    import_file,
    plan_promotion,
    promote,
)
from app.store import Store, open_profile_store
from app.store.audit import verify
from app.store.models import AuditEvent, MappingVersion


@pytest.fixture
def store() -> Store:
    opened = open_profile_store(Settings().profile("Sandbox"))
    with opened.write() as session:
        ensure_active_version(session)
    yield opened  # type: ignore[misc]
    opened.dispose()


def _counts(store: Store) -> tuple[int, int]:
    with store.read() as session:
        versions = session.scalar(select(func.count()).select_from(MappingVersion))
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    return int(versions or 0), int(events or 0)


def _edited(source: Path, target: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    data = json.loads(source.read_text(encoding="utf-8"))
    edit(data)
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def _without_amount(data: dict) -> None:  # type: ignore[type-arg]
    data["mappings"] = [m for m in data["mappings"] if m["target"] != "Payment.Amount"]


def _without_memo(data: dict) -> None:  # type: ignore[type-arg]
    data["mappings"] = [m for m in data["mappings"] if m["target"] != "Payment.Memo"]


def test_export_import_diff_round_trip_and_broken_files_change_nothing(
    store: Store, tmp_path: Path
) -> None:
    exported = tmp_path / "v1.json"
    export_file(store, 1, exported)
    info = import_file(store, exported, "ann")
    assert (info.version, info.comment) == (2, "Imported from v1.json")
    assert compare(store, 1, 2) == []  # the round trip loses nothing

    before = _counts(store)
    shape = _edited(exported, tmp_path / "shape.json", lambda d: d.update(targets=5))
    with pytest.raises(DocumentFormatError, match="targets: expected a list"):
        import_file(store, shape, "ann")
    with pytest.raises(InvalidMappingDocumentError, match="Amount is required"):
        import_file(store, _edited(exported, tmp_path / "amount.json", _without_amount), "ann")
    with pytest.raises(VersionActionError, match="There is no file"):
        import_file(store, tmp_path / "missing.json", "ann")
    assert _counts(store) == before  # nothing half-written
    with store.read() as session:
        assert [v.version for v in list_versions(session) if v.active] == [2]
        assert verify(session).ok


def test_promote_shows_the_diff_and_is_audited_in_both(store: Store, tmp_path: Path) -> None:
    exported = tmp_path / "v1.json"
    export_file(store, 1, exported)
    import_file(store, _edited(exported, tmp_path / "no-memo.json", _without_memo), "ann")
    production = open_profile_store(Settings().profile("Production"))
    try:
        plan = plan_promotion(
            store, production, 2, source_profile="Sandbox", target_profile="Production"
        )
        assert plan.target_active is None
        assert [c.subject for c in plan.changes] == ["Payment.Memo"]
        info = promote(store, production, plan, "ann")
        assert (info.version, info.comment) == (1, "Promoted from Sandbox version 2")
        again = plan_promotion(
            store, production, 2, source_profile="Sandbox", target_profile="Production"
        )
        assert again.changes == [] and again.target_active == 1
        with pytest.raises(VersionActionError, match="nothing to promote"):
            promote(store, production, again, "ann")
        with pytest.raises(VersionActionError, match="changed since the comparison"):
            promote(store, production, plan, "ann")  # stale: Production moved on
        with production.read() as s:
            [event] = s.scalars(select(AuditEvent).where(AuditEvent.action.like("mapping%")))
            assert (event.action, event.after["from_version"]) == ("mapping_promoted_in", 2)
            assert verify(s).ok
        with store.read() as s:
            actions = list(s.scalars(select(AuditEvent.action)))
            assert actions == ["mapping_import", "mapping_promote"]
    finally:
        production.dispose()


def test_cli_round_trip_refusal_restore_and_promote(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exported = tmp_path / "active.json"
    assert main(["mapping", "export", str(exported)]) == 0
    assert main(["mapping", "import", str(exported)]) == 0
    capsys.readouterr()
    assert main(["mapping", "diff", "1", "2"]) == 0
    assert "No differences" in capsys.readouterr().out

    before = _counts(store)
    broken = _edited(exported, tmp_path / "broken.json", _without_amount)
    assert main(["mapping", "import", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "refused, nothing was changed" in err and "Amount is required" in err
    assert main(["mapping", "import", str(tmp_path / "nothing-here.json")]) == 2
    assert "There is no file" in capsys.readouterr().err
    assert _counts(store) == before

    assert main(["mapping", "restore", "1"]) == 0
    assert main(["mapping", "list"]) == 0
    out = capsys.readouterr().out
    assert "Version 1 restored as version 3" in out
    assert "*   3" in out and "Restored version 1 — No changes" in out
    assert main(["mapping", "restore", "42"]) == 2
    assert "There is no mapping version 42" in capsys.readouterr().err

    assert main(["mapping", "promote", "3", "--yes"]) == 2  # the same as Production's start
    assert "Nothing to promote: version 3 maps the same way" in capsys.readouterr().err
    no_memo = _edited(exported, tmp_path / "no-memo.json", _without_memo)
    assert main(["mapping", "import", str(no_memo)]) == 0
    capsys.readouterr()
    monkeypatch.setattr("builtins.input", lambda _question: "n")  # asked, and declined
    assert main(["mapping", "promote", "4"]) == 1
    assert "Nothing promoted." in capsys.readouterr().out
    assert main(["mapping", "list", "--profile", "Production"]) == 0
    assert "No mapping version yet" in capsys.readouterr().out
    assert main(["mapping", "show", "4"]) == 0
    shown = capsys.readouterr().out
    assert "Payment.Amount" in shown and "Payment.Memo" not in shown
    assert main(["mapping", "promote", "4", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "it has no mapping yet" in out and "removed  Payment.Memo" in out
    assert "Production now uses it as version 1" in out
    assert main(["mapping", "list", "--profile", "Production"]) == 0
    assert "Promoted from Sandbox version 4" in capsys.readouterr().out


def test_environment_labels_are_validated(tmp_path: Path) -> None:
    assert environment_label("  production ") == "Production"
    assert environment_label("Training  room") == "Training room"
    for bad in ("", "   ", "A very long environment name"):
        with pytest.raises(SettingsError):
            environment_label(bad)
    settings = Settings()
    settings.profiles["Sandbox"].environment = " "
    path = save_settings(settings, tmp_path / "settings.json")
    with pytest.raises(SettingsError, match=r"Sandbox\.environment must name an environment"):
        load_settings(path)
