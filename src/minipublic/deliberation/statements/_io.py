"""Readers for vote and statement files: Polis exports and minipublic's own format.

Formats recognised from the header row:

- minipublic votes: ``participant,statement,vote[,timestamp]``;
- Polis ``votes.csv``: ``timestamp,datetime,comment-id,voter-id,vote``;
- Polis ``participants-votes.csv``: ``participant,group-id,n-comments,n-votes,
  n-agree,n-disagree`` then one column per statement id (1 / -1 / 0 / empty);
- minipublic statements: ``statement,text[,moderated]``;
- Polis ``comments.csv``: ``comment-id,comment-body,moderated`` among others.

In Polis exports ``moderated`` is ``1`` (accepted), ``0`` (not yet moderated)
or ``-1`` (moderated out); only ``-1`` removes a statement from the map.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from minipublic.errors import InputError

__all__ = ["read_votes", "read_statements", "read_polis_groups"]

_PV_FIXED = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    except FileNotFoundError as exc:
        raise InputError("file not found", file=str(path)) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV file ({exc})", file=str(path)) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError("the file is empty", file=str(path)) from exc


def _int_column(frame: pd.DataFrame, column: str, file: str) -> pd.Series:
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


def detect_vote_format(columns) -> str:
    """``"minipublic"``, ``"polis-votes"`` or ``"polis-participants-votes"``."""
    cols = [c.strip() for c in columns]
    if cols[:2] == ["participant", "group-id"]:
        return "polis-participants-votes"
    if {"comment-id", "voter-id", "vote"} <= set(cols):
        return "polis-votes"
    if {"participant", "statement", "vote"} <= set(cols):
        return "minipublic"
    raise InputError(
        "header not recognised: expected participant,statement,vote "
        "or a Polis votes.csv / participants-votes.csv",
        row=1,
    )


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
    frame = _read_csv(path)
    frame.columns = [c.strip() for c in frame.columns]
    try:
        kind = detect_vote_format(frame.columns)
    except InputError as exc:
        raise InputError(exc.message, file=file, row=1) from exc
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
    stmt_cols = [c for c in frame.columns if c not in _PV_FIXED]
    parts = []
    for column in stmt_cols:
        try:
            statement = int(column)
        except ValueError as exc:
            raise InputError(
                f"statement column {column!r} is not a comment id", file=file, row=1, column=column
            ) from exc
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
    path = Path(path)
    frame = _read_csv(path)
    frame.columns = [c.strip() for c in frame.columns]
    if list(frame.columns[:2]) != ["participant", "group-id"]:
        raise InputError("not a Polis participants-votes.csv", file=str(path), row=1)
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
        no such column).
    """
    path = Path(path)
    file = str(path)
    frame = _read_csv(path)
    frame.columns = [c.strip() for c in frame.columns]
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
    out = pd.DataFrame(
        {"statement": ids.to_numpy(), "text": frame[text_col].to_numpy(), "moderated": moderated}
    )
    return out.sort_values("statement", kind="stable").reset_index(drop=True)
