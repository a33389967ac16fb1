"""Bad input, plain words: every kind of error the reliability suites provoke reaches the
bookkeeper as a sentence that says what and where (asserted word for word where it
matters), and the rest of the batch goes on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.config import SettingsError, load_settings
from app.mapping import DocumentFormatError, MappingDocument
from app.mapping.template import default_template_path
from app.mapping.validation import InvalidMappingDocumentError, require_valid
from app.sandbox.demo_data import generate_demo_company
from app.store import open_store
from app.store.models import ExceptionItem, OutboxItem, Proposal
from app.sync.cycle import run_cycle
from app.sync.errors import SyncFatalError
from app.sync.review import actions as review
from tests.support.reliability_crash import since_of
from tests.support.reliability_env import TODAY, InjectedRows, fast_context, running_stand_ins
from tests.support.reliability_payloads import row_with

UNPLAIN = ("Traceback", "KeyError", "TypeError", "AttributeError", "None", "object at 0x")


def assert_plain(text: str) -> None:
    assert text and not any(word in text for word in UNPLAIN), text


def test_bad_rows_and_refused_postings_are_explained_and_the_rest_goes_on(tmp_path: Path):
    # Late February to mid-March; February gets locked in Sage Pro before the sync.
    company = generate_demo_company(3, customers=8, transactions=24, days=20, today=TODAY)
    with running_stand_ins(company) as stand_ins:
        injected = InjectedRows(stand_ins)
        injected.rows = [
            row_with({"transaction_id": 990001, "amount": "twelve dollars"}),
            row_with({"transaction_id": 990002, "created": {"at": "13/45/2025 25:61:00 PM"}}),
        ]
        locked = requests.post(
            stand_ins.sagepro.url + "/_sandbox/periods/lock",
            json={"Year": 2025, "Period": 2, "Locked": True},
            timeout=10,
        )
        assert locked.status_code == 200
        store = open_store(tmp_path / "paysage.db")
        try:
            ctx = fast_context(stand_ins.connection(), store)
            result = run_cycle(ctx, since=since_of(company), auto_approve=True)
            with store.read() as session:
                items = session.execute(select(ExceptionItem)).scalars().all()
                posted = (
                    session.execute(select(OutboxItem).where(OutboxItem.status == "posted"))
                    .scalars()
                    .all()
                )
        finally:
            store.dispose()
    by_category: dict[str, list[ExceptionItem]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    parse_errors = {item.title: item.detail for item in by_category["parse_error"]}
    assert parse_errors == {
        "PayTrace record 990001 could not be read": "Field 'amount': not an amount: "
        "'twelve dollars'. The record waits here; the rest of the sync went on.",
        "PayTrace record 990002 could not be read": "Field 'created.at': not a date and "
        "time: '13/45/2025 25:61:00 PM'. The record waits here; the rest of the sync went on.",
    }
    dead = by_category["dead_letter"]
    assert dead, "the locked February refuses its postings"
    for item in dead:
        assert item.title.endswith(("refused the payment", "refused the journal entry")), item.title
        assert "falls in period 2 of 2025, which is locked" in item.detail
        assert_plain(item.title + " " + item.detail)
    assert len(posted) >= 10, "March's postings went on"
    assert result.dead_letter == len(dead) and result.errors >= 2
    print(f"\nplain words: parse errors={len(parse_errors)} dead letters={len(dead)} "
          f"posted alongside={len(posted)}")  # fmt: skip


def test_sage_pro_down_pauses_posting_with_one_alert_and_the_poll_goes_on(tmp_path: Path):
    company = generate_demo_company(3, customers=6, transactions=12, days=4, today=TODAY)
    with running_stand_ins(company) as stand_ins:
        store = open_store(tmp_path / "paysage.db")
        try:
            connection = stand_ins.connection()
            first = fast_context(connection, store)
            run_cycle(first, since=since_of(company), auto_approve=False)
            # Something approved waits to post when Sage Pro goes away.
            with store.read() as session:
                waiting = (
                    session.execute(
                        select(Proposal.id).where(
                            Proposal.status == "proposed", Proposal.auto_approvable
                        )
                    )
                    .scalars()
                    .all()
                )
            assert review.approve_proposals(
                store, waiting, user="amy", profile=first.profile
            ).approved
            down = {**connection, "sagepro_url": "http://127.0.0.1:9"}
            result = run_cycle(fast_context(down, store), since=TODAY, auto_approve=True)
            with store.read() as session:
                alerts = (
                    session.execute(select(ExceptionItem).where(ExceptionItem.category == "alert"))
                    .scalars()
                    .all()
                )
        finally:
            store.dispose()
    assert result.notes[0].startswith("Sage Pro could not be read (")
    assert result.notes[0].endswith("); matching used the last copy.")
    assert result.notes[-1].startswith("Posting paused: Sage Pro cannot be reached (")
    assert [a.title for a in alerts] == ["Sage Pro cannot be reached: posting is paused"]
    assert "Nothing was lost: every approved item waits in the outbox" in alerts[0].detail
    assert result.fetched > 0, "PayTrace was still polled"
    for note in result.notes:
        assert_plain(note)


def test_wrong_paytrace_password_is_one_sentence(tmp_path: Path):
    company = generate_demo_company(3, customers=4, transactions=6, days=3, today=TODAY)
    with running_stand_ins(company) as stand_ins:
        store = open_store(tmp_path / "paysage.db")
        try:
            wrong = {**stand_ins.connection(), "paytrace_password": "not-the-password"}
            with pytest.raises(SyncFatalError) as refused:
                run_cycle(fast_context(wrong, store), since=TODAY)
        finally:
            store.dispose()
    assert str(refused.value) == (
        "PayTrace refused the sign-in: PayTrace did not accept the API user name or password; "
        "check them in Settings"
    )


@pytest.mark.parametrize(
    "body, words",
    [
        (b"{", "cannot be read"),
        (b"\xff\xfe", "cannot be read"),
        (json.dumps({"profiles": {"Sandbox": {"sync": {"interval_minutes": "five"}}}}).encode(),
         "settings.profiles.Sandbox.sync.interval_minutes must be a whole number, not 'five'."),
        (json.dumps({"profiles": {"Sandbox": {"fees": {"card_percent": 2.9}}}}).encode(),
         'settings.profiles.Sandbox.fees.card_percent must be an amount written as text, '
         'e.g. "2.90".'),
        (json.dumps({"profiles": {"Sandbox": {"paytrace": {"password": "x"}}}}).encode(),
         "looks like a secret; secrets belong in the keyring"),
    ],
    ids=["truncated", "not utf-8", "word for a number", "float money", "a password"],
)  # fmt: skip
def test_a_bad_settings_file_is_refused_in_plain_words(tmp_path: Path, body: bytes, words: str):
    path = tmp_path / "settings.json"
    path.write_bytes(body)
    with pytest.raises(SettingsError) as refused:
        load_settings(path)
    assert words in str(refused.value)
    assert_plain(str(refused.value))


def test_a_bad_mapping_document_names_the_place_and_the_field():
    data = json.loads(default_template_path().read_text("utf-8"))
    data["targets"][0]["fields"][0]["type"] = 7
    with pytest.raises(DocumentFormatError) as malformed:
        MappingDocument.from_dict(data)
    assert malformed.value.where.startswith("targets[0].fields[0]")
    assert_plain(str(malformed.value))
    data = json.loads(default_template_path().read_text("utf-8"))
    data["mappings"] = [m for m in data["mappings"] if m["target"] != "Payment.Amount"]
    with pytest.raises(InvalidMappingDocumentError) as invalid:
        require_valid(MappingDocument.from_dict(data))
    assert str(invalid.value) == "Payment field Amount is required but nothing is mapped to it."
    assert_plain(str(invalid.value))
