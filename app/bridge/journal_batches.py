"""Journal entries written into Sage Pro as *unposted* GL batches (GLBTCH, GLHUNP, GLDUNP),
the way a shipping product (Aria 4XP's SBT link) did; the bookkeeper posts them in Sage Pro.

One entry is one batch holding one GL transaction: its lines in GLDUNP, its header in
GLHUNP, and the batch row in GLBTCH written **last**, so a batch is complete exactly when
its GLBTCH row exists. Batch and sequence numbers come from SYSDATA's counters
(``counters``); the period from SYCDFIS (a locked, permanently locked or deleted period
refuses with ``period_closed``; a date outside the calendar is ``validation_failed``, as
the contract says); every account must exist in GLACNT and be active (never a suspense
posting); debits equal credits.

Exactly once: the app's key becomes a token (``staging.token_for``, width = the narrower of
BREF and GLREFR, read from the headers) written into GLBTCH.BREF and GLHUNP.GLREFR. Every
post and every retry looks the token up first; the write itself checks it again before
each table. A durable intent log (``intent_log``) marks the attempt; after a crash between
tables the next attempt cleans the orphan rows through the engine and writes again. A
token missing after the log says written (Sage Pro restored from a backup) raises an alert
and is never posted again silently.

What goes in which table and field, and the record read back: ``journal_rows``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from app.bridge.company import Record, SageProCompany
from app.bridge.counters import take_batch_number, take_sequence_number
from app.bridge.dbf_table import Row, TableHeader, read_table
from app.bridge.engine.protocol import Engine, EngineError, RecordInUseError, with_lock_retries
from app.bridge.intent_log import WRITING, WRITTEN, JournalIntentLog
from app.bridge.journal_rows import (
    GL_TABLES,
    REQUIRED_FIELDS,
    ZERO,
    JournalPlan,
    batch_row,
    by_batch,
    header_row,
    journal_record,
    line_rows,
)
from app.bridge.tokens import TokenWidthError, token_for
from app.sandbox.sagepro.errors import ApiError
from app.sandbox.sagepro.fields import Body, money_text, refuse_card_data
from app.sandbox.sagepro.store import fold

log = logging.getLogger(__name__)


class JournalWriteError(EngineError):
    """The write stopped part-way for a reason the engine reported; the next attempt
    recovers (the intent stays ``writing``)."""


class _TokenAppeared(Exception):  # noqa: N818 - control flow inside one write
    """Someone else completed this token's batch while we were writing."""


class JournalBatches:
    def __init__(
        self,
        company: SageProCompany,
        open_engine: Callable[[], Engine],
        log: JournalIntentLog,
        *,
        user: str = "PTSG",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.company = company
        self.open_engine = open_engine
        self.log = log
        self.user = user
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()  # one GL write at a time from this bridge

    # --- reads -------------------------------------------------------------------------

    def entries(self) -> list[Record]:
        """Every GL batch of the company as a contract journal entry (reader, no engine)."""
        batches = self._read("GLBTCH")
        headers = by_batch(self._read("GLHUNP"))
        lines = by_batch(self._read("GLDUNP"))
        return [
            self._record(
                row, headers.get(row.text("BATCHNO"), []), lines.get(row.text("BATCHNO"), [])
            )
            for row in batches
        ]

    def find(self, reference: str) -> Record | None:
        """The complete batch carrying ``reference``'s token, looked up through the engine."""
        with _engine_errors_answered():
            engine = self.open_engine()
            try:
                return self._complete(engine, self._token(reference), reference)
            finally:
                engine.close()

    def alerts(self) -> list[tuple[str, str, str]]:
        return [(i.reference, i.token, i.alert) for i in self.log.alerts()]

    # --- the write ---------------------------------------------------------------------

    def post(self, data: Any) -> Record:
        """Write one unposted batch and answer it, or raise the contract's ``ApiError``."""
        with self._lock, _engine_errors_answered():
            reference = data.get("Reference") if isinstance(data, dict) else None
            if isinstance(reference, str) and reference.strip():
                existing = self._resolve(reference)  # before every other rule (contract)
                if existing is not None:
                    raise ApiError(
                        "duplicate_reference",
                        f"a journal entry with Reference {reference} already exists",
                        {"Reference": "already used"},
                        existing=existing,
                    )
            plan = self._check(data)
            self.log.begin(plan.reference, plan.token, plan.payload_hash)
            engine = self.open_engine()
            try:
                batch = self._write(engine, plan)
                self.log.written(plan.reference, batch)
                found = self._complete(engine, plan.token, plan.reference)
            except _TokenAppeared:
                found = self._complete(engine, plan.token, plan.reference)
                self.log.written(plan.reference, found["JournalID"] if found else "")
            finally:
                engine.close()
            assert found is not None  # the batch row was just written (or found)
            return found

    def recover(self) -> list[str]:
        """At start: settle every intent a crash left ``writing`` (done, or orphans
        cleaned so the app's retry writes it again). Returns the references settled."""
        settled = []
        with self._lock:
            for intent in self.log.unfinished():
                try:
                    with _engine_errors_answered():
                        self._resolve(intent.reference)
                except ApiError as exc:  # stays ``writing``: the app's retry settles it
                    log.warning("journal %s not settled at start: %s", intent.reference, exc)
                    continue
                settled.append(intent.reference)
        return settled

    def _resolve(self, reference: str) -> Record | None:
        """The existing entry for ``reference``, after settling what the log says."""
        token = self._token(reference)
        intent = self.log.get(reference)
        engine = self.open_engine()
        try:
            found = self._complete(engine, token, reference)
            if found is not None:
                if intent is not None and intent.state == WRITING:
                    self.log.written(reference, found["JournalID"])
                return found
            if intent is None:
                return None
            if intent.state == WRITTEN:
                why = (
                    f"the bridge wrote {reference} as GL batch {intent.batch_number} (token "
                    f"{token}), but Sage Pro no longer has it; was the company restored from "
                    "a backup? It is not posted again automatically: check Sage Pro's GL"
                )
                self.log.raise_alert(reference, why)
                raise ApiError("validation_failed", why, {"Reference": "missing from Sage Pro"})
            self._clean_orphans(engine, token, intent.batch_number)
            return None
        finally:
            engine.close()

    def _write(self, engine: Engine, plan: JournalPlan) -> str:
        intent = self.log.get(plan.reference)
        assert intent is not None  # begun just before
        for table in GL_TABLES:
            engine.open_shared(table)
        batch, sequence = intent.batch_number, intent.sequence_number
        if not batch or not sequence:  # a first attempt, or a crash before they were noted
            batch = take_batch_number(
                engine, self.company.company, lambda n: bool(engine.seek("GLBTCH", "BATCHNO", n))
            )
            sequence = take_sequence_number(engine, self.company.company)
            self.log.numbers_taken(plan.reference, batch, sequence)
        for table in GL_TABLES:
            with_lock_retries(partial(engine.lock_file, table))
        today = self._clock().date()
        try:
            for row in line_rows(plan, batch, sequence):
                self._guard(engine, plan)
                engine.append("GLDUNP", self._fit("GLDUNP", row))
            self._guard(engine, plan)
            header = header_row(plan, batch, sequence, self.company.company)
            engine.append("GLHUNP", self._fit("GLHUNP", header))
            self._guard(engine, plan)
            last = batch_row(plan, batch, sequence, self.user, today)
            engine.append("GLBTCH", self._fit("GLBTCH", last))  # from here the batch is complete
        except _TokenAppeared:
            self._clean_orphans(engine, plan.token, batch)
            raise
        finally:
            for table in GL_TABLES:
                engine.unlock(table)
        return batch

    def _guard(self, engine: Engine, plan: JournalPlan) -> None:
        if engine.seek("GLBTCH", "BREF", plan.token):
            raise _TokenAppeared(plan.token)

    def _clean_orphans(self, engine: Engine, token: str, batch_number: str) -> None:
        """Delete the lines and header a crash left without their batch row. Only numbers
        this bridge took (from the log) or rows carrying this token are touched."""
        batches = {batch_number} if batch_number else set()
        batches |= {row.text("BATCHNO") for row in engine.seek("GLHUNP", "GLREFR", token)}
        for number in sorted(b for b in batches if b):
            if engine.seek("GLBTCH", "BATCHNO", number):
                continue  # a complete batch (someone else's number): never touched
            engine.delete("GLDUNP", {"BATCHNO": number})
            engine.delete("GLHUNP", {"BATCHNO": number})

    def _complete(self, engine: Engine, token: str, reference: str) -> Record | None:
        rows = engine.seek("GLBTCH", "BREF", token)
        if not rows:
            return None
        batch = rows[0]
        number = batch.text("BATCHNO")
        headers = [r for r in engine.seek("GLHUNP", "GLREFR", token) if r.text("BATCHNO") == number]
        lines = engine.seek("GLDUNP", "BATCHNO", number)
        return self._record(batch, headers, lines, reference)

    # --- checks ------------------------------------------------------------------------

    def _check(self, data: Any) -> JournalPlan:
        refuse_card_data(data)
        body = Body(data)
        reference = body.text("Reference", required=True, max_len=40)
        entry_date = body.day("EntryDate", required=True)
        # the description goes into both BDESC and GLHUNP.GLTDES: it must fit the narrower
        description_width = min(
            self._width("GLBTCH", "BDESC", 200), self._width("GLHUNP", "GLTDES", 200)
        )
        description = body.text("Description", max_len=description_width)
        memo_width = self._width("GLDUNP", "GLTDES", 200)
        accounts = {fold(a["GLAccountID"]): a for a in self.company.gl_accounts()}
        lines: list[tuple[str, Decimal, Decimal, str]] = []
        for line in body.children("Lines", required=True):
            account = line.text("GLAccountID", required=True)
            debit = line.money("Debit")
            credit = line.money("Credit")
            memo = line.text("Memo", max_len=memo_width)
            if (debit > ZERO) == (credit > ZERO):
                line.fail("Debit", "exactly one of Debit and Credit must be above zero")
            known = accounts.get(fold(account))
            if account and (known is None or not known["Active"]):
                line.fail("GLAccountID", f"GL account {account} does not exist or is inactive")
            lines.append((known["GLAccountID"] if known else account, debit, credit, memo))
        if "Lines" not in body.errors and len(lines) < 2:
            body.fail("Lines", "a journal entry needs at least two lines")
        debits = sum((d for _, d, _, _ in lines), ZERO)
        credits = sum((c for _, _, c, _ in lines), ZERO)
        if debits != credits:
            body.fail(
                "Lines", f"debits {money_text(debits)} do not equal credits {money_text(credits)}"
            )
        body.check()
        assert entry_date is not None  # required above
        payload = json.dumps(
            [
                reference,
                entry_date.isoformat(),
                description,
                [(a, str(d), str(c), m) for a, d, c, m in lines],
            ]
        )
        return JournalPlan(
            reference,
            self._token(reference),
            entry_date,
            self._year_period(entry_date),
            description,
            lines,
            hashlib.sha256(payload.encode("utf-8")).hexdigest(),
        )

    def _year_period(self, day: date) -> str:
        periods = self.company.periods()  # live SYCDFIS rows of this company
        for period in periods:
            if period["Start"] <= day.isoformat() <= period["End"]:
                if period["Locked"]:
                    raise ApiError(
                        "period_closed",
                        f"{day.isoformat()} falls in locked period "
                        f"{period['Year']}-{period['Period']:02d}",
                        {"EntryDate": "period locked"},
                    )
                return f"{period['Year']:04d}{period['Period']:02d}"
        if periods and periods[0]["Start"] <= day.isoformat() <= periods[-1]["End"]:
            raise ApiError(  # a hole inside the calendar: the period row is deleted
                "period_closed",
                f"{day.isoformat()} has no open fiscal period in Sage Pro (deleted period)",
                {"EntryDate": "no open period"},
            )
        raise ApiError(
            "validation_failed",
            f"EntryDate: {day.isoformat()} is in no fiscal period of this company",
            {"EntryDate": "in no fiscal period"},
        )

    # --- Sage Pro's tables ---------------------------------------------------------------

    def _headers(self) -> dict[str, TableHeader]:
        headers = self.company.headers()
        for table, fields in REQUIRED_FIELDS.items():
            header = headers.get(table)
            if header is None:
                raise ApiError(
                    "unavailable",
                    f"this company has no {table} table, so journal entries cannot be "
                    "written as GL batches; enter them in Sage Pro",
                )
            missing = [f for f in fields if header.field(f) is None]
            if missing:
                raise ApiError(
                    "unavailable",
                    f"{table} has no field(s) {', '.join(missing)}; run `paysage bridge "
                    "survey` and check this Sage Pro release's GL tables",
                )
        return headers

    def _width(self, table: str, field: str, default: int) -> int:
        spec = self._headers()[table].field(field)
        return spec.width if spec is not None else default

    def _token(self, reference: str) -> str:
        width = min(self._width("GLBTCH", "BREF", 0), self._width("GLHUNP", "GLREFR", 0))
        try:
            return token_for(reference, width)
        except TokenWidthError as exc:
            raise ApiError("unavailable", f"journal entries cannot be written: {exc}") from None

    def _fit(self, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Only the fields this site's table has (the optional ones vary by release)."""
        header = self._headers()[table]
        return {name: value for name, value in values.items() if header.field(name) is not None}

    def _read(self, table: str) -> list[Row]:
        path = self.company.folder.table(table)
        if path is None:
            return []
        return read_table(path, self.company.cache.code_page).rows

    def _record(
        self, batch: Row, headers: list[Row], lines: list[Row], reference: str = ""
    ) -> Record:
        intent = self.log.get(reference) if reference else self.log.by_token(batch.text("BREF"))
        known = intent.reference if intent is not None else (reference or batch.text("BREF"))
        return journal_record(batch, headers, lines, known)


@contextmanager
def _engine_errors_answered() -> Iterator[None]:
    """Engine trouble as the contract's ``unavailable``: the app keeps the entry queued and
    retries; the intent log and the token make the retry safe."""
    try:
        yield
    except RecordInUseError as exc:
        raise ApiError(
            "unavailable",
            f"Sage Pro's GL tables are in use; the entry is not complete yet ({exc})",
            headers={"Retry-After": "5"},
        ) from None
    except EngineError as exc:  # CounterError, EngineUnavailableError, provider errors
        raise ApiError("unavailable", f"the GL batch could not be written now: {exc}") from None
