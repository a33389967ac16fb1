"""The transition tables: every legal move of every entity passes, every other move raises a
plain message, and an ORM write of a status goes through the table."""

from __future__ import annotations

from enum import StrEnum

import pytest

import app.store  # noqa: F401 - installs the ORM state guard
from app.domain.states import (
    TABLES,
    ExceptionStatus,
    IllegalTransition,
    MatchStatus,
    OutboxStatus,
    ProposalStatus,
    RecurrenceStatus,
    SettlementBatchStatus,
    SyncRunStatus,
    check_moves,
    transition,
)
from app.store.models import (
    ExceptionItem,
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    RecurringSchedule,
    SettlementBatchRow,
    SyncRun,
)

ENTITIES = list(TABLES)


def _pairs(entity: type[StrEnum], legal: bool) -> list[tuple[StrEnum | None, StrEnum]]:
    moves = TABLES[entity][1]
    starts: list[StrEnum | None] = [None, *entity]
    return [
        (old, new)
        for old in starts
        for new in entity
        if old != new and (new in moves[old]) == legal
    ]


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.__name__)
def test_every_state_has_a_row_in_its_table(entity: type[StrEnum]):
    assert set(TABLES[entity][1]) == {None, *entity}


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.__name__)
def test_every_legal_move_passes(entity: type[StrEnum]):
    legal = _pairs(entity, legal=True)
    assert legal
    for old, new in legal:
        assert transition(entity, old, new.value) is new
        assert transition(entity, new.value, new.value) is new  # same state: always fine


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.__name__)
def test_every_other_move_raises_in_plain_words(entity: type[StrEnum]):
    illegal = _pairs(entity, legal=False)
    assert illegal
    label = TABLES[entity][0]
    for old, new in illegal:
        with pytest.raises(IllegalTransition) as caught:
            transition(entity, None if old is None else old.value, new.value)
        start = "start" if old is None else f"go from {old.value}"
        assert str(caught.value) == f"{label} cannot {start} to {new.value}."


@pytest.mark.parametrize(
    ("entity", "old", "new", "words"),
    [
        (ProposalStatus, ProposalStatus.POSTED, "proposed", "A proposal cannot go from posted"),
        (OutboxStatus, OutboxStatus.POSTED, "pending", "An outbox item cannot go from posted"),
        (OutboxStatus, None, "posted", "An outbox item cannot start to posted."),
        (ExceptionStatus, "resolved", "open", "An exceptions item cannot go from resolved"),
        (SyncRunStatus, "ok", "running", "A sync run cannot go from ok to running."),
        (MatchStatus, "posted", "approved", "A transaction cannot go from posted to approved."),
        (SettlementBatchStatus, "posted", "new", "A settlement batch cannot go from posted"),
        (RecurrenceStatus, "unknown", "creating", "A recurring schedule cannot go from unknown"),
    ],
)
def test_known_bad_moves(entity: type[StrEnum], old: str | None, new: str, words: str):
    with pytest.raises(IllegalTransition, match=words):
        transition(entity, old, new)


def test_an_unknown_state_is_named():
    with pytest.raises(IllegalTransition, match="cannot be in state 'archived'; its states are"):
        transition(ExceptionStatus, "open", "archived")
    with pytest.raises(IllegalTransition, match="'archived'"):
        transition(ExceptionStatus, "archived", "open")


def test_bulk_moves_check_every_state_the_where_admits():
    check_moves(OutboxStatus, ("pending", "dead"), OutboxStatus.DISCARDED)
    with pytest.raises(IllegalTransition, match="from posted to discarded"):
        check_moves(OutboxStatus, ("pending", "posted"), OutboxStatus.DISCARDED)


def test_enum_states_compare_equal_to_their_text():
    assert ProposalStatus.APPROVED == "approved"
    assert f"{OutboxStatus.IN_FLIGHT}" == "in_flight"


@pytest.mark.parametrize(
    ("make", "attribute", "legal", "illegal"),
    [
        (lambda: Proposal(status="proposed"), "status", "approved", "reversed"),
        (lambda: OutboxItem(status="pending"), "status", "in_flight", "resolved"),
        (lambda: ExceptionItem(status="open"), "status", "resolved", "open_again"),
        (lambda: SyncRun(status="running"), "status", "ok", "running_late"),
        (
            lambda: PayTraceTransaction(match_status="unmatched"),
            "match_status",
            "proposed",
            "posted",
        ),
        (lambda: SettlementBatchRow(status="new"), "status", "queued", "mismatch"),
        (lambda: RecurringSchedule(status="creating"), "status", "active", "unknown"),
    ],
    ids=["proposal", "outbox", "exception", "sync_run", "transaction", "batch", "recurrence"],
)
def test_orm_writes_go_through_the_table(make, attribute: str, legal: str, illegal: str):
    row = make()
    setattr(row, attribute, legal)
    assert getattr(row, attribute) == legal
    with pytest.raises(IllegalTransition):
        setattr(row, attribute, illegal)
    assert getattr(row, attribute) == legal  # the refused write changed nothing


def test_a_row_built_whole_may_start_in_any_known_state_but_no_other():
    assert Proposal(status="posted").status == ProposalStatus.POSTED  # seed, copy, demo
    with pytest.raises(IllegalTransition, match="cannot be in state 'archived'"):
        Proposal(status="archived")


def test_arranged_scenes_skip_the_move_check_only_inside_the_block():
    from app.store.state_guard import arranged_states

    row = PayTraceTransaction(match_status="unmatched")
    with arranged_states():
        row.match_status = "posted"
        with pytest.raises(IllegalTransition, match="'archived'"):
            row.match_status = "archived"
    with pytest.raises(IllegalTransition, match="from posted to approved"):
        row.match_status = "approved"


def test_the_transactions_filter_offers_every_match_status():
    from app.queries.transactions import MATCH_STATUSES

    assert set(MATCH_STATUSES) == {state.value for state in MatchStatus}  # "reversed" was missing
