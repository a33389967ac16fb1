"""The printed Sage Pro worklist: one page-wide table the bookkeeper keeps beside Sage Pro's
Cash Receipts screen, written as a PDF through QPrinter (print it from any PDF viewer)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from app.domain.display_time import show_date, show_time
from app.domain.money import display_totals, from_cents
from app.domain.words import counted
from app.queries.sagepro_worklist import COLUMNS, WorklistRow
from app.queries.sql_query import format_value


def worklist_html(
    rows: Sequence[WorklistRow], *, profile: str, printed_at: datetime, base: str = "USD"
) -> str:
    total = display_totals(((from_cents(r.amount_cents), r.currency) for r in rows), base=base)
    head = "".join(f"<th align='left'>{html.escape(c.header)}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{align}>{html.escape(text)}</td>"
            for align, text in (
                ("", r.customer),
                ("", format_value("date", r.date)),
                (
                    " align='right'",
                    format_value("money", r.amount_cents, currency=r.currency, base=base),
                ),
                ("", r.invoices or "on account"),
            )
        )
        # The reference is typed by hand: fixed width and bold, so 0/O and 1/I are told apart.
        + f"<td><tt><b>{html.escape(r.token)}</b></tt></td>"
        + f"<td>{html.escape(format_value('datetime', r.staged_at))}</td>"
        + "</tr>"
        for r in rows
    )
    return (
        f"<h2>Sage Pro worklist — {html.escape(profile)}</h2>"
        f"<p>Printed {show_date(printed_at)} {show_time(printed_at)}. Enter each item in "
        "Sage Pro's Cash Receipts, typing the <b>Reference to type</b> exactly as shown in "
        "Check/Reference No.: "
        "Paysage finds it there and the item leaves the list at the next sync.</p>"
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<p>{counted(len(rows), 'item')}, {html.escape(total)} in all.</p>"
    )


def print_to_pdf(document_html: str, path: Path) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    document = QTextDocument()
    document.setHtml(document_html)
    document.print_(printer)
