"""The pipeline posts with the active mapping version and remembers which one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.mapping import TransformStep, list_versions, save_version
from app.mapping.versions import active_version
from app.store.models import OutboxItem, PayTraceTransaction
from app.sync.cycle import run_cycle
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv


def test_a_changed_transform_changes_the_next_posting_only(sync_env: SyncEnv):
    env = sync_env
    ctx = env.context()
    # First cycle: everything up to 10 days ago, with the default template (version 1).
    ctx.today = lambda: DEMO_TODAY - timedelta(days=10)
    first = run_cycle(ctx, since=DEMO_TODAY - timedelta(days=31), auto_approve=True)
    assert first.posted > 0
    with env.store.write() as session:
        v1_id, document = active_version(session)
        changed = document.with_transforms(
            "Payment.Memo", [TransformStep("constant", {"value": "Paid via Paysage v2"})]
        )
        save_version(session, changed, "amy", "Memo says where the payment came from")
    with env.store.read() as session:
        v2_id, _ = active_version(session)
        assert [v.version for v in list_versions(session)][:2] == [2, 1]
    assert v2_id != v1_id

    ctx = env.context()
    ctx.today = lambda: DEMO_TODAY
    second = run_cycle(ctx, auto_approve=True)
    assert second.posted > 0

    payments = {p["PaymentReference"]: p for p in env.all_items("/api/payments")}
    with env.store.read() as session:
        rows = (
            session.execute(
                select(OutboxItem).where(
                    OutboxItem.kind == "payment", OutboxItem.status == "posted"
                )
            )
            .scalars()
            .all()
        )
        by_version = {v1_id: 0, v2_id: 0}
        for row in rows:
            by_version[row.mapping_version_id] += 1
            memo = payments[row.key]["Memo"]
            if row.mapping_version_id == v2_id:
                assert memo == "Paid via Paysage v2"
            else:
                assert memo != "Paid via Paysage v2"
            tx = session.get(PayTraceTransaction, row.transaction_id)
            assert tx.mapping_version_id == row.mapping_version_id
    assert by_version[v1_id] > 0 and by_version[v2_id] > 0
