"""Spreadsheet-safe cells: every formula start is quoted, and reading back gives the text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minipublic.web.csvcells import FORMULA_START, read_cell, safe_cell


@pytest.mark.parametrize("start", FORMULA_START)
def test_each_formula_start_is_quoted(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


def test_plain_text_numbers_and_none():
    assert safe_cell("ok") == "ok"
    assert safe_cell(3) == "3"
    assert safe_cell(None) == ""
    assert safe_cell(-2) == "'-2"
    # A quote that does not stand before a formula start is the person's own text.
    assert read_cell("'tis") == "'tis"


@given(st.text())
def test_read_cell_undoes_safe_cell(text):
    assert read_cell(safe_cell(text)) == text
    assert not safe_cell(text).startswith(FORMULA_START)
