"""Reading a pool file in the Sortition Foundation format (no Django).

The people file has an id column (``id``, ``person_id``, ``nationbuilder_id``
or ``primary_id``, or the one named) and one column per feature. Contact
columns are recognised and kept apart from the answers:

=================  ==========================================================
contact detail     column names accepted (any case)
=================  ==========================================================
first name         ``first_name``
last name          ``last_name``
email              ``email``
phone              ``phone``, ``mobile_number``, ``phone_number``
address            ``address``, ``primary_address1`` (+ ``primary_address2``,
                   ``primary_city``)
postcode           ``postcode``, ``primary_zip``, ``zip``
=================  ==========================================================

Feature columns named like the registration form's questions (``age_band``
or ``age``, ``gender``, ``area``, ``education``, ``ethnicity``,
``disability``, ``trust_in_government``) fill those answers; every other
column is kept as an extra feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from minipublic.errors import InputError
from minipublic.sortition import normalise_address, pool_from_frame
from minipublic.web.recruitment.files import _read_frame

CONTACT_COLUMNS = {
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "email": ("email",),
    "phone": ("phone", "mobile_number", "phone_number"),
    "address": ("address", "primary_address1"),
    "address2": ("primary_address2",),
    "city": ("primary_city",),
    "postcode": ("postcode", "primary_zip", "zip"),
}
ANSWER_COLUMNS = {
    "age_band": ("age_band", "age"),
    "gender": ("gender",),
    "area": ("area",),
    "education": ("education",),
    "ethnicity": ("ethnicity",),
    "disability": ("disability",),
    "trust_in_government": ("trust_in_government",),
}
MAX_ERRORS = 20
#: Column names recognised as the id column when the organiser names none.
ID_COLUMNS = ("id", "person_id", "nationbuilder_id", "primary_id")


def feature_names(pool_file: PoolFile) -> set[str]:
    """The features (as in ``Registrant.features()``) a read file gives its people."""
    lower = {c.lower(): c for c in pool_file.feature_columns}
    names = set()
    for key, columns in ANSWER_COLUMNS.items():
        if any(c in lower for c in columns):
            names.add("trust_band" if key == "trust_in_government" else key)
    answer_cols = {c for cols in ANSWER_COLUMNS.values() for c in cols}
    names |= {c for c in pool_file.feature_columns if c.lower() not in answer_cols}
    return names


@dataclass
class PoolRow:
    """One person read from the file: their answers and, apart, their contact details."""

    row: int
    external_id: str
    answers: dict[str, object]
    extra: dict[str, str]
    contact: dict[str, str]
    household_key: str


@dataclass
class PoolFile:
    rows: list[PoolRow]
    id_column: str
    feature_columns: list[str]
    errors: list[InputError] = field(default_factory=list)


def read_pool_file(data: bytes, name: str, *, id_column: str | None = None) -> PoolFile:
    """Read a people file; collect up to :data:`MAX_ERRORS` row/column errors.

    Raises :class:`~minipublic.errors.InputError` at once for whole-file
    problems (unreadable, no rows, no id column, empty or duplicate id).
    Cell problems (an empty feature value, a trust score that is not a whole
    number from 0 to 10) are collected in ``PoolFile.errors`` so the page can
    list them all; nothing is imported while any remain.
    """
    frame = _read_frame(data, name)
    if not id_column:
        columns = [str(c).strip() for c in frame.columns]
        if not any(c.lower() in ID_COLUMNS for c in columns):
            raise InputError(
                "the file has no id column: name one of its columns "
                f"{', '.join(ID_COLUMNS)}, or enter the name of its id column "
                f"(columns found: {', '.join(columns)})",
                file=name,
                row=1,
            )
    pool = pool_from_frame(frame, id_column=id_column or None, source=name)
    table = pool.table
    lower = {c.lower(): c for c in table.columns}

    def find(names: tuple[str, ...]) -> str | None:
        return next((lower[n] for n in names if n in lower), None)

    contact_cols = {key: find(names) for key, names in CONTACT_COLUMNS.items()}
    answer_cols = {key: find(names) for key, names in ANSWER_COLUMNS.items()}
    used = {pool.id_column} | {c for c in contact_cols.values() if c}
    used |= {c for c in answer_cols.values() if c}
    extra_cols = [c for c in table.columns if c not in used]
    features = [c for c in answer_cols.values() if c] + extra_cols
    if not features:
        raise InputError(
            "the file has no feature columns (one column per feature, e.g. gender, age)",
            file=name,
            row=1,
        )
    out = PoolFile(rows=[], id_column=pool.id_column, feature_columns=features)
    records = table.to_dict("records")
    for i, rec in enumerate(records, start=2):
        answers: dict[str, object] = {}
        for key, col in answer_cols.items():
            if not col:
                continue
            value = rec[col]
            if value == "":
                _add(out, InputError("the value is empty", file=name, row=i, column=col))
                continue
            if key == "trust_in_government":
                score = int(value) if value.isascii() and value.isdigit() else -1  # not "²"
                if not 0 <= score <= 10:
                    _add(
                        out,
                        InputError(
                            f"trust {value!r} must be a whole number from 0 to 10",
                            file=name,
                            row=i,
                            column=col,
                        ),
                    )
                    continue
                answers[key] = score
            else:
                answers[key] = value
        extra = {}
        for col in extra_cols:
            if rec[col] == "":
                _add(out, InputError("the value is empty", file=name, row=i, column=col))
            extra[col] = rec[col]
        contact = {key: rec[col] if col else "" for key, col in contact_cols.items()}
        street = ", ".join(
            p for p in (contact["address"], contact["address2"], contact["city"]) if p
        )
        key = normalise_address(f"{street} {contact['postcode']}") if street else ""
        out.rows.append(
            PoolRow(
                row=i,
                external_id=rec[pool.id_column],
                answers=answers,
                extra=extra,
                contact={**contact, "address": street},
                household_key=key,
            )
        )
    return out


def _add(out: PoolFile, error: InputError) -> None:
    if len(out.errors) < MAX_ERRORS:
        out.errors.append(error)
