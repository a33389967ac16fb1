"""The mapping governs every record Paysage posts (issue 20), over both stand-ins on real
sockets: for each record kind a test posts once, changes the active mapping version, posts
again, and finds the change in what the Sage Pro stand-in holds — only in the postings
made after the change, each outbox row naming the version that built it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.connectors.paytrace.errors import PayTraceDeclinedError
from app.connectors.paytrace.payloads import BillingAddress, KeyedCard, PaymentDetails
from app.mapping import MappingDocument, TransformStep, save_version
from app.mapping.document import GLCondition, GLRule
from app.mapping.versions import active_version
from app.store.models import ExceptionItem, OutboxItem, Proposal
from app.sync.chargebacks.cases import confirm_chargeback, resolve_chargeback
from app.sync.chargebacks.report_import import import_chargeback_file
from app.sync.cycle import CycleResult, SyncContext, run_cycle
from app.sync.outbox.mapping_bridge import active_record_mapper
from app.sync.review import actions as review
from tests.support.outbound_fixtures import pin_standin_clock
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv, running_sync_env

CARD = KeyedCard("4012000098765439", 12, 2030)
CHARGEBACK_HEADER = (
    "Case Number,Transaction ID,Card Type,Last 4,Amount,Reason Code,Reason,Received Date,"
    "Due Date,Status,Chargeback Fee"
)


class Books:
    """An empty PayTrace, the demo Sage Pro company, and the sync between them."""

    def __init__(self, env: SyncEnv) -> None:
        self.env = env
        self.ctx: SyncContext = env.context()
        with env.store.write() as session:  # version 1: the template with Settings' accounts
            self.first_version = active_record_mapper(session, env.profile).version_id

    def sync(self, *, auto_approve: bool = True) -> CycleResult:
        result = run_cycle(
            self.ctx, since=DEMO_TODAY - timedelta(days=1), auto_approve=auto_approve
        )
        assert result.errors == 0 and result.dead_letter == 0, result.notes
        return result

    def change_mapping(self, change: Callable[[MappingDocument], MappingDocument]) -> int:
        with self.env.store.write() as session:
            _, document = active_version(session)
            return save_version(session, change(document), "amy", "issue 20 test").id

    def open_invoices(self, count: int) -> list[dict]:  # type: ignore[type-arg]
        unpaid = [
            i
            for i in self.env.all_items("/api/invoices")
            if i["Status"] == "Open"
            and i["PaymentStatus"] == "Unpaid"
            and i["Balance"] == i["Amount"]
            and i["Balance"] not in ("0.29", "1.12")  # the stand-in's test declines
        ]
        return sorted(unpaid, key=lambda i: i["InvoiceID"])[:count]

    def pay(self, invoice: dict, name: str = "Card Holder") -> int:  # type: ignore[type-arg]
        sale = self.ctx.paytrace.sale_keyed(
            CARD,
            Decimal(invoice["Amount"]),
            PaymentDetails(invoice_id=invoice["InvoiceID"]),
            BillingAddress(name=name),
        )
        return sale.transaction_id

    def version_of(self, key: str) -> int | None:
        with self.env.store.read() as session:
            item = session.execute(select(OutboxItem).where(OutboxItem.key == key)).scalar_one()
            assert item.status == "posted", (key, item.status, item.last_error)
            return item.mapping_version_id

    def order_from_a_new_payer(self, name: str, email: str, order: str) -> tuple[int, str]:
        sale = self.ctx.paytrace.sale_keyed(
            CARD,
            Decimal("86.40"),
            PaymentDetails(invoice_id=order, email=email),
            BillingAddress(name=name, street_address="1 Elm St", city="Spokane", zip="99201"),
        )
        self.sync()
        with self.env.store.read() as session:
            proposal = session.execute(
                select(Proposal).where(Proposal.transaction_id == sale.transaction_id)
            ).scalar_one()
        assert (proposal.kind, proposal.status) == ("new_customer", "review")
        approved = review.approve_proposals(
            self.env.store, [proposal.id], user="ann", profile=self.env.profile
        )
        assert approved.approved == [proposal.id], approved.refused
        self.sync()
        return sale.transaction_id, proposal.customer_id

    def one(self, path: str, **filters: str) -> dict:  # type: ignore[type-arg]
        (item,) = self.env.sagepro_get(path, **filters)["items"]
        return item  # type: ignore[no-any-return]


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    with running_sync_env(tmp_path, seed_paytrace=False) as env:
        pin_standin_clock(env.paytrace.app)  # type: ignore[arg-type]
        yield Books(env)


def test_payment_gl_rule_and_memo_follow_the_new_version_only(books: Books):
    first, second = books.open_invoices(2)
    before = books.pay(first)
    books.sync()
    v2 = books.change_mapping(
        lambda d: replace(
            d.with_transforms(
                "Payment.Memo", (TransformStep("constant", {"value": "Card via Paysage"}),)
            ),
            gl_rules=replace(
                d.gl_rules,
                rules=(*d.gl_rules.rules, GLRule("Card sales to ACH clearing", "1060")),
            ),
        )
    )
    after = books.pay(second)
    books.sync()

    old = books.one("/api/payments", PaymentReference=f"PT-{before}-PAY")
    new = books.one("/api/payments", PaymentReference=f"PT-{after}-PAY")
    assert (old["GLAccountID"], old["Memo"]) == ("1050", "")
    assert (new["GLAccountID"], new["Memo"]) == ("1060", "Card via Paysage")
    # The locked fields stay Paysage's whatever the mapping says.
    assert (new["InvoiceID"], new["Amount"]) == (second["InvoiceID"], second["Amount"])
    assert new["PaymentStatus"] == "Paid"  # the status map's word for Approved
    assert books.version_of(f"PT-{before}-PAY") == books.first_version
    assert books.version_of(f"PT-{after}-PAY") == v2


def test_refund_credit_memo_and_journal_entry_follow_the_new_version_only(books: Books):
    first, second = books.open_invoices(2)
    sales = [books.pay(first), books.pay(second)]
    books.sync()
    books.ctx.paytrace.settle()
    early = books.ctx.paytrace.refund_transaction(sales[0]).transaction_id
    books.sync()
    v2 = books.change_mapping(
        lambda d: replace(
            d.with_transforms(
                "CreditMemo.Reason", (TransformStep("constant", {"value": "Returned to card"}),)
            )
            .with_transforms(
                "JournalEntry.Description",
                (TransformStep("constant", {"value": "Card money back"}),),
            )
            .with_transforms(
                "JournalEntry.LineMemo", (TransformStep("constant", {"value": "Refund line"}),)
            ),
            gl_rules=replace(
                d.gl_rules,
                rules=(GLRule("Refunds", "4000", GLCondition(transaction_types=("REFUND",))),),
            ),
        )
    )
    late = books.ctx.paytrace.refund_transaction(sales[1]).transaction_id
    books.sync()

    old_memo = books.one("/api/creditmemos", Reference=f"PT-{early}-REFUND")
    new_memo = books.one("/api/creditmemos", Reference=f"PT-{late}-REFUND")
    assert old_memo["Reason"] == f"PayTrace refund {early} of transaction {sales[0]}"
    assert (old_memo["GLAccountID"], new_memo["GLAccountID"]) == ("4900", "4000")
    assert new_memo["Reason"] == "Returned to card"
    assert (new_memo["Amount"], new_memo["InvoiceID"]) == (second["Amount"], second["InvoiceID"])

    old_je = books.one("/api/journalentries", Reference=f"PT-{early}-REFUND-JE")
    new_je = books.one("/api/journalentries", Reference=f"PT-{late}-REFUND-JE")
    assert old_je["Description"] == f"Card refund {early} (invoice {first['InvoiceID']})"
    assert new_je["Description"] == "Card money back"
    assert {line["Memo"] for line in new_je["Lines"]} == {"Refund line"}
    assert (old_je["Lines"][0]["GLAccountID"], old_je["Lines"][0]["Memo"]) == (
        "4900",
        old_je["Description"],
    )
    debit, credit = new_je["Lines"]
    assert (debit["GLAccountID"], debit["Debit"]) == ("4000", second["Amount"])
    assert credit["GLAccountID"] == "1050"  # the one clearing account stays Settings'
    for key in (f"PT-{early}-REFUND", f"PT-{early}-REFUND-JE"):
        assert books.version_of(key) == books.first_version
    for key in (f"PT-{late}-REFUND", f"PT-{late}-REFUND-JE"):
        assert books.version_of(key) == v2


def test_reversal_reason_follows_the_new_version_only(books: Books):
    first, second = books.open_invoices(2)
    sales = [books.pay(first), books.pay(second)]
    books.sync()
    with books.env.store.read() as session:
        proposals = dict(
            session.execute(
                select(Proposal.transaction_id, Proposal.id).where(Proposal.status == "posted")
            ).all()
        )
    review.unreconcile(books.env.store, proposals[sales[0]], user="amy", profile=books.env.profile)
    books.sync(auto_approve=False)
    v2 = books.change_mapping(
        lambda d: d.with_transforms(
            "PaymentReversal.Reason",
            (
                TransformStep("trim"),
                TransformStep(
                    "concatenate", {"parts": [{"text": "Taken back: "}, {"value": True}]}
                ),
            ),
        )
    )
    review.unreconcile(books.env.store, proposals[sales[1]], user="amy", profile=books.env.profile)
    books.sync(auto_approve=False)

    old = books.one("/api/paymentreversals", Reference=f"PT-{sales[0]}-REVERSAL")
    new = books.one("/api/paymentreversals", Reference=f"PT-{sales[1]}-REVERSAL")
    assert old["Reason"] == "Unreconciled in Paysage by amy"
    assert new["Reason"] == "Taken back: Unreconciled in Paysage by amy"
    assert books.version_of(f"PT-{sales[0]}-REVERSAL") == books.first_version
    assert books.version_of(f"PT-{sales[1]}-REVERSAL") == v2


def test_the_status_map_sets_the_payment_status_from_the_new_version_only(books: Books):
    first, second = books.open_invoices(2)
    before = books.pay(first)
    books.sync()
    # Not a recommended setting: it shows the status map reaching Sage Pro. A Failed
    # payment records the attempt and changes no balance.
    v2 = books.change_mapping(
        lambda d: replace(
            d,
            status_map=replace(d.status_map, values={**d.status_map.values, "Approved": "Failed"}),
        )
    )
    after = books.pay(second)
    books.sync()

    old = books.one("/api/payments", PaymentReference=f"PT-{before}-PAY")
    new = books.one("/api/payments", PaymentReference=f"PT-{after}-PAY")
    assert (old["PaymentStatus"], new["PaymentStatus"]) == ("Paid", "Failed")
    assert books.env.sagepro_get(f"/api/invoices/{first['InvoiceID']}")["Balance"] == "0.00"
    unpaid = books.env.sagepro_get(f"/api/invoices/{second['InvoiceID']}")
    assert unpaid["Balance"] == second["Amount"]
    assert books.version_of(f"PT-{before}-PAY") == books.first_version
    assert books.version_of(f"PT-{after}-PAY") == v2


def test_a_status_map_word_sage_pro_cannot_take_waits_in_review_with_the_reason(books: Books):
    (invoice,) = books.open_invoices(1)
    books.change_mapping(
        lambda d: replace(
            d,
            status_map=replace(d.status_map, values={**d.status_map.values, "Declined": "Unpaid"}),
        )
    )
    with pytest.raises(PayTraceDeclinedError) as declined:  # 1.12: a test decline
        books.ctx.paytrace.sale_keyed(
            CARD, Decimal("1.12"), PaymentDetails(invoice_id=invoice["InvoiceID"])
        )
    result = books.sync()
    assert (result.auto_approved, result.posted, result.review) == (0, 0, 1)
    with books.env.store.read() as session:
        proposal = session.execute(
            select(Proposal).where(Proposal.transaction_id == declined.value.transaction_id)
        ).scalar_one()
    assert proposal.status == "proposed"
    assert "Payment.PaymentStatus: 'Unpaid' is not one of Paid, Failed, Refunded" in proposal.reason
    assert books.env.sagepro_get(f"/api/invoices/{invoice['InvoiceID']}")["PaymentStatus"] == (
        "Unpaid"
    )


def test_new_customer_and_sales_order_follow_the_new_version_only(books: Books):
    early, old_id = books.order_from_a_new_payer("Dana Whitlock", "dana@example.com", "WEB20417")
    v2 = books.change_mapping(
        lambda d: d.with_transforms(
            "Customer.Name", (TransformStep("trim"), TransformStep("upper"))
        ).with_transforms(
            "SalesOrder.LineDescription", (TransformStep("constant", {"value": "Card payment"}),)
        )
    )
    late, new_id = books.order_from_a_new_payer("Eli Park", "eli@example.com", "WEB20418")

    old_customer = books.env.sagepro_get(f"/api/customers/{old_id}")
    new_customer = books.env.sagepro_get(f"/api/customers/{new_id}")
    assert old_customer["Name"] == "Dana Whitlock"
    assert new_customer["Name"] == "ELI PARK"
    # The mapping's address fields reach Sage Pro too (both versions map them).
    assert (new_customer["BillingAddress"]["City"], new_customer["Email"]) == (
        "Spokane",
        "eli@example.com",
    )
    old_order = books.env.sagepro_get("/api/orders/WEB20417")
    new_order = books.env.sagepro_get("/api/orders/WEB20418")
    assert old_order["Lines"][0]["Description"] == f"Paid by card ({early})"
    assert new_order["Lines"][0]["Description"] == "Card payment"
    assert (new_order["CustomerID"], new_order["PaymentStatus"]) == (new_id, "Paid")
    assert new_order["PaymentReference"] == f"PT-{late}-PAY"
    for key in (f"PT-{early}-CUST", "WEB20417", f"PT-{early}-PAY"):
        assert books.version_of(key) == books.first_version
    for key in (f"PT-{late}-CUST", "WEB20418", f"PT-{late}-PAY"):
        assert books.version_of(key) == v2


def test_settlement_journal_entry_wording_follows_the_new_version_only(books: Books):
    first, second = books.open_invoices(2)
    books.pay(first)
    books.sync()
    early = books.ctx.paytrace.settle()
    books.sync()
    v2 = books.change_mapping(
        lambda d: d.with_transforms(
            "SettlementEntry.Description",
            (TransformStep("concatenate", {"parts": [{"text": "Card batch #"}, {"value": True}]}),),
        ).with_transforms(
            "SettlementEntry.LineMemo", (TransformStep("constant", {"value": "PayTrace batch"}),)
        )
    )
    books.pay(second)
    books.sync()
    late = books.ctx.paytrace.settle()
    books.sync()

    old = books.one("/api/journalentries", Reference=f"PT-BATCH-{early}-JE")
    new = books.one("/api/journalentries", Reference=f"PT-BATCH-{late}-JE")
    assert old["Description"] == f"PayTrace settlement batch {early}"
    assert {line["Memo"] for line in old["Lines"]} == {old["Description"]}
    assert new["Description"] == f"Card batch #{late}"
    assert {line["Memo"] for line in new["Lines"]} == {"PayTrace batch"}
    assert books.version_of(f"PT-BATCH-{early}-JE") == books.first_version
    assert books.version_of(f"PT-BATCH-{late}-JE") == v2


def test_a_chargeback_reversal_reason_follows_the_new_version_only(books: Books, tmp_path: Path):
    first, second = books.open_invoices(2)
    sales = [books.pay(first), books.pay(second)]
    books.sync()

    def charge_back(case: str, transaction_id: int, invoice: dict) -> None:  # type: ignore[type-arg]
        report = tmp_path / f"{case}.csv"
        report.write_text(
            f"{CHARGEBACK_HEADER}\n{case},{transaction_id},Visa,5439,{invoice['Amount']},"
            "10.4,Fraud,3/10/2025,,Open,\n",
            encoding="utf-8",
        )
        env = books.env
        (item,) = import_chargeback_file(env.store, report, profile=env.profile, user="t").item_ids
        confirm_chargeback(env.store, item, user="t", profile=env.profile, today=DEMO_TODAY)
        books.sync(auto_approve=False)

    charge_back("CB-3001", sales[0], first)
    v2 = books.change_mapping(
        lambda d: d.with_transforms(
            "PaymentReversal.Reason",
            (TransformStep("concatenate", {"parts": [{"text": "Taken back: "}, {"value": True}]}),),
        )
    )
    charge_back("CB-3002", sales[1], second)

    old = books.one("/api/paymentreversals", Reference=f"PT-{sales[0]}-REVERSAL")
    new = books.one("/api/paymentreversals", Reference=f"PT-{sales[1]}-REVERSAL")
    assert old["Reason"].startswith("Chargeback ") and old["Reason"].endswith(": Fraud")
    assert new["Reason"] == "Taken back: " + old["Reason"].replace("3001", "3002")
    assert books.version_of(f"PT-{sales[0]}-REVERSAL") == books.first_version
    assert books.version_of(f"PT-{sales[1]}-REVERSAL") == v2


def test_order_payment_memo_follows_the_new_version_only(books: Books):
    early, _ = books.order_from_a_new_payer("Dana Whitlock", "dana@example.com", "WEB20417")
    v2 = books.change_mapping(
        lambda d: d.with_transforms(
            "SalesOrder.PaymentMemo",
            (TransformStep("concatenate", {"parts": [{"text": "Order "}, {"value": True}]}),),
        )
    )
    late, _ = books.order_from_a_new_payer("Eli Park", "eli@example.com", "WEB20418")

    old = books.one("/api/payments", PaymentReference=f"PT-{early}-PAY")
    new = books.one("/api/payments", PaymentReference=f"PT-{late}-PAY")
    assert old["Memo"] == "Payment for sales order WEB20417"
    assert new["Memo"] == "Order WEB20418"
    assert books.version_of(f"PT-{early}-PAY") == books.first_version
    assert books.version_of(f"PT-{late}-PAY") == v2


def test_card_details_update_of_a_customer_follows_the_new_version_only(books: Books):
    vaulted = sorted(
        (c for c in books.env.all_items("/api/customers") if c["PayTraceCustomerID"]),
        key=lambda c: c["CustomerID"],
    )
    first, second = vaulted[:2]

    def new_card(customer: dict, card: KeyedCard) -> str:  # type: ignore[type-arg]
        books.ctx.paytrace.create_customer(customer["PayTraceCustomerID"], card)
        books.sync()
        books.sync()  # the profile is read after the outbox drains: the next cycle posts it
        last4, expiry = (
            card.number[-4:],
            f"{card.expiration_month:02d}{card.expiration_year % 100:02d}",
        )
        return f"PT-CUST-{customer['PayTraceCustomerID']}-{last4}-{expiry}"

    early = new_card(first, CARD)
    v2 = books.change_mapping(
        lambda d: d.with_transforms(
            "Customer.CardExpiry", (TransformStep("constant", {"value": "01/31"}),)
        )
    )
    late = new_card(second, KeyedCard("4111111111111111", 6, 2029))

    old = books.env.sagepro_get(f"/api/customers/{first['CustomerID']}")
    new = books.env.sagepro_get(f"/api/customers/{second['CustomerID']}")
    assert (old["CardLast4"], old["CardExpiry"]) == ("5439", "12/30")
    assert (new["CardLast4"], new["CardExpiry"]) == ("1111", "01/31")
    assert books.version_of(early) == books.first_version
    assert books.version_of(late) == v2


def test_chargeback_journal_entry_follows_the_new_version_only(books: Books, tmp_path: Path):
    first, second = books.open_invoices(2)
    sales = [books.pay(first), books.pay(second)]
    books.sync()

    def charge_back(case: str, transaction_id: int, invoice: dict) -> dict:  # type: ignore[type-arg]
        report = tmp_path / f"{case}.csv"
        report.write_text(
            f"{CHARGEBACK_HEADER}\n{case},{transaction_id},Visa,5439,{invoice['Amount']},"
            "10.4,Fraud,3/10/2025,,Open,15.00\n",
            encoding="utf-8",
        )
        env = books.env
        (item,) = import_chargeback_file(env.store, report, profile=env.profile, user="t").item_ids
        confirm_chargeback(env.store, item, user="t", profile=env.profile, today=DEMO_TODAY)
        books.sync(auto_approve=False)
        (entry,) = [
            e
            for e in env.all_items("/api/journalentries")
            if e["Reference"].startswith("PT-CB-") and case in e["Reference"]
        ]
        items[case] = item
        return entry  # type: ignore[no-any-return]

    items: dict[str, int] = {}
    old = charge_back("CB-4001", sales[0], first)
    v2 = books.change_mapping(
        lambda d: replace(
            d.with_transforms(
                "ChargebackEntry.Description",
                (
                    TransformStep(
                        "concatenate",
                        {
                            "parts": [
                                {"text": "Dispute "},
                                {"field": "posting.case_number"},
                                {"text": " ("},
                                {"field": "posting.outcome"},
                                {"text": ")"},
                            ]
                        },
                    ),
                ),
            ).with_transforms(
                "ChargebackEntry.LineMemo", (TransformStep("constant", {"value": "Card dispute"}),)
            ),
            gl_rules=replace(
                d.gl_rules,
                rules=(
                    *d.gl_rules.rules,
                    GLRule(
                        "Chargeback fees", "6150", GLCondition(transaction_types=("CHARGEBACK",))
                    ),
                ),
            ),
        )
    )
    new = charge_back("CB-4002", sales[1], second)

    assert old["Description"].startswith(f"Chargeback CB-4001 on PayTrace {sales[0]} (")
    assert {line["Memo"] for line in old["Lines"]} == {old["Description"][:60]}
    assert new["Description"] == "Dispute CB-4002 (confirmed)"
    assert {line["Memo"] for line in new["Lines"]} == {"Card dispute"}
    fee_lines = [(e, [ln for ln in e["Lines"] if ln["Debit"] == "15.00"]) for e in (old, new)]
    assert [[ln["GLAccountID"] for ln in lines] for _, lines in fee_lines] == [["6160"], ["6150"]]
    assert books.version_of(old["Reference"]) == books.first_version
    assert books.version_of(new["Reference"]) == v2
    # Winning the case posts its reversing entry with the same (new) wording.
    env = books.env
    resolve_chargeback(
        env.store, items["CB-4002"], outcome="won", user="t", profile=env.profile, today=DEMO_TODAY
    )
    books.sync(auto_approve=False)
    won = books.one("/api/journalentries", Reference=new["Reference"].replace("-JE", "-WON-JE"))
    assert won["Description"] == "Dispute CB-4002 (won)"
    assert books.version_of(won["Reference"]) == v2


def test_card_details_the_mapping_cannot_word_leave_one_alert_and_the_sync_goes_on(
    books: Books,
):
    (customer,) = sorted(
        (c for c in books.env.all_items("/api/customers") if c["PayTraceCustomerID"]),
        key=lambda c: c["CustomerID"],
    )[:1]
    books.change_mapping(
        lambda d: d.with_transforms(
            "Customer.CardExpiry", (TransformStep("constant", {"value": "June 2030"}),)
        )
    )
    books.ctx.paytrace.create_customer(customer["PayTraceCustomerID"], CARD)
    books.sync()
    books.sync()  # asked again next cycle: still one alert, not one per sync

    held = books.env.sagepro_get(f"/api/customers/{customer['CustomerID']}")
    assert (held["CardLast4"], held["CardExpiry"]) == (
        customer["CardLast4"],
        customer["CardExpiry"],
    )
    with books.env.store.read() as session:
        alerts = (
            session.execute(select(ExceptionItem).where(ExceptionItem.reason_code == "mapping"))
            .scalars()
            .all()
        )
    assert [a.title for a in alerts] == [
        f"Card details of customer {customer['CustomerID']} cannot be built"
    ]
    assert "CardExpiry" in alerts[0].detail and "Customer fields" in alerts[0].detail
