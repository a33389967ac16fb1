"""One Sage Pro company's tables as contract v1.1 records (read side).

Each request reads the tables it needs, opening and closing each file; a table whose size,
modification time and header (update date, record count) are unchanged since the last read
is served from the cache instead (the cheap change check). ``modified_since`` has no source
in SBT7 tables (no modified timestamp): the bridge keeps a hash per record and stamps a
record with the header's update date when first seen and with the moment it noticed a
change after that.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from app.bridge import layout as layouts
from app.bridge.dbf_table import BadValue, Row, TableHeader, TableRead, read_header, read_table
from app.bridge.discovery import CompanyFolder
from app.domain.money import format_money

Record = dict[str, Any]
_T = TypeVar("_T")
Tables = list[tuple[str, TableRead]]  # (base name, rows) in the layout's look-up order
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Unreadable:
    """A record left out of a list because a value it cannot be served without is bad."""

    table: str
    record: int
    why: str


Listed = tuple[list[Record], list[Unreadable]]  # records served, records left out


def _same_reads(held: Tables, now: Tables) -> bool:
    return len(held) == len(now) and all(a is b for (_, a), (_, b) in zip(held, now, strict=True))


@dataclass(frozen=True)
class _Signature:
    size: int
    mtime_ns: int
    last_update: date | None
    record_count: int


class TableCache:
    """Decoded tables by file, re-read only when the file has changed."""

    def __init__(self, code_page: str) -> None:
        self.code_page = code_page
        self._tables: dict[Path, tuple[_Signature, TableRead]] = {}
        self._lock = threading.Lock()
        self.reads = 0  # full reads done, for tests and the health answer

    def read(self, path: Path) -> TableRead:
        header = read_header(path, self.code_page)
        stat = path.stat()
        signature = _Signature(
            stat.st_size, stat.st_mtime_ns, header.last_update, header.record_count
        )
        with self._lock:
            cached = self._tables.get(path)
            if cached is not None and cached[0] == signature:
                return cached[1]
        table = read_table(path, self.code_page)
        with self._lock:
            self._tables[path] = (signature, table)
            self.reads += 1
        return table


class ChangeStamps:
    """When each record last changed, as far as the bridge can tell."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._seen: dict[tuple[str, str], tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def stamp(self, kind: str, key: str, record: Record, header: TableHeader) -> datetime:
        digest = hashlib.sha256(repr(sorted(record.items())).encode("utf-8")).hexdigest()
        with self._lock:
            seen = self._seen.get((kind, key))
            if seen is not None and seen[0] == digest:
                return seen[1]
            if seen is None:  # first sight: the table's own last update is the best we know
                day = header.last_update or self._clock().date()
                moment = datetime.combine(day, time(), tzinfo=UTC)
            else:
                moment = self._clock()
            self._seen[(kind, key)] = (digest, moment)
            return moment


class SageProCompany:
    """Contract records read from one company's folder through a layout."""

    def __init__(
        self,
        folder: CompanyFolder,
        layout: layouts.Layout,
        code_page: str = "cp1252",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.folder = folder
        self.layout = layout
        self.cache = TableCache(code_page)
        self.stamps = ChangeStamps(clock or (lambda: datetime.now(UTC)))
        self._memo: dict[str, tuple[Tables, Any]] = {}
        self._memo_lock = threading.Lock()

    @property
    def company(self) -> str:
        return self.folder.company

    def headers(self) -> dict[str, TableHeader]:
        return {
            base: read_header(path, self.cache.code_page)
            for base, path in self.folder.tables.items()
        }

    # --- reading helpers ---------------------------------------------------------------

    def _tables(self, record: str) -> Tables:
        names = self.layout["records"].get(record, {}).get("tables", [])
        found = []
        for base in names:
            path = self.folder.table(base)
            if path is not None:
                found.append((base, self.cache.read(path)))
        return found

    def _built(self, record: str, build: Callable[[Tables], _T]) -> _T:
        """``build`` over the record's tables, memoized while the cache hands back the very
        same table reads (nothing changed): a look-up by reference then costs a scan of
        ready records instead of decoding and hashing every row again."""
        tables = self._tables(record)
        with self._memo_lock:
            held = self._memo.get(record)
        if held is not None and _same_reads(held[0], tables):
            return held[1]
        result = build(tables)
        with self._memo_lock:
            self._memo[record] = (tables, result)
        return result

    def _field(self, record: str, contract: str) -> str:
        return layouts.field_name(self.layout, record, contract) or ""

    def _bad(self, table: TableRead, row: Row, fields: Iterable[str]) -> BadValue | None:
        wanted = {name.upper() for name in fields if name}
        return next((b for b in table.bad_in(row.record) if b.field in wanted), None)

    # --- customers ---------------------------------------------------------------------

    def customers(self) -> Listed:
        return self._built("customers", self._customers)

    def _customers(self, tables: Tables) -> Listed:
        f = lambda name: self._field("customers", name)  # noqa: E731 - a local shorthand
        records: list[Record] = []
        unreadable: list[Unreadable] = []
        for base, table in tables:
            for row in table.rows:
                bad = self._bad(table, row, [f("Balance")])
                if bad is not None:
                    unreadable.append(Unreadable(base, row.record, f"{bad.field}: {bad.problem}"))
                    continue
                customer: Record = {
                    "CustomerID": row.text(f("CustomerID")),
                    "Name": row.text(f("Name")),
                    "Email": row.text(f("Email")),
                    "Phone": row.text(f("Phone")),
                    "BillingAddress": {
                        "Street": row.text(f("Street")),
                        "City": row.text(f("City")),
                        "State": row.text(f("State")),
                        "Zip": row.text(f("Zip")),
                        "Country": row.text(f("Country")),
                    },
                    "Terms": row.text(f("Terms")),
                    "CreditHold": row.text(f("CreditHold")).upper() == "H",
                    "Status": "Inactive" if row.text(f("Status")).upper() == "I" else "Active",
                    "Balance": format_money(row.money(f("Balance"))),
                    # No Sage Pro field holds these; the bridge keeps none yet (part 2).
                    "PayTraceCustomerID": "",
                    "CardLast4": "",
                    "CardExpiry": "",
                }
                records.append(
                    self._stamped("customers", customer["CustomerID"], customer, table.header)
                )
        return records, unreadable

    # --- invoices ----------------------------------------------------------------------

    def invoices(self) -> Listed:
        return self._built("invoices", self._invoices)

    def _invoices(self, tables: Tables) -> Listed:
        f = lambda name: self._field("invoices", name)  # noqa: E731 - a local shorthand
        needed = [f(name) for name in ("InvoiceDate", "Amount", "AmountPaid", "Balance")]
        records: list[Record] = []
        unreadable: list[Unreadable] = []
        for base, table in tables:
            for row in table.rows:
                bad = self._bad(table, row, needed)
                invoice_date = row.day(f("InvoiceDate"))
                if bad is not None or invoice_date is None:
                    why = f"{bad.field}: {bad.problem}" if bad else "no invoice date"
                    unreadable.append(Unreadable(base, row.record, why))
                    continue
                records.append(self._invoice(row, invoice_date, table.header))
        return records, unreadable

    def _invoice(self, row: Row, invoice_date: date, header: TableHeader) -> Record:
        f = lambda name: self._field("invoices", name)  # noqa: E731 - a local shorthand
        amount, paid, balance = (row.money(f(n)) for n in ("Amount", "AmountPaid", "Balance"))
        void = row.text(f("VoidFlag")).upper() == "V"
        status = "Void" if void else ("Open" if balance > ZERO else "Paid")
        if status == "Paid":
            payment_status = "Paid"
        elif paid > ZERO and not void:
            payment_status = "Partial"
        else:
            payment_status = "Unpaid"
        net_days = row.values.get(f("NetDays").upper()) if f("NetDays") else None
        due = invoice_date + timedelta(days=int(net_days)) if net_days else None
        invoice: Record = {
            "InvoiceID": row.text(f("InvoiceID")),
            "CustomerID": row.text(f("CustomerID")),
            "OrderNumber": row.text(f("OrderNumber")),
            "PONumber": row.text(f("PONumber")),
            "InvoiceDate": invoice_date.isoformat(),
            "DueDate": due.isoformat() if due else None,
            "Amount": format_money(amount),
            "AmountPaid": format_money(paid),
            "Balance": format_money(balance),
            "Status": status,
            "PaymentStatus": payment_status,
            "Currency": "USD",
            "_Reference": row.text(f("Reference")),  # hidden: links staged credit memos
        }
        return self._stamped("invoices", invoice["InvoiceID"], invoice, header)

    # --- payments (Sage Pro cash receipts: one row per invoice paid) -------------------

    def payments(self) -> Listed:
        return self._built("payments", self._payments)

    def _payments(self, tables: Tables) -> Listed:
        f = lambda name: self._field("payments", name)  # noqa: E731 - a local shorthand
        groups: dict[tuple[str, str], tuple[str, list[Row]]] = {}  # key → (table, rows)
        unreadable: list[Unreadable] = []
        for base, table in tables:  # ARCASH first, then ARYCSH (history)
            for row in table.rows:
                bad = self._bad(table, row, [f("Amount"), f("PaymentDate")])
                if bad is not None:
                    unreadable.append(Unreadable(base, row.record, f"{bad.field}: {bad.problem}"))
                    continue
                reference = row.text(f("PaymentReference")).upper()
                # A check number is unique per customer only; no reference: a receipt alone.
                key = (row.text(f("CustomerID")).upper(), reference or f"{base}#{row.record}")
                held = groups.get(key)
                if held is None:
                    groups[key] = (base, [row])
                elif held[0] == base:
                    held[1].append(row)
                # else: the same receipt in ARYCSH after a close; ARCASH's copy is served
        return [self._payment(base, rows) for base, rows in groups.values()], unreadable

    def _payment(self, base: str, rows: list[Row]) -> Record:
        f = lambda name: self._field("payments", name)  # noqa: E731 - a local shorthand
        first = rows[0]
        reference = first.text(f("PaymentReference"))
        customer = first.text(f("CustomerID"))
        applications = [
            {"InvoiceID": row.text(f("InvoiceID")), "Amount": format_money(row.money(f("Amount")))}
            for row in rows
            if row.text(f("InvoiceID"))
        ]
        total = sum((row.money(f("Amount")) for row in rows), ZERO)
        day = first.day(f("PaymentDate"))
        return {
            "PaymentID": f"{customer}-{reference}" if reference else f"{base}-{first.record}",
            "PaymentReference": reference,
            "PaymentDate": day.isoformat() if day else None,
            "Amount": format_money(total),
            "CustomerID": customer,
            "InvoiceID": applications[0]["InvoiceID"] if len(applications) == 1 else None,
            "Applications": applications,
            "GLAccountID": first.text(f("GLAccountID")),
            "PaymentMethodCode": "",  # Sage Pro's receipt rows do not say card or ACH
            "PaymentStatus": "Paid",
            "Memo": "",
            "PostingState": "Entered",
        }

    # --- GL accounts and periods -------------------------------------------------------

    def gl_accounts(self) -> list[Record]:
        return self._built("glaccounts", self._gl_accounts)

    def _gl_accounts(self, tables: Tables) -> list[Record]:
        f = lambda name: self._field("glaccounts", name)  # noqa: E731 - a local shorthand
        return [
            {
                "GLAccountID": row.text(f("GLAccountID")),
                "Description": row.text(f("Description")),
                "Type": "",  # GLTYPE's codes are not verified; the contract field stays empty
                "Active": row.text(f("InactiveFlag")).upper() != "I",
            }
            for _, table in tables
            for row in table.rows
        ]

    def periods(self) -> list[Record]:
        return self._built("periods", self._periods)

    def _periods(self, tables: Tables) -> list[Record]:
        f = lambda name: self._field("periods", name)  # noqa: E731 - a local shorthand
        found: list[Record] = []
        for _, table in tables:
            for row in table.rows:
                year_period = row.text(f("YearPeriod"))
                start, end = row.day(f("Start")), row.day(f("End"))
                if row.text(f("Company")) != self.company or start is None or end is None:
                    continue
                if len(year_period) != 6 or not year_period.isdigit():
                    continue
                found.append(
                    {
                        "Year": int(year_period[:4]),
                        "Period": int(year_period[4:]),
                        "Start": start.isoformat(),
                        "End": end.isoformat(),
                        # PCLOSED only warns in Sage Pro (ARIA2); the locks refuse.
                        "Locked": row.flag(f("PermanentLock")) or row.flag(f("Locked")),
                    }
                )
        return sorted(found, key=lambda p: (p["Year"], p["Period"]))

    def _stamped(self, kind: str, key: str, record: Record, header: TableHeader) -> Record:
        moment = self.stamps.stamp(kind, key, record, header)
        return {**record, "_modified": moment.isoformat()}  # hidden from answers ("_")
