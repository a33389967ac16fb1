"""The poster's promises over the Sage Pro stand-in: dead letters in plain words, one alert
when Sage Pro is down, exactly one posting after recovery or a retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from app.store.models import ExceptionItem, OutboxItem, Proposal
from app.sync.cycle import run_cycle
from app.sync.review import actions as review
from app.sync.review import exception_queue
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv

SINCE = DEMO_TODAY - timedelta(days=31)


def _approve_all(env: SyncEnv) -> int:
    with env.store.read() as session:
        ids = (
            session.execute(
                select(Proposal.id).where(Proposal.status == "proposed", Proposal.auto_approvable)
            )
            .scalars()
            .all()
        )
    result = review.approve_proposals(env.store, ids, user="amy", profile=env.profile)
    assert not result.refused, result.refused
    return len(result.approved)


def _outbox(env: SyncEnv, status: str) -> int:
    with env.store.read() as session:
        return session.execute(select(func.count()).where(OutboxItem.status == status)).scalar_one()


def test_sagepro_down_pauses_with_one_alert_then_posts_once(sync_env: SyncEnv):
    env = sync_env
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    approved = _approve_all(env)
    assert approved > 50
    env.sagepro.stop()  # Sage Pro goes away entirely
    ctx = env.context()
    result = run_cycle(ctx, auto_approve=False)
    assert result.posted == 0 and any("Posting paused" in n for n in result.notes)
    with env.store.read() as session:
        alerts = (
            session.execute(
                select(ExceptionItem).where(
                    ExceptionItem.category == "alert", ExceptionItem.status == "open"
                )
            )
            .scalars()
            .all()
        )
        dead = session.execute(
            select(func.count()).where(ExceptionItem.category == "dead_letter")
        ).scalar_one()
    assert len(alerts) == 1 and "posting is paused" in alerts[0].title
    assert "Nothing was lost" in alerts[0].detail
    assert dead == 0 and _outbox(env, "pending") >= approved


def test_closed_period_is_a_dead_letter_and_retry_posts_once(sync_env: SyncEnv):
    env = sync_env
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    month = DEMO_TODAY.replace(day=1) - timedelta(days=1)  # last month: most demo payments
    lock = {"Year": month.year, "Period": month.month, "Locked": True}
    requests.post(
        env.sagepro.url + "/_sandbox/periods/lock", json=lock, timeout=5
    ).raise_for_status()
    _approve_all(env)
    result = run_cycle(env.context(), auto_approve=False)
    assert result.dead_letter > 0
    with env.store.read() as session:
        item = (
            session.execute(select(ExceptionItem).where(ExceptionItem.category == "dead_letter"))
            .scalars()
            .first()
        )
        assert item is not None and item.reason_code == "period_closed"
        assert "period" in item.detail.lower()
        item_id, key = item.id, session.get(OutboxItem, item.outbox_id).key
    # Month end reopened: retry the whole group; each posts exactly once.
    requests.post(
        env.sagepro.url + "/_sandbox/periods/lock", json={**lock, "Locked": False}, timeout=5
    ).raise_for_status()
    retried = exception_queue.retry_group(env.store, "period_closed", user="amy")
    assert retried == result.dead_letter
    again = run_cycle(env.context(), auto_approve=False)
    assert again.dead_letter == 0 and again.posted >= retried
    refs = [p["PaymentReference"] for p in env.all_items("/api/payments")]
    assert refs.count(key) == 1 and len(refs) == len(set(refs))
    with env.store.read() as session:
        assert session.get(ExceptionItem, item_id).status == "resolved"


def test_undo_and_reject_and_rematch(sync_env: SyncEnv):
    env = sync_env
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    with env.store.read() as session:
        first, second = (
            session.execute(
                select(Proposal.id)
                .where(Proposal.status == "proposed", Proposal.auto_approvable)
                .limit(2)
            )
            .scalars()
            .all()
        )
    review.approve_proposals(env.store, [first], user="amy", profile=env.profile)
    again = review.approve_proposals(env.store, [first], user="bob", profile=env.profile)
    assert again.refused[first] == "This proposal was already approved by amy."
    review.undo_approval(env.store, first, user="amy")
    assert _outbox(env, "pending") == 0 and _outbox(env, "discarded") == 1
    with env.store.read() as session:
        proposal = session.get(Proposal, second)
        amount = sum(a.amount_cents for a in proposal.applications) + proposal.on_account_cents
        invoice = proposal.applications[0].invoice_id
    from app.domain.money import from_cents

    with pytest.raises(review.ReviewError, match="add up to"):
        review.rematch_proposal(env.store, second, [(invoice, from_cents(1))], user="amy")
    new_id = review.rematch_proposal(
        env.store, second, [], user="amy", on_account=from_cents(amount)
    )
    with env.store.read() as session:
        assert session.get(Proposal, second).status == "superseded"
        new = session.get(Proposal, new_id)
        assert (new.rule, new.on_account_cents, new.applications) == ("manual", amount, [])
    review.reject_proposal(env.store, new_id, user="amy", reason="wrong customer")
    with env.store.read() as session:
        assert session.get(Proposal, new_id).status == "rejected"
