"""PayTrace's chargeback report (CSV): tolerant reading, typed errors, no card number kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.chargebacks import parse_chargeback_report, scrub
from app.domain.pan import contains_card_number
from app.sandbox.demo_data import TEST_CARDS

VISA, MC = TEST_CARDS[0][1], TEST_CARDS[1][1]


def test_reads_a_report_with_title_lines_bom_crlf_and_shuffled_columns():
    data = (
        "\ufeffPayTrace Chargeback Report\r\n"
        "Date range: 3/1/2025 - 3/15/2025\r\n"
        " transaction_id ,CASE #,Card Type,Last 4,  Amount ,Reason Code,Reason,"
        "Received Date,Due Date,Status,Chargeback Fee,Terminal\r\n"
        '80001234,CB-2025-0001,VISA,************5439,"$1,234.56",10.4,Other fraud,'
        "3/10/2025,3/30/2025,Open,$15.00,Front desk\r\n"
        "80001235,cb 2025/0002,MC,xxxx0057,(99.00),4837,No authorization,"
        "03/11/2025 4:06:30 PM,2025-04-01,Open,,\r\n"
        'Total,,,,"$1,333.56"\r\n'
    ).encode("utf-8-sig")
    report = parse_chargeback_report(data)
    assert report.errors == ()
    first, second = report.rows
    assert first.case_key == "CB-2025-0001" and first.transaction_id == 80001234
    assert (first.amount, first.fee) == (Decimal("1234.56"), Decimal("15.00"))
    assert (first.card_type, first.card_last4) == ("Visa", "5439")
    assert (first.received_date, first.due_date) == (date(2025, 3, 10), date(2025, 3, 30))
    assert first.extra == {"Terminal": "Front desk"} and first.line == 4
    assert second.case_key == "CB20250002" and second.amount == Decimal("99.00")
    assert (second.card_type, second.card_last4, second.fee) == ("Mastercard", "0057", None)
    assert (second.received_date, second.due_date) == (date(2025, 3, 11), date(2025, 4, 1))
    assert "Terminal" in report.ignored_columns


@pytest.mark.parametrize(
    "encoding,newline,delimiter",
    [("utf-8", "\n", ","), ("cp1252", "\r", ";"), ("utf-16", "\r\n", "\t")],
)
def test_encodings_line_ends_and_separators(encoding, newline, delimiter):
    rows = [["Case Number", "Amount", "Reason"], ["A1", "12.50", "Café visit"]]
    text = newline.join(delimiter.join(r) for r in rows) + newline
    report = parse_chargeback_report(text.encode(encoding))
    assert report.errors == ()
    assert [(r.case_key, r.amount, r.reason) for r in report.rows] == [
        ("A1", Decimal("12.50"), "Café visit")
    ]


def test_full_card_numbers_are_reduced_to_last_four_everywhere():
    data = (
        "Case Number,Last 4,Amount,Reason,Notes\n"
        f"A1,{VISA},10.00,card {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]},x\n"
        f"A2,{MC[:4]}-{MC[4:8]}-{MC[8:12]}-{MC[12:]},11.00,ok,glued 1 {MC}\n"
    )
    report = parse_chargeback_report(data)
    assert report.errors == ()
    a1, a2 = report.rows
    assert (a1.card_last4, a2.card_last4) == ("5439", "0057")
    assert a1.redacted_columns == ("card_last4", "reason")
    assert a2.redacted_columns == ("card_last4", "Notes")
    assert not contains_card_number(repr(report))
    for number in (VISA, MC):
        assert number not in repr(report).replace(" ", "").replace("-", "")


def test_bad_rows_become_typed_errors_and_good_rows_survive():
    data = (
        "Case Number,Transaction ID,Amount,Received Date,Last 4\n"
        "A1,1.0,10.00,3/1/2025,\n"
        ",2,10.00,3/1/2025,\n"
        "A3,x9,10.00,3/1/2025,\n"
        "A4,4,ten,3/1/2025,\n"
        "A5,5,0.00,3/1/2025,\n"
        "A6,6,10.00,2/30/2025,\n"
        "A7,7,10.00,3/1/2025,12\n"
        "A1,8,10.00,3/1/2025,\n"
        f"{VISA},9,10.00,3/1/2025,\n"
    )
    report = parse_chargeback_report(data)
    assert [(r.case_key, r.transaction_id) for r in report.rows] == [("A1", 1)]
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "case_number"),
        (4, "transaction_id"),
        (5, "amount"),
        (6, "amount"),
        (7, "received_date"),
        (8, "card_last4"),
        (9, "case_number"),
        (10, "case_number"),
    ]
    assert "line 2" in report.errors[6].message
    assert not contains_card_number(repr(report))


def test_a_file_without_the_needed_columns_is_one_file_error():
    report = parse_chargeback_report(b"Name,Total\nx,1\n")
    assert report.rows == () and report.errors[0].column == "file"
    assert "Case Number" in report.errors[0].message
    assert parse_chargeback_report(b"").errors[0].message == "The file is empty."


def test_scrub_catches_what_the_shared_redactor_misses():
    text, found = scrub(f"ref 1 {VISA} and 4012.0000.9876.5439")
    assert found and VISA not in text.replace(".", "").replace(" ", "")
    assert scrub("invoice 104512, order 2025-03-15") == ("invoice 104512, order 2025-03-15", False)
