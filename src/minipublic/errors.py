"""Errors shared by the core packages, the CLI and the site.

Bad input must be reported so a person can fix it: the file, the row and the
column (or form field) are named. The CLI prints :class:`InputError` as one
line without a traceback; the site shows it beside the upload or field.
"""

from __future__ import annotations


class MinipublicError(Exception):
    """Base class for errors that are meant to be shown to a user."""


class InputError(MinipublicError, ValueError):
    """Bad input, located by file, row and column where they are known.

    Parameters
    ----------
    message : str
        What is wrong, in plain words, quoting the bad value.
    file : str, optional
        The file (or upload) name.
    row : int, optional
        1-based row number as a spreadsheet shows it (the header is row 1).
    column : str, optional
        Column name, or form field.

    Examples
    --------
    >>> str(InputError("min 5 is more than max 3", file="categories.csv", row=4, column="min"))
    'categories.csv, row 4, column min: min 5 is more than max 3'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(str(self))

    @property
    def location(self) -> str:
        """``file, row N, column C`` with the parts that are known."""
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class InfeasibleError(MinipublicError):
    """No result satisfies the constraints (for example quotas no panel can meet)."""


def csv_parse_error(exc: Exception, *, file: str) -> InputError:
    """An :class:`InputError` for a CSV file the parser (pandas, ``csv``) could not read.

    The parser's own text can span lines ("Error tokenizing data. C error:
    Expected 2 fields in line 3, saw 3\\n"); the user gets one line, and the
    row when the parser names it (its line number is the row a spreadsheet
    shows, the header being row 1).
    """
    import re

    text = " ".join(str(exc).split())
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if match:
        expected, row, saw = (int(g) for g in match.groups())
        return InputError(
            f"this row has {saw} cells, the header has {expected}", file=file, row=row
        )
    return InputError(f"cannot read the file: {text}", file=file)
