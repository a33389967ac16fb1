"""The Sage Pro worklist over real sockets: the stand-in in staged mode answers like the
bridge over a real Sage Pro (``PostingState: Staged`` until a person enters the receipt).

Post → Staged, on the worklist; entered in Sage Pro → the next cycle finds it Entered and it
leaves the list; still Staged after the setting's days → one alert, closed once entered.
A Staged record found by its key is never posted again.
"""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy import func, select

from app.queries import sagepro_worklist
from app.store.models import ExceptionItem, OutboxItem, Proposal, StagedPosting
from app.store.state_guard import arranged_states
from app.sync.cycle import run_cycle, utcnow
from app.sync.outbound.poster import OutboxPoster
from app.sync.outbox import posting_states
from app.sync.review import actions as review
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv

SINCE = DEMO_TODAY - timedelta(days=31)


def _staged_env(env: SyncEnv, approve: int) -> list[str]:
    """Sync, approve ``approve`` payment proposals, post them: returns their keys."""
    env.sagepro.app.books.staged_posting = True  # type: ignore[attr-defined]
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    with env.store.read() as session:
        ids = (
            session.execute(
                select(Proposal.id)
                .where(
                    Proposal.status == "proposed",
                    Proposal.auto_approvable,
                    Proposal.kind == "payment",
                )
                .order_by(Proposal.id)
                .limit(approve)
            )
            .scalars()
            .all()
        )
    result = review.approve_proposals(env.store, ids, user="amy", profile=env.profile)
    assert len(result.approved) == approve, result.refused
    run_cycle(env.context(), auto_approve=False)
    with env.store.read() as session:
        return list(
            session.execute(
                select(OutboxItem.key)
                .where(OutboxItem.proposal_id.in_(ids), OutboxItem.kind == "payment")
                .order_by(OutboxItem.key)
            ).scalars()
        )


def _worklist(env: SyncEnv) -> list[sagepro_worklist.WorklistRow]:
    with env.store.read() as session:
        return sagepro_worklist.rows(session, sort="key")


def _enter_in_sage(env: SyncEnv, key: str) -> None:
    response = requests.post(
        env.sagepro.url + "/_sandbox/staged/enter", json={"Reference": key}, timeout=5
    )
    response.raise_for_status()
    assert response.json()["PostingState"] == "Entered"


def test_staged_payment_is_listed_then_leaves_the_list_once_entered(sync_env: SyncEnv):
    env = sync_env
    keys = _staged_env(env, approve=3)
    assert len(keys) == 3
    with env.store.read() as session:
        states = dict(
            session.execute(
                select(OutboxItem.key, OutboxItem.posting_state).where(OutboxItem.key.in_(keys))
            ).all()
        )
        statuses = set(
            session.execute(select(OutboxItem.status).where(OutboxItem.key.in_(keys))).scalars()
        )
    assert statuses == {"posted"}  # Staged exists: the posting is done on our side
    assert set(states.values()) == {"Staged"}
    listed = _worklist(env)
    assert [r.key for r in listed] == keys
    first = listed[0]
    # The stand-in names no token: the key itself is what the bookkeeper types.
    assert first.token == first.key
    assert first.amount_cents > 0 and first.date is not None and first.invoices
    payment = env.sagepro_get("/api/payments", PaymentReference=first.key)["items"][0]
    assert first.customer.startswith(payment["CustomerID"] + " ")
    assert first.amount_cents == int(payment["Amount"].replace(".", ""))

    _enter_in_sage(env, keys[0])
    run_cycle(env.context(), auto_approve=False)

    assert [r.key for r in _worklist(env)] == keys[1:]
    with env.store.read() as session:
        entered = session.execute(select(OutboxItem).where(OutboxItem.key == keys[0])).scalar_one()
        staged = session.get(StagedPosting, entered.id)
    assert entered.posting_state == "Entered"
    assert staged is not None and staged.entered_at is not None


def test_a_staged_record_found_by_its_key_is_never_posted_again(sync_env: SyncEnv):
    env = sync_env
    keys = _staged_env(env, approve=2)
    before = env.sagepro.app.books.store.count("payments")  # type: ignore[attr-defined]
    # As if the answer to the post had been lost: the row is due again.
    with env.store.write() as session, arranged_states():  # a scene, not a move the app makes
        for item in session.scalars(select(OutboxItem).where(OutboxItem.key.in_(keys))):
            item.status, item.next_attempt_at = "pending", utcnow()
    ctx = env.context()
    counts = OutboxPoster(env.store, ctx.sagepro, **ctx.poster_options).post_due()
    assert counts.posted == 2 and counts.dead_letter == 0
    assert env.sagepro.app.books.store.count("payments") == before  # type: ignore[attr-defined]
    for key in keys:
        assert len(env.sagepro_get("/api/payments", PaymentReference=key)["items"]) == 1
    assert [r.key for r in _worklist(env)] == keys  # still Staged, still listed once


def test_still_staged_after_the_setting_raises_one_alert_closed_when_entered(sync_env: SyncEnv):
    env = sync_env
    env.profile.sagepro.worklist_alert_days = 3
    keys = _staged_env(env, approve=2)
    later = utcnow() + timedelta(days=2)
    ctx = env.context()
    ctx.clock = lambda: later
    run_cycle(ctx, auto_approve=False)
    assert _alerts(env) == []  # two days: not yet

    much_later = utcnow() + timedelta(days=4)
    ctx.clock = lambda: much_later
    result = run_cycle(ctx, auto_approve=False)
    run_cycle(ctx, auto_approve=False)  # a second cycle adds no second alert
    alerts = _alerts(env)
    assert sorted(a.title for a in alerts) == sorted(
        f"{k}: not entered in Sage Pro after 3 days" for k in keys
    )
    assert all("Check/Reference No." in a.detail and a.status == "open" for a in alerts)
    assert any("still not entered" in n for n in result.notes)

    _enter_in_sage(env, keys[0])
    run_cycle(ctx, auto_approve=False)
    by_title = {a.title.split(":")[0]: a.status for a in _alerts(env)}
    assert by_title == {keys[0]: "resolved", keys[1]: "open"}


def test_each_cycle_looks_up_a_bounded_number_least_recently_checked_first(sync_env: SyncEnv):
    env = sync_env
    keys = _staged_env(env, approve=3)
    for key in keys:
        _enter_in_sage(env, key)
    ctx = env.context()
    first = posting_states.refresh_staged(env.store, ctx.sagepro, now=utcnow(), limit=2)
    assert (first.checked, first.entered) == (2, 2)
    second = posting_states.refresh_staged(env.store, ctx.sagepro, now=utcnow(), limit=2)
    assert (second.checked, second.entered) == (1, 1)  # the one not checked the first time
    assert _worklist(env) == []


def _alerts(env: SyncEnv) -> list[ExceptionItem]:
    with env.store.read() as session:
        items = list(
            session.scalars(
                select(ExceptionItem).where(
                    ExceptionItem.reason_code == posting_states.OVERDUE_ALERT_CODE
                )
            )
        )
        session.expunge_all()
        return items


def test_standin_without_staged_mode_answers_no_staged_state(sync_env: SyncEnv):
    env = sync_env
    run_cycle(env.context(), since=SINCE, auto_approve=True)
    with env.store.read() as session:
        staged = session.execute(
            select(func.count()).where(OutboxItem.posting_state == "Staged")
        ).scalar_one()
        posted = session.execute(
            select(func.count()).where(OutboxItem.status == "posted")
        ).scalar_one()
    assert posted > 0 and staged == 0
    assert _worklist(env) == []


def test_sage_pro_down_leaves_the_worklist_as_it_was(sync_env: SyncEnv):
    env = sync_env
    keys = _staged_env(env, approve=2)
    env.sagepro.stop()
    result = run_cycle(env.context(), auto_approve=False)
    assert any("Sage Pro worklist not checked" in n for n in result.notes), result.notes
    assert [r.key for r in _worklist(env)] == keys
