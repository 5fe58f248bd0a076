"""Readers for vote and statement files: every Polis export layout and minipublic's own.

Formats recognised from the header row (column names are matched without
regard to case, spaces or ``_`` versus ``-``):

- minipublic votes: ``participant,statement,vote[,timestamp]``;
- Polis ``votes.csv``: ``timestamp,datetime,comment-id,voter-id,vote``. The
  math export (``polismath/darwin/export.clj``, 2014 on) writes milliseconds
  in ``timestamp``; the server's report export (``server/src/routes/export.ts``,
  2024 on) writes seconds. Only the order of a participant's votes matters
  here, so both read alike. The spreadsheet export's headings
  (``Timestamp,Comment ID,Voter,Vote``) are accepted too.
- Polis ``participants-votes.csv`` (math export) and ``participant-votes.csv``
  (server export, 2024): ``participant,[xid,]group-id,n-comments,n-votes,
  n-agree,n-disagree`` then one column per comment id (1 / -1 / 0 or empty =
  not seen). ``xid`` (the conversation owner's own participant id) appears
  when the export was asked for it; the spreadsheet export's headings
  (``Participant,Group ID,Comments,Votes,Agrees,Disagrees``) are accepted too.
- minipublic statements: ``statement,text[,moderated]``;
- Polis ``comments.csv``: ``timestamp,[datetime,]comment-id,author-id,agrees,
  disagrees,moderated,[is-meta,is-seed,group-informed-consensus,]comment-body``
  (``is-meta`` etc. since 2023); spreadsheet headings ``Comment ID``,
  ``Comment body``, ``Moderated``, ``Metadata`` are accepted too.

In Polis exports ``moderated`` is ``1`` (accepted), ``0`` (not yet moderated)
or ``-1`` (moderated out); only ``-1`` removes a statement from the map.

Columns a reader does not know are ignored; the names are kept in
``frame.attrs["notes"]`` of the returned table so the CLI can say so.

Well-formed files are parsed without pandas (NumPy's C reader for
``votes.csv``, the csv module for the rest), so the command line does not
pay pandas' import; any file the quick readers find irregular (a bad value,
a ragged row, text ids) is read again by pandas, whose checks name the bad
row and column.
Votes in Polis' database use ``-1`` for agree; every Polis export flips them
so that ``1`` is agree (the server's report export since 20 September 2024;
a ``votes.csv`` exported from the server in the days before that has the
signs reversed and cannot be told apart by its contents).
"""

from __future__ import annotations

import csv
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from minipublic.errors import InputError, csv_parse_error

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_votes", "read_statements", "read_polis_groups"]


def _read_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    except FileNotFoundError as exc:
        raise InputError("file not found", file=str(path)) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise csv_parse_error(exc, file=str(path)) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError("the file is empty", file=str(path)) from exc


def _int_column(frame: pd.DataFrame, column: str, file: str) -> pd.Series:
    import pandas as pd

    values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
    # inf, -inf and numbers beyond 2**53 are not whole numbers a file can mean.
    bad = (
        values.isna() | ~np.isfinite(values) | (values.abs() > 2**53) | (values != np.round(values))
    )
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{frame[column].iloc[i]!r} is not a whole number", file=file, row=i + 2, column=column
        )
    return values.astype(np.int64)


def _vote_column(frame: pd.DataFrame, column: str, file: str) -> pd.Series:
    values = _int_column(frame, column, file)
    bad = ~values.isin([-1, 0, 1])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"vote {frame[column].iloc[i]!r} is not 1 (agree), -1 (disagree) or 0 (pass)",
            file=file,
            row=i + 2,
            column=column,
        )
    return values


def _key(name: str) -> str:
    """Column name as matched: lower case, ``_`` and spaces as ``-``."""
    return "-".join(str(name).strip().lower().replace("_", " ").split())


# Spreadsheet (Excel) export headings -> CSV export names (polismath darwin/export.clj).
_ALIASES = {
    "comment-id": "comment-id",
    "voter": "voter-id",
    "voter-id": "voter-id",
    "group-id": "group-id",
    "comments": "n-comments",
    "votes": "n-votes",
    "agrees": "n-agree",
    "disagrees": "n-disagree",
}
_PV_META = {"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}


def _canonical_votes_header(columns) -> tuple[list[str], str]:
    """Canonical column names and the format name, from a votes header."""
    keys = [_key(c) for c in columns]
    if keys and keys[0] == "participant" and ("group-id" in keys or "n-votes" in keys):
        # participants-votes: the spreadsheet headings map to the CSV ones.
        names = [
            _ALIASES.get(k, k) if k in _ALIASES and _ALIASES[k] in _PV_META else k for k in keys
        ]
        return [
            n if n in _PV_META else str(c).strip() for n, c in zip(names, columns, strict=True)
        ], ("polis-participants-votes")
    names = [_ALIASES.get(k, k) for k in keys]
    if {"comment-id", "voter-id", "vote"} <= set(names):
        return names, "polis-votes"
    if {"participant", "statement", "vote"} <= set(keys):
        return keys, "minipublic"
    raise InputError(
        "header not recognised: expected participant,statement,vote "
        "or a Polis votes.csv / participants-votes.csv",
        row=1,
    )


def detect_vote_format(columns) -> str:
    """``"minipublic"``, ``"polis-votes"`` or ``"polis-participants-votes"``."""
    return _canonical_votes_header(columns)[1]


def read_votes(path: str | Path) -> pd.DataFrame:
    """Read votes from a CSV file into a long table.

    Parameters
    ----------
    path : str or Path
        A minipublic votes file, a Polis ``votes.csv`` or a Polis
        ``participants-votes.csv`` (the format is detected from the header).

    Returns
    -------
    DataFrame
        Columns ``participant``, ``statement``, ``vote`` and, when the file
        has times, ``timestamp``; one row per vote as cast (repeated votes
        kept: :func:`build_vote_matrix` keeps the latest).

    Raises
    ------
    InputError
        Naming the file, row and column of the first bad value.
    """
    path = Path(path)
    file = str(path)
    quick = read_vote_columns(path)
    if quick is not None:
        return quick.frame()
    frame = _read_csv(path)
    try:
        columns, kind = _canonical_votes_header(frame.columns)
    except InputError as exc:
        raise InputError(exc.message, file=file, row=1) from exc
    frame.columns = columns
    out = _read_votes_frame(frame, kind, file)
    out.attrs["format"] = kind
    out.attrs["notes"] = _notes(columns, kind)
    return out


def _notes(columns: list[str], kind: str) -> list[str]:
    """``column 'x' ignored`` for each column the reader does not use."""
    known = {
        "polis-votes": {"timestamp", "datetime", "comment-id", "voter-id", "vote"},
        "minipublic": {"participant", "statement", "vote", "timestamp"},
    }
    if kind in known:
        notes = [c for c in columns if c not in known[kind]]
    else:
        notes = [c for c in columns if c not in _PV_META and not _is_comment_id(c)]
    return [f"column {c!r} ignored" for c in notes]


@dataclass(frozen=True, eq=False)
class VoteColumns:
    """Votes of a well-formed Polis export as NumPy columns (no pandas).

    ``participant``, ``statement``, ``vote`` and (``votes.csv`` only)
    ``timestamp`` are int64 arrays, one entry per vote as cast, in the order
    :func:`read_votes` gives them.
    """

    participant: np.ndarray
    statement: np.ndarray
    vote: np.ndarray
    timestamp: np.ndarray | None
    format: str
    notes: list = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """The table :func:`read_votes` returns."""
        import pandas as pd

        columns = {"participant": self.participant, "statement": self.statement, "vote": self.vote}
        if self.timestamp is not None:
            columns["timestamp"] = self.timestamp
        out = pd.DataFrame(columns)
        out.attrs["format"] = self.format
        out.attrs["notes"] = list(self.notes)
        return out

    def matrix(self):
        """``build_vote_matrix(self.frame())``, computed without pandas."""
        from ._matrix import _from_codes, _int_codes

        participants = _sorted_unique(self.participant)
        statements = _sorted_unique(self.statement)
        return _from_codes(
            participants,
            statements,
            _int_codes(participants, self.participant),
            _int_codes(statements, self.statement),
            self.vote.astype(np.int8),
            self.timestamp,
        )


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an int64 array, without its import of numpy.ma (7 ms)."""
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def read_vote_columns(path: str | Path) -> VoteColumns | None:
    """A Polis ``votes.csv`` or ``participants-votes.csv`` read without pandas, or None.

    None when the file is not a Polis export or anything in it is not as
    Polis writes it: :func:`read_votes` then reads it with its checks.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if not header:
        return None
    try:
        columns, kind = _canonical_votes_header(header)
    except InputError:
        return None
    if kind == "minipublic" or len(set(columns)) != len(columns):
        return None
    try:
        if kind == "polis-votes":
            out = _polis_votes_columns(path, columns)
        else:
            out = _participants_votes_columns(path, columns)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, OSError, csv.Error):
        return None
    if out is None:
        return None
    return VoteColumns(*out, format=kind, notes=_notes(columns, kind))


def _polis_votes_columns(path: Path, columns: list[str]):
    use = ["voter-id", "comment-id", "vote"]
    if "timestamp" in columns:
        use.append("timestamp")
    positions = [columns.index(c) for c in use]
    # An open file, not a path: NumPy would open a path through its data
    # source layer, which imports gzip, bz2, lzma and numpy.ma first.
    with open(path, encoding="utf-8", newline="") as fh, warnings.catch_warnings():
        warnings.simplefilter("error")  # "empty input file" and the like: not quick
        try:
            raw = np.loadtxt(
                fh,
                delimiter=",",
                skiprows=1,
                usecols=positions,
                dtype=np.int64,
                comments=None,
                quotechar='"',
                ndmin=2,
            )
        except UserWarning:
            return None
    if raw.shape[1] != len(use):
        return None
    vote = np.ascontiguousarray(raw[:, 2])
    if not np.isin(vote, (-1, 0, 1)).all():
        return None
    timestamp = np.ascontiguousarray(raw[:, 3]) if len(use) == 4 else None
    return np.ascontiguousarray(raw[:, 0]), np.ascontiguousarray(raw[:, 1]), vote, timestamp


# What pandas' reader takes for "no value" (its default na_values), here: not seen.
_NA = {
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
}
_CELL = {"1": 1.0, "-1": -1.0, "0": 0.0, **dict.fromkeys(_NA, math.nan)}


def _cell(text: str) -> float:
    value = _CELL.get(text)
    if value is None:
        stripped = text.strip()
        value = _CELL.get(stripped)
        if value is None:
            if "_" in stripped:  # Python reads 1_0 as 10; a CSV reader does not
                raise ValueError(text)
            value = float(stripped)
    return value


def _participants_votes_columns(path: Path, columns: list[str]):
    stmt = [i for i, c in enumerate(columns) if c not in _PV_META and _is_comment_id(c)]
    pid = columns.index("participant")
    width = len(columns)
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [row for row in reader if row]
    if any(len(row) != width for row in rows):
        return None
    participants = np.array([_cell(row[pid]) for row in rows], dtype=np.float64)
    if np.isnan(participants).any() or (participants != np.round(participants)).any():
        return None
    values = np.array([[_cell(row[i]) for i in stmt] for row in rows], dtype=np.float64)
    values = values.reshape(len(rows), len(stmt))
    voted = ~np.isnan(values)
    if not np.isin(values[voted], (-1.0, 0.0, 1.0)).all():
        return None
    ids = np.array([int(columns[i]) for i in stmt], dtype=np.int64)
    # Column by column, as the checking path orders them.
    col, row = np.nonzero(voted.T)
    return (
        participants.astype(np.int64)[row],
        ids[col],
        values[row, col].astype(np.int64),
        None,
    )


def _is_comment_id(column: str) -> bool:
    text = str(column).strip()
    return text.isdigit() or (text.startswith("-") and text[1:].isdigit())


def _read_votes_frame(frame: pd.DataFrame, kind: str, file: str) -> pd.DataFrame:
    import pandas as pd

    if kind == "polis-votes":
        out = pd.DataFrame(
            {
                "participant": _int_column(frame, "voter-id", file),
                "statement": _int_column(frame, "comment-id", file),
                "vote": _vote_column(frame, "vote", file),
            }
        )
        if "timestamp" in frame.columns:
            out["timestamp"] = _int_column(frame, "timestamp", file)
        return out
    if kind == "minipublic":
        out = pd.DataFrame(
            {
                "participant": frame["participant"].str.strip(),
                "statement": frame["statement"].str.strip(),
                "vote": _vote_column(frame, "vote", file),
            }
        )
        for column in ("participant", "statement"):
            empty = out[column] == ""
            if empty.any():
                i = int(np.flatnonzero(empty.to_numpy())[0])
                raise InputError("empty value", file=file, row=i + 2, column=column)
        if "timestamp" in frame.columns:
            ts = pd.to_numeric(frame["timestamp"], errors="coerce")
            bad_ts = ts.isna() | ~np.isfinite(ts)
            if bad_ts.any():
                i = int(np.flatnonzero(bad_ts.to_numpy())[0])
                raise InputError(
                    f"timestamp {frame['timestamp'].iloc[i]!r} is not a number",
                    file=file,
                    row=i + 2,
                    column="timestamp",
                )
            out["timestamp"] = ts
        return out
    # participants-votes: wide table, one column per statement.
    participants = _int_column(frame, "participant", file)
    stmt_cols = [c for c in frame.columns if c not in _PV_META and _is_comment_id(c)]
    parts = []
    for column in stmt_cols:
        statement = int(column)
        cell = frame[column].str.strip()
        voted = cell != ""
        if not voted.any():
            continue
        values = pd.to_numeric(cell[voted], errors="coerce")
        bad = ~values.isin([-1, 0, 1])
        if bad.any():
            i = int(np.flatnonzero(voted.to_numpy())[np.flatnonzero(bad.to_numpy())[0]])
            raise InputError(
                f"vote {frame[column].iloc[i]!r} is not 1, -1, 0 or empty",
                file=file,
                row=i + 2,
                column=column,
            )
        parts.append(
            pd.DataFrame(
                {
                    "participant": participants[voted].to_numpy(),
                    "statement": statement,
                    "vote": values.astype(np.int64).to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame({"participant": [], "statement": [], "vote": []}, dtype=np.int64)
    return pd.concat(parts, ignore_index=True)


def read_polis_groups(path: str | Path) -> pd.Series:
    """Polis' own opinion group of each participant, from ``participants-votes.csv``.

    Returns
    -------
    Series
        Indexed by participant id, holding the integer ``group-id``; participants
        Polis did not place in a group are left out.
    """
    import pandas as pd

    path = Path(path)
    frame = _read_csv(path)
    try:
        columns, kind = _canonical_votes_header(frame.columns)
    except InputError:
        kind = None
    if kind != "polis-participants-votes" or "group-id" not in columns:
        raise InputError("not a Polis participants-votes.csv", file=str(path), row=1)
    frame.columns = columns
    assigned = frame[frame["group-id"].str.strip() != ""]
    participants = _int_column(assigned.reset_index(drop=True), "participant", str(path))
    groups = _int_column(assigned.reset_index(drop=True), "group-id", str(path))
    return pd.Series(groups.to_numpy(), index=participants.to_numpy(), name="group")


def read_statements(path: str | Path) -> pd.DataFrame:
    """Read statements (their text and moderation) from a CSV file.

    Parameters
    ----------
    path : str or Path
        A Polis ``comments.csv`` or a minipublic ``statement,text[,moderated]`` file.

    Returns
    -------
    DataFrame
        Columns ``statement``, ``text``, ``moderated`` (``-1`` = moderated out,
        ``0`` = not yet moderated, ``1`` = accepted; ``0`` when the file has
        no such column) and ``is_meta`` (Polis' ``is-meta``: a statement about
        the process itself; False when the file has no such column).
    """
    import pandas as pd

    path = Path(path)
    quick = read_statement_columns(path)
    if quick is not None:
        return pd.DataFrame(
            {
                "statement": quick["statement"],
                "text": np.array(quick["text"], dtype=object),
                "moderated": quick["moderated"],
                "is_meta": quick["is_meta"],
            }
        )
    file = str(path)
    frame = _read_csv(path)
    names = [_key(c) for c in frame.columns]
    frame.columns = [_STATEMENT_ALIASES.get(n, n) for n in names]
    if {"comment-id", "comment-body"} <= set(frame.columns):
        id_col, text_col = "comment-id", "comment-body"
    elif {"statement", "text"} <= set(frame.columns):
        id_col, text_col = "statement", "text"
    else:
        raise InputError(
            "header not recognised: expected statement,text or a Polis comments.csv",
            file=file,
            row=1,
        )
    ids = frame[id_col].str.strip()
    numeric = pd.to_numeric(ids, errors="coerce")
    if numeric.notna().all() and (numeric == np.round(numeric)).all():
        ids = numeric.astype(np.int64)
    else:
        empty = ids == ""
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError("empty statement id", file=file, row=i + 2, column=id_col)
    if "moderated" in frame.columns:
        moderated = _int_column(frame, "moderated", file)
        bad = ~moderated.isin([-1, 0, 1])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"moderated {frame['moderated'].iloc[i]!r} is not -1, 0 or 1",
                file=file,
                row=i + 2,
                column="moderated",
            )
    else:
        moderated = pd.Series(np.zeros(len(frame), dtype=np.int64))
    if "is-meta" in frame.columns:
        is_meta = frame["is-meta"].str.strip().str.lower().isin(["true", "t", "1", "yes"])
    else:
        is_meta = pd.Series(np.zeros(len(frame), dtype=bool))
    out = pd.DataFrame(
        {
            "statement": ids.to_numpy(),
            "text": frame[text_col].to_numpy(),
            "moderated": moderated,
            "is_meta": is_meta.to_numpy(),
        }
    )
    return out.sort_values("statement", kind="stable").reset_index(drop=True)


_STATEMENT_ALIASES = {"comment-body": "comment-body", "metadata": "is-meta", "seed": "is-seed"}


def read_statement_columns(path: str | Path) -> dict | None:
    """:func:`read_statements`' columns read with the csv module (no pandas), or None.

    Returns ``{"statement", "text", "moderated", "is_meta"}`` (NumPy arrays
    but ``text``, a list), sorted by statement as :func:`read_statements`
    sorts them; None when anything is irregular (ragged rows, a bad value,
    ids that are not all whole numbers), for :func:`read_statements` to
    read with its checks.
    """
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [row for row in csv.reader(fh) if row]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if len(rows) < 1:
        return None
    header = [_STATEMENT_ALIASES.get(k, k) for k in (_key(c) for c in rows[0])]
    body = rows[1:]
    if len(set(header)) != len(header) or any(len(r) != len(header) for r in body):
        return None
    if {"comment-id", "comment-body"} <= set(header):
        id_col, text_col = "comment-id", "comment-body"
    elif {"statement", "text"} <= set(header):
        id_col, text_col = "statement", "text"
    else:
        return None
    try:
        ids = [_whole(r[header.index(id_col)]) for r in body]
        if "moderated" in header:
            at = header.index("moderated")
            moderated = [_whole(r[at]) for r in body]
        else:
            moderated = [0] * len(body)
    except ValueError:
        return None
    if any(v not in (-1, 0, 1) for v in moderated):
        return None
    if "is-meta" in header:
        at = header.index("is-meta")
        is_meta = [r[at].strip().lower() in ("true", "t", "1", "yes") for r in body]
    else:
        is_meta = [False] * len(body)
    at = header.index(text_col)
    order = np.argsort(np.array(ids, dtype=np.int64), kind="stable")
    return {
        "statement": np.array(ids, dtype=np.int64)[order],
        "text": [body[i][at] for i in order],
        "moderated": np.array(moderated, dtype=np.int64)[order],
        "is_meta": np.array(is_meta, dtype=bool)[order],
    }


def _whole(text: str) -> int:
    """A whole number written as pandas' reader writes it (``7``, ``7.0``), else ValueError."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        if "_" in text:
            raise
        value = float(text)
        if not math.isfinite(value) or value != round(value) or abs(value) > 2**53:
            raise ValueError(text) from None
        return int(value)
