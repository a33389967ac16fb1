"""One sync cycle of one profile: refresh Sage Pro, poll PayTrace, match, post.

Network reads happen outside write transactions; each day chunk is stored with its cursor
in one transaction, so a crash loses at most the chunk in hand and never moves the cursor
past rows that were not stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.clock import utcnow
from app.config import Profile
from app.connectors import factory
from app.connectors.paytrace.client import PayTraceClient
from app.connectors.paytrace.errors import PayTraceAuthError, PayTraceError
from app.connectors.sagepro.errors import SageProError, UnauthorizedError
from app.connectors.sagepro.gateway import SageProGateway
from app.domain.display_time import show_date
from app.domain.states import SyncRunStatus
from app.domain.words import counted
from app.store import Store, audit
from app.store.claimants import LeaseError
from app.store.models import SyncRun
from app.sync.cancel import CancelToken
from app.sync.errors import SyncFatalError
from app.sync.failure_words import failure_advice
from app.sync.inbound import sagepro_cache, settlements
from app.sync.inbound.anomaly_scan import scan_anomalies
from app.sync.inbound.ingest import get_cursor, ingest_transactions, set_cursor
from app.sync.inbound.old_sales import look_up_old_sales
from app.sync.outbound import order_to_cash
from app.sync.outbound.paytrace_poster import PayTraceOutboxPoster
from app.sync.outbound.poster import OutboxPoster
from app.sync.outbox import posting_states
from app.sync.review import rematch
from app.sync.review.matching_pass import match_in_chunks
from app.sync.run_lock import profile_run_lock

TRANSACTIONS_CURSOR = "paytrace.transactions"
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class CycleResult:
    fetched: int = 0
    new: int = 0
    changed: int = 0
    proposals: int = 0
    auto_approved: int = 0
    posted: int = 0
    review: int = 0
    dead_letter: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)  # plain-words remarks (not in the JSON)

    def as_dict(self) -> dict[str, int]:
        data = asdict(self)
        data.pop("notes")
        return data


@dataclass
class SyncContext:
    profile: Profile
    store: Store
    paytrace: PayTraceClient
    sagepro: SageProGateway
    tz: ZoneInfo | None
    clock: Callable[[], datetime] = utcnow
    worker: str = "paysage"
    poster_options: dict[str, Any] = field(default_factory=dict)
    today: Callable[[], date] | None = None  # tests and the demo pin the merchant's "today"

    def merchant_today(self) -> date:
        if self.today is not None:
            return self.today()
        return datetime.now(self.tz).date() if self.tz else datetime.now().date()


def merchant_zone(profile: Profile) -> ZoneInfo | None:
    name = profile.paytrace.merchant_timezone
    return ZoneInfo(name) if name else None


def build_context(profile: Profile, store: Store, *, headless: bool = False) -> SyncContext:
    paytrace = factory.paytrace_client(profile, headless=headless)
    sagepro = factory.sagepro_gateway(profile, headless=headless)
    return SyncContext(profile, store, paytrace, sagepro, merchant_zone(profile))


def _window(ctx: SyncContext, since: date | None) -> tuple[date, date]:
    today = ctx.merchant_today()
    lookback = timedelta(days=ctx.profile.sync.lookback_days)
    if since is not None:
        return since, today
    with ctx.store.read() as session:
        cursor = get_cursor(session, TRANSACTIONS_CURSOR)
    start = (cursor.cursor_date if cursor and cursor.cursor_date else today) - lookback
    return min(start, today), today


def run_cycle(
    ctx: SyncContext,
    *,
    trigger: str = "manual",
    since: date | None = None,
    auto_approve: bool | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> CycleResult:
    """One full cycle; raises ``SyncFatalError`` (plain words) when it cannot go on."""
    with profile_run_lock(ctx.profile.name, ctx.store):
        return _run(ctx, trigger, since, auto_approve, progress, cancel or CancelToken())


def _run(
    ctx: SyncContext,
    trigger: str,
    since: date | None,
    auto_approve: bool | None,
    progress: ProgressCallback | None,
    cancel: CancelToken,
) -> CycleResult:
    result = CycleResult()
    auto = ctx.profile.policy.auto_approve if auto_approve is None else auto_approve
    report = progress or (lambda stage, done, total: None)
    run_id = _start_run(ctx, trigger)
    status, error = SyncRunStatus.OK, None
    try:
        sagepro_read = _refresh_sagepro(ctx, result, report)
        # Charges and refunds the bookkeeper asked for go out before the poll, so what they
        # did is read back (and matched) in this same cycle.
        _send_paytrace_intents(ctx, result, report, cancel)
        _poll_paytrace(ctx, since, result, report, cancel)
        if not cancel.cancelled:
            _match(ctx, result, report, auto, sagepro_read)
        if not cancel.cancelled:
            answered = _post(ctx, result, report, cancel)
            if answered and not cancel.cancelled:  # else Sage Pro is not answering at all
                _follow_staged(ctx, result, report)
        if not cancel.cancelled:
            # Its own transaction: a failing scan can never undo matching or posting.
            with ctx.store.write() as session:
                scan_anomalies(session, ctx.profile, ctx.clock())
        with ctx.store.read() as session:
            result.review = _count_review(session)
        if cancel.cancelled:
            status = SyncRunStatus.CANCELLED
    except SyncFatalError as exc:
        advice = failure_advice(exc)
        status, error = SyncRunStatus.FAILED, advice.words if advice is not None else str(exc)
        raise
    except BaseException as exc:
        advice = failure_advice(exc)
        status = SyncRunStatus.FAILED
        error = advice.words if advice is not None else f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _finish_run(ctx, run_id, status, error, result)
    return result


def _start_run(ctx: SyncContext, trigger: str) -> int:
    """The sync run's row, committed as running before any work (the status bar shows it)."""
    with ctx.store.write() as session:
        run = SyncRun(
            trigger=trigger, started_at=ctx.clock(), status=SyncRunStatus.RUNNING, counts={}
        )
        session.add(run)
        session.flush()
        return run.id


def _finish_run(
    ctx: SyncContext,
    run_id: int,
    status: SyncRunStatus,
    error: str | None,
    result: CycleResult,
) -> None:
    """How the run ended, its counts, and the audit event saying so."""
    with ctx.store.write() as session:
        finished = session.get(SyncRun, run_id)
        assert finished is not None
        finished.status, finished.error, finished.finished_at = status, error, ctx.clock()
        finished.counts = result.as_dict()
        audit.record(
            session,
            "sync_cycle",
            "sync_run",
            run_id,
            actor=ctx.worker,
            after={"status": status, **result.as_dict()},
        )


def _match(
    ctx: SyncContext,
    result: CycleResult,
    report: ProgressCallback,
    auto: bool,
    sagepro_read: bool,
) -> None:
    """Find older refunds' sales, match in chunks, and plan the settlement deposits."""
    report("Looking up the sales of older refunds", 0, 1)
    base, sources = ctx.profile.base_currency, (ctx.store, ctx.sagepro, ctx.paytrace)
    old_sales = look_up_old_sales(*sources, reachable=sagepro_read, base_currency=base)
    result.notes.extend(old_sales.notes)
    report("Matching payments to invoices", 0, 1)
    counts = match_in_chunks(
        ctx.store,
        ctx.profile,
        ctx.clock,
        auto,
        sagepro_read=sagepro_read,
        old_sales=old_sales,
    )
    with ctx.store.write() as session:
        settlements.plan_settlements(session, ctx.profile, ctx.clock())
    result.proposals, result.auto_approved = counts.proposals, counts.auto_approved
    if counts.rematched:
        result.notes.append(
            f"{counted(counts.rematched, 'waiting payment')} matched again after "
            "Sage Pro's invoices or customers changed."
        )


def _refresh_sagepro(ctx: SyncContext, result: CycleResult, report: ProgressCallback) -> bool:
    """Whether Sage Pro's customers and invoices were read; a change (or a failed read)
    marks undecided proposals for re-evaluation (``rematch``)."""
    report("Reading Sage Pro customers and invoices", 0, 1)
    with ctx.store.read() as session:
        since = sagepro_cache.last_refresh(session)
    try:
        changes = sagepro_cache.fetch_changes(ctx.sagepro, since, ctx.clock())
    except UnauthorizedError as exc:
        raise SyncFatalError(f"Sage Pro refused the API key: {exc}") from None
    except SageProError as exc:
        if not exc.transient:
            raise SyncFatalError(f"Sage Pro could not be read: {exc}") from None
        result.errors += 1
        result.notes.append(f"Sage Pro could not be read ({exc}); matching used the last copy.")
        with ctx.store.write() as session:
            rematch.mark_due(session, ctx.clock())
        return False
    with ctx.store.write() as session:
        applied = sagepro_cache.apply_changes(session, changes)
        if applied.changed_invoices or applied.changed_customers:
            rematch.mark_due(session, ctx.clock())
    try:
        order_to_cash.refresh_orders(ctx.store, ctx.sagepro, ctx.clock())
    except SageProError as exc:
        if not exc.transient:
            raise SyncFatalError(f"Sage Pro's sales orders could not be read: {exc}") from None
        result.errors += 1
        result.notes.append(f"Sage Pro's sales orders could not be read ({exc}).")
    return True


def _send_paytrace_intents(
    ctx: SyncContext, result: CycleResult, report: ProgressCallback, cancel: CancelToken
) -> None:
    report("Sending charges and refunds to PayTrace", 0, 1)
    poster = PayTraceOutboxPoster(
        ctx.store,
        ctx.paytrace,
        worker=ctx.worker,
        tz=ctx.tz,
        today=ctx.merchant_today,
        clock=ctx.clock,
    )
    counts = poster.post_due(cancel=cancel)
    result.dead_letter += counts.dead_letter
    if counts.paused:
        result.errors += 1
        result.notes.append(f"PayTrace requests paused: {counts.pause_reason}")


def _poll_paytrace(
    ctx: SyncContext,
    since: date | None,
    result: CycleResult,
    report: ProgressCallback,
    cancel: CancelToken,
) -> None:
    start, end = _window(ctx, since)
    days = (end - start).days + 1
    try:
        for index in range(days):
            if cancel.cancelled:
                return
            day = start + timedelta(days=index)
            report(f"Reading PayTrace transactions of {show_date(day)}", index, days)
            export = ctx.paytrace.export_transactions(day, day)
            with ctx.store.write() as session:
                counts = ingest_transactions(
                    session, export.records, export.errors, now=ctx.clock(), tz=ctx.tz
                )
                with_cursor = max(day, _cursor_date(session))
                set_cursor(session, TRANSACTIONS_CURSOR, with_cursor, ctx.clock())
                if counts.new or counts.changed or counts.parse_errors:
                    audit.record(
                        session,
                        "fetch",
                        "paytrace_day",
                        day.isoformat(),
                        actor=ctx.worker,
                        after={
                            "new": counts.new,
                            "changed": counts.changed,
                            "parse_errors": counts.parse_errors,
                            "new_ids": counts.new_ids[:50],
                        },
                    )
            result.fetched += counts.fetched
            result.new += counts.new
            result.changed += counts.changed
            result.errors += counts.parse_errors
        report("Reading PayTrace settlements and customer profiles", days, days)
        with ctx.store.read() as session:
            batches_from = settlements.batch_window_start(session, start)
        batches = ctx.paytrace.export_batches(batches_from, end)
        profiles = ctx.paytrace.export_customers()
    except PayTraceAuthError as exc:
        raise SyncFatalError(f"PayTrace refused the sign-in: {exc}") from None
    except PayTraceError as exc:
        raise SyncFatalError(f"PayTrace could not be read after several tries: {exc}") from None
    with ctx.store.write() as session:
        settlements.store_batches(session, batches.items, ctx.clock())
        settlements.store_profiles(session, profiles.items, ctx.clock(), ctx.profile)
    result.errors += len(batches.errors) + len(profiles.errors)


def _cursor_date(session) -> date:  # type: ignore[no-untyped-def]
    cursor = get_cursor(session, TRANSACTIONS_CURSOR)
    return cursor.cursor_date if cursor and cursor.cursor_date else date.min


def _post(
    ctx: SyncContext, result: CycleResult, report: ProgressCallback, cancel: CancelToken
) -> bool:
    """Post what is due; False when posting paused because Sage Pro did not answer at all.
    A 503 is an answer: a bridge that does not take journal entries yet pauses posting at
    the first one, and its staged receipts must still be followed to Entered."""
    report("Posting to Sage Pro", 0, 1)
    poster = OutboxPoster(
        ctx.store, ctx.sagepro, worker=ctx.worker, clock=ctx.clock, **ctx.poster_options
    )
    try:
        counts = poster.post_due(
            cancel=cancel, progress=lambda n: report("Posting to Sage Pro", n, 0)
        )
    except LeaseError as exc:  # rows it had claimed wait for the next poster (claimants)
        result.errors += 1
        result.notes.append(f"Posting stopped: {exc}")
        return True
    result.posted += counts.posted
    result.dead_letter += counts.dead_letter
    if counts.paused:
        result.errors += 1
        result.notes.append(f"Posting paused: Sage Pro cannot be reached ({counts.pause_reason}).")
    return not counts.unreachable


def _follow_staged(ctx: SyncContext, result: CycleResult, report: ProgressCallback) -> None:
    """Staged postings (a bridge over a real Sage Pro) that were entered leave the worklist;
    those waiting longer than the setting raise an alert."""
    report("Checking the Sage Pro worklist", 0, 1)
    now = ctx.clock()
    checked = posting_states.refresh_staged(ctx.store, ctx.sagepro, now=now)
    if checked.error:
        result.notes.append(f"Sage Pro worklist not checked: {checked.error}")
    if checked.entered:
        result.notes.append(f"{counted(checked.entered, 'staged item')} entered in Sage Pro.")
    raised = posting_states.raise_overdue_alerts(
        ctx.store, now=now, after_days=ctx.profile.sagepro.worklist_alert_days
    )
    if raised:
        result.notes.append(f"{counted(raised, 'staged item')} still not entered in Sage Pro.")


def _count_review(session) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from app.store.models import Proposal

    return int(
        session.execute(
            select(func.count()).where(Proposal.status.in_(("review", "proposed")))
        ).scalar_one()
    )
