"""Readers for the table-plan CSV files; errors name the file, row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minipublic.errors import InputError, csv_parse_error


def _read(path: str | Path, required: tuple[str, ...]) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, dtype=str)
        else:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig"
            )
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=path.name) from None
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise csv_parse_error(exc, file=path.name) from None
    frame = frame.fillna("")
    frame.columns = [
        str(c).strip().lower() if str(c).strip().lower() in required else str(c).strip()
        for c in frame.columns
    ]
    for col in required:
        if col not in frame.columns:
            raise InputError(
                f"no {col!r} column (the header must include {', '.join(required)})",
                file=path.name,
                row=1,
                column=col,
            )
    frame = frame.astype(str).apply(lambda s: s.str.strip())
    frame.attrs["source"] = path.name
    return frame


def _int(value: str, *, file: str, row: int, column: str, low: int, high: int | None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise InputError(
            f"{value!r} is not a whole number", file=file, row=row, column=column
        ) from None
    if number < low or (high is not None and number > high):
        span = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise InputError(f"{number} is not {span}", file=file, row=row, column=column)
    return number


def read_members(path: str | Path) -> pd.DataFrame:
    """Read a members file (CSV or XLSX) with an ``id`` column and feature columns.

    Every cell is a stripped string; ``frame.attrs["source"]`` holds the file
    name so later errors can name it. Empty or duplicate ids are reported
    with their rows.
    """
    frame = _read(path, ("id",))
    name = frame.attrs["source"]
    if len(frame) == 0:
        raise InputError("the file has no data rows", file=name)
    seen: dict[str, int] = {}
    for i, v in enumerate(frame["id"]):
        if not v:
            raise InputError("empty id", file=name, row=i + 2, column="id")
        if v in seen:
            raise InputError(
                f"duplicate id {v!r} (rows {seen[v] + 2} and {i + 2})",
                file=name,
                row=i + 2,
                column="id",
            )
        seen[v] = i
    return frame


def read_apart(path: str | Path, *, known: set[str] | None = None) -> list[tuple[str, str]]:
    """Read pairs who must not share a table: columns ``id1,id2`` (one pair a row)."""
    frame = _read(path, ("id1", "id2"))
    name = frame.attrs["source"]
    pairs = []
    for i, (a, b) in enumerate(zip(frame["id1"], frame["id2"], strict=True)):
        for col, v in (("id1", a), ("id2", b)):
            if not v:
                raise InputError("empty id", file=name, row=i + 2, column=col)
            if known is not None and v not in known:
                raise InputError(f"unknown id {v!r}", file=name, row=i + 2, column=col)
        if a == b:
            raise InputError(f"{a!r} is paired with itself", file=name, row=i + 2, column="id2")
        pairs.append((a, b))
    return pairs


def read_pins(
    path: str | Path,
    *,
    known: set[str] | None = None,
    tables: int | None = None,
    rounds: int | None = None,
) -> dict[tuple[int, str], int]:
    """Read seats pinned by hand: columns ``round,id,table`` (1-based).

    A blank or ``*`` round pins the member to that table in every round (which
    needs ``rounds``).
    """
    frame = _read(path, ("round", "id", "table"))
    name = frame.attrs["source"]
    pins: dict[tuple[int, str], int] = {}
    for i, row in enumerate(frame[["round", "id", "table"]].itertuples(index=False)):
        where = {"file": name, "row": i + 2}
        if not row.id:
            raise InputError("empty id", column="id", **where)
        if known is not None and row.id not in known:
            raise InputError(f"unknown id {row.id!r}", column="id", **where)
        table = _int(row.table, column="table", low=1, high=tables, **where)
        if row.round in ("", "*"):
            if rounds is None:
                raise InputError("a round number is needed", column="round", **where)
            which = range(1, rounds + 1)
        else:
            which = [_int(row.round, column="round", low=1, high=rounds, **where)]
        for r in which:
            if (r, row.id) in pins and pins[r, row.id] != table:
                raise InputError(
                    f"{row.id!r} is pinned to two tables in round {r}", column="table", **where
                )
            pins[r, row.id] = table
    return pins


def read_facilitators(
    path: str | Path, *, members: set[str] | None = None, tables: int | None = None
) -> dict[str, int]:
    """Read facilitators and their tables: columns ``id,table`` (1-based)."""
    frame = _read(path, ("id", "table"))
    name = frame.attrs["source"]
    out: dict[str, int] = {}
    for i, (fid, t) in enumerate(zip(frame["id"], frame["table"], strict=True)):
        where = {"file": name, "row": i + 2}
        if not fid:
            raise InputError("empty id", column="id", **where)
        if members is not None and fid in members:
            raise InputError(f"facilitator {fid!r} is also a member", column="id", **where)
        if fid in out:
            raise InputError(f"facilitator {fid!r} is listed twice", column="id", **where)
        out[fid] = _int(t, column="table", low=1, high=tables, **where)
    return out


def read_plan(path: str | Path, *, known: set[str] | None = None):
    """Read a ``plan.csv`` (``round,table,id``) back into a :class:`TablePlan` to re-seat.

    Only the seating is read; scores are recomputed by :func:`reseat`.
    """
    from minipublic.deliberation.tables._plan import TablePlan

    frame = _read(path, ("round", "table", "id"))
    name = frame.attrs["source"]
    rows = []
    seen: set[tuple[int, str]] = set()
    for i, row in enumerate(frame[["round", "table", "id"]].itertuples(index=False)):
        where = {"file": name, "row": i + 2}
        r = _int(row.round, column="round", low=1, high=None, **where)
        t = _int(row.table, column="table", low=1, high=None, **where)
        if not row.id:
            raise InputError("empty id", column="id", **where)
        if known is not None and row.id not in known:
            raise InputError(f"{row.id!r} is not in the members file", column="id", **where)
        if (r, row.id) in seen:
            raise InputError(f"{row.id!r} is seated twice in round {r}", column="id", **where)
        seen.add((r, row.id))
        rows.append((r, t, row.id))
    if not rows:
        raise InputError("the plan has no rows", file=name)
    assignment = pd.DataFrame(rows, columns=["round", "table", "id"])
    return TablePlan(
        assignment=assignment,
        tables=int(assignment["table"].max()),
        rounds=int(assignment["round"].max()),
        seed=0,
        repeat_meetings=0,
        repeat_lower_bound=0,
        pairs_met=0,
        pairs_possible=0,
        mixing=pd.DataFrame(),
        method=f"read from {name}",
    )
