"""Text bound for a spreadsheet cell, made inert.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (a tab or carriage return in front is skipped on import), so payer text such as
``=HYPERLINK(...)`` in an export would become a live formula. OWASP's remedy: a single quote
in front, which the spreadsheet shows as text. Only text gets it: numbers are written as
numbers by the caller, so a negative amount stays a number.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """``text`` with a leading single quote when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
