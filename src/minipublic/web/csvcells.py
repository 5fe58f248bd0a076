"""Spreadsheet-safe CSV cells, for every CSV file the site writes.

OWASP's advice on CSV injection: a cell whose text starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return can be run as a formula when the file
is opened in a spreadsheet. A leading apostrophe makes the spreadsheet show
it as text. :func:`read_cell` undoes this for files the site reads back;
text that already starts with apostrophes before a formula start gets one
more, so that reading back is exact.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """*value* as text a spreadsheet will not run as a formula (``None`` is empty)."""
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def read_cell(text: str) -> str:
    """The text :func:`safe_cell` was given: one quote before a formula start is dropped."""
    quoted = text.startswith("'") and text.lstrip("'").startswith(FORMULA_START)
    return text[1:] if quoted else text
