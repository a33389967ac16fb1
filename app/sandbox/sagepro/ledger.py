"""The general ledger side: ``/api/glaccounts``, ``/api/periods`` and ``/api/journalentries``.

A journal entry is written *unposted* (Sage Pro's own posting finishes it): at least two
lines, each with exactly one of Debit/Credit above zero, debits equal to credits, every
account existing and active, and the entry date in an open period.
"""

from __future__ import annotations

from decimal import Decimal

from app.sandbox.http_base import SandboxResponse
from app.sandbox.sagepro.books import ENTERED, GL_ACCOUNTS, JOURNAL_ENTRIES, PERIODS, Books, public
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.errors import not_found
from app.sandbox.sagepro.fields import Body, money_text, refuse_card_data
from app.sandbox.sagepro.listing import date_range, key_filters, list_response
from app.sandbox.sagepro.store import Doc

ZERO = Decimal("0.00")


def list_gl_accounts(books: Books, call: Call) -> SandboxResponse:
    filters = key_filters(call.query, {"GLAccountID": "GLAccountID", "Type": "Type"})
    return list_response(books.store.all(GL_ACCOUNTS), call.query, filters)


def get_gl_account(books: Books, call: Call) -> SandboxResponse:
    doc = books.store.get(GL_ACCOUNTS, call.key)
    if doc is None:
        raise not_found("GL account", call.key)
    return SandboxResponse(200, public(doc))


def list_periods(books: Books, call: Call) -> SandboxResponse:
    periods = sorted(books.store.all(PERIODS), key=lambda p: (p["Year"], p["Period"]))
    year = call.query.get("Year")
    filters = [lambda p: str(p["Year"]) == year] if year else []
    return list_response(periods, call.query, filters)


def list_journal_entries(books: Books, call: Call) -> SandboxResponse:
    filters = key_filters(call.query, {"Reference": "Reference"})
    filters += date_range(call.query, "EntryDate")
    reference = call.query.get("Reference")
    if reference:
        found = books.store.find_by_ref(JOURNAL_ENTRIES, reference)
        return list_response([found] if found else [], call.query, filters)
    return list_response(books.store.all(JOURNAL_ENTRIES), call.query, filters)


def get_journal_entry(books: Books, call: Call) -> SandboxResponse:
    doc = books.store.get(JOURNAL_ENTRIES, call.key)
    if doc is None:
        raise not_found("Journal entry", call.key)
    return SandboxResponse(200, public(doc))


def create_journal_entry(books: Books, call: Call) -> SandboxResponse:
    books.refuse_duplicate(JOURNAL_ENTRIES, "Reference", call.body_text("Reference"))
    refuse_card_data(call.body)
    body = Body(call.body)
    reference = body.text("Reference", required=True, max_len=40)
    entry_date = body.day("EntryDate", required=True)
    description = body.text("Description", max_len=200)
    lines: list[Doc] = []
    for line in body.children("Lines", required=True):
        account = line.text("GLAccountID", required=True)
        debit = line.money("Debit")
        credit = line.money("Credit")
        if (debit > ZERO) == (credit > ZERO):
            line.fail("Debit", "exactly one of Debit and Credit must be above zero")
        books.check_gl_account(account, line.name("GLAccountID"), body.errors)
        lines.append(
            {
                "GLAccountID": account,
                "Debit": money_text(debit),
                "Credit": money_text(credit),
                "Memo": line.text("Memo", max_len=200),
            }
        )
    if "Lines" not in body.errors and len(lines) < 2:
        body.fail("Lines", "a journal entry needs at least two lines")
    debits = sum((Decimal(line["Debit"]) for line in lines), ZERO)
    credits = sum((Decimal(line["Credit"]) for line in lines), ZERO)
    if debits != credits:
        body.fail(
            "Lines",
            f"debits {money_text(debits)} do not equal credits {money_text(credits)}",
        )
    body.check()
    assert entry_date is not None  # required above
    books.check_period(entry_date, "EntryDate")
    with books.store.transaction():
        journal_id = books.next_id(JOURNAL_ENTRIES, "JE")
        doc: Doc = {
            "JournalID": journal_id,
            "Reference": reference,
            "EntryDate": entry_date.isoformat(),
            "Description": description,
            "Lines": lines,
            "Status": "Unposted",
            "PostingState": ENTERED,
        }
        books.save(JOURNAL_ENTRIES, journal_id, doc, reference)
    return SandboxResponse(201, public(doc))
