"""File errors in the visitor's language.

The readers (:mod:`minipublic.web.recruitment.files`, ``imports`` and the
sortition core) raise :class:`~minipublic.errors.InputError` in English, with
the file, row and column apart. :func:`explain` writes the same sentence in
the current language: the location words, and every message those readers
produce (a message it does not know is kept as it is). In English the result
is exactly ``str(error)``.
"""

import re

from django.utils.translation import gettext as _

from minipublic.errors import InputError


def _messages():
    # (pattern of the English message, its translation with the pattern's groups)
    return [
        (r"the value is empty", _("the value is empty")),
        (r"the address is empty", _("the address is empty")),
        (r"the area is empty", _("the area is empty")),
        (r"empty id", _("empty id")),
        (r"the file is empty", _("the file is empty")),
        (r"the file is empty \(no data rows\)", _("the file is empty (no data rows)")),
        (r"the people table is empty", _("the people table is empty")),
        (r"the file has no rows", _("the file has no rows")),
        (r"the file has no rows of addresses", _("the file has no rows of addresses")),
        (
            r"the file is not UTF-8 text; save it as CSV UTF-8",
            _("the file is not UTF-8 text; save it as CSV UTF-8"),
        ),
        (
            r"trust (?P<value>.+) must be a whole number from 0 to 10",
            _("trust %(value)s must be a whole number from 0 to 10"),
        ),
        (r"id (?P<id>.+) is already in the pool", _("id %(id)s is already in the pool")),
        (
            r"duplicate id (?P<id>.+) \(rows (?P<rows>.+)\)",
            _("duplicate id %(id)s (rows %(rows)s)"),
        ),
        (r"no id column (?P<column>.+)", _("no id column %(column)s")),
        (
            r"the file has no id column: name one of its columns (?P<names>.+), or enter the "
            r"name of its id column \(columns found: (?P<found>.*)\)",
            _(
                "the file has no id column: name one of its columns %(names)s, or enter the "
                "name of its id column (columns found: %(found)s)"
            ),
        ),
        (
            r"the column (?P<column>.+) is missing: the quotas use this feature",
            _("the column %(column)s is missing: the quotas use this feature"),
        ),
        (
            r"the file has no feature columns \(one column per feature, e\.g\. gender, age\)",
            _("the file has no feature columns (one column per feature, e.g. gender, age)"),
        ),
        (
            r"no (?P<column>'[^']*') column; the columns are (?P<columns>.*)",
            _("no %(column)s column; the columns are %(columns)s"),
        ),
        (
            r"address (?P<address>.+) is listed twice \(also row (?P<row>\d+)\)",
            _("address %(address)s is listed twice (also row %(row)s)"),
        ),
        (r"weight (?P<weight>.+) is not a number", _("weight %(weight)s is not a number")),
        (r"weight (?P<weight>.+) must be more than 0", _("weight %(weight)s must be more than 0")),
        (r"area (?P<area>.+) is listed twice", _("area %(area)s is listed twice")),
        (
            r"the cell holds a NUL character \(a control character text cannot hold\); remove it",
            _("the cell holds a NUL character (a control character text cannot hold); remove it"),
        ),
    ]


def explain(error: InputError) -> str:
    """*error* as one sentence in the current language (see the module docstring)."""
    message = error.message
    for pattern, translation in _messages():
        match = re.fullmatch(pattern, message)
        if match is not None:
            message = translation % match.groupdict() if match.groupdict() else translation
            break
    parts = []
    if error.file:
        parts.append(str(error.file))
    if error.row is not None:
        parts.append(_("row %(row)s") % {"row": error.row})
    if error.column:
        parts.append(_("column %(column)s") % {"column": error.column})
    return f"{', '.join(parts)}: {message}" if parts else message
