"""Reading and checking survey answers and the scales file (the data contract).

The data contract (``docs/evaluation.md``):

``responses`` — one row per person x wave, columns ``person``, ``wave``,
``arm`` (``member`` / ``comparison`` / ``public``), ``selection_probability``,
then one column per item (an empty cell is a missing answer). Extra columns
(for example a registration answer such as ``reason_no_point``) are kept and
ignored unless an analysis names them.

``scales`` — one row per item, columns ``scale, level, item, reverse, min, max``;
``level`` is ``macro``, ``meso`` or ``micro``; reverse keying maps ``x`` to
``min + max - x``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from minipublic.errors import InputError

RESPONSE_KEYS = ("person", "wave", "arm", "selection_probability")
SCALE_COLUMNS = ("scale", "level", "item", "reverse", "min", "max")
ARMS = ("member", "comparison", "public")
LEVELS = ("macro", "meso", "micro")


def _read_csv(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    try:
        return pd.read_csv(path, dtype={"person": str, "wave": str, "arm": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read as CSV ({exc})", file=str(path)) from exc


def read_scales(path: str | Path) -> pd.DataFrame:
    """Read and check ``scales.csv``.

    Parameters
    ----------
    path : str or Path
        CSV with columns ``scale, level, item, reverse, min, max``.

    Returns
    -------
    pandas.DataFrame
        The checked scales table (``reverse`` as bool, ``min``/``max`` as float).

    Raises
    ------
    minipublic.errors.InputError
        Naming the file, row and column of the first problem.
    """
    return check_scales(_read_csv(path), file=str(path))


def read_responses(path: str | Path, scales: pd.DataFrame) -> pd.DataFrame:
    """Read and check the long responses CSV against a checked scales table.

    Parameters
    ----------
    path : str or Path
        CSV with ``person, wave, arm, selection_probability`` and one column per item.
    scales : pandas.DataFrame
        Output of :func:`read_scales` or :func:`check_scales`.

    Returns
    -------
    pandas.DataFrame
        The checked responses (items as float, NaN for a missing answer).
    """
    return check_responses(_read_csv(path), scales, file=str(path))


def check_scales(scales: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Check a scales table and return a normalised copy.

    Parameters
    ----------
    scales : pandas.DataFrame
        Columns ``scale, level, item, reverse, min, max``, one row per item.
    file : str, optional
        File name used in error messages.

    Returns
    -------
    pandas.DataFrame
    """
    if not isinstance(scales, pd.DataFrame):
        raise InputError("scales must be a table (pandas DataFrame)", file=file)
    for col in SCALE_COLUMNS:
        if col not in scales.columns:
            raise InputError(
                f"missing column {col!r}; expected {', '.join(SCALE_COLUMNS)}", file=file, row=1
            )
    if len(scales) == 0:
        raise InputError("no items", file=file)
    out = scales.loc[:, list(SCALE_COLUMNS)].copy().reset_index(drop=True)
    seen: set[str] = set()
    for i, rec in enumerate(out.itertuples(index=False)):
        row = i + 2
        for col in ("scale", "item"):
            val = getattr(rec, col)
            if not isinstance(val, str) or not val.strip():
                raise InputError(
                    f"{col} must be a non-empty name, got {val!r}", file=file, row=row, column=col
                )
        if rec.item in seen:
            raise InputError(f"item {rec.item!r} listed twice", file=file, row=row, column="item")
        if rec.item in RESPONSE_KEYS:
            raise InputError(
                f"item name {rec.item!r} is reserved", file=file, row=row, column="item"
            )
        seen.add(rec.item)
        if rec.level not in LEVELS:
            raise InputError(
                f"level must be one of {', '.join(LEVELS)}, got {rec.level!r}",
                file=file,
                row=row,
                column="level",
            )
        if str(rec.reverse).strip() not in ("0", "1", "0.0", "1.0", "True", "False"):
            raise InputError(
                f"reverse must be 1 or 0, got {rec.reverse!r}", file=file, row=row, column="reverse"
            )
        for col in ("min", "max"):
            try:
                v = float(getattr(rec, col))
            except (TypeError, ValueError):
                v = np.nan
            if not np.isfinite(v):
                raise InputError(
                    f"{col} must be a number, got {getattr(rec, col)!r}",
                    file=file,
                    row=row,
                    column=col,
                )
        if float(rec.min) >= float(rec.max):
            raise InputError(
                f"min {rec.min} is not less than max {rec.max}", file=file, row=row, column="min"
            )
    out["reverse"] = out["reverse"].astype(str).str.strip().isin(["1", "1.0", "True"])
    out["min"] = out["min"].astype(float)
    out["max"] = out["max"].astype(float)
    levels = out.groupby("scale")["level"].nunique()
    bad = levels[levels > 1]
    if len(bad):
        name = bad.index[0]
        row = int(np.flatnonzero(out["scale"].to_numpy() == name)[0]) + 2
        raise InputError(
            f"scale {name!r} is given more than one level", file=file, row=row, column="level"
        )
    return out


def check_responses(
    responses: pd.DataFrame, scales: pd.DataFrame, *, file: str | None = None
) -> pd.DataFrame:
    """Check a long responses table against a checked scales table.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per person x wave (see the module docstring).
    scales : pandas.DataFrame
        A checked scales table.
    file : str, optional
        File name used in error messages.

    Returns
    -------
    pandas.DataFrame
        A copy with items as float and ``selection_probability`` as float.
    """
    if not isinstance(responses, pd.DataFrame):
        raise InputError("responses must be a table (pandas DataFrame)", file=file)
    for col in RESPONSE_KEYS:
        if col not in responses.columns:
            raise InputError(f"missing column {col!r}", file=file, row=1)
    items = list(scales["item"])
    for item in items:
        if item not in responses.columns:
            raise InputError(f"item {item!r} from the scales file has no column", file=file, row=1)
    out = responses.reset_index(drop=True).copy()
    for col in ("person", "wave"):
        na = out[col].isna().to_numpy()
        if na.any():
            raise InputError(
                f"{col} is empty", file=file, row=int(np.flatnonzero(na)[0]) + 2, column=col
            )
        out[col] = out[col].astype(str)
    arm = out["arm"].astype(str)
    bad = ~arm.isin(ARMS).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"arm must be one of {', '.join(ARMS)}, got {out['arm'].iloc[i]!r}",
            file=file,
            row=i + 2,
            column="arm",
        )
    out["arm"] = arm
    p = pd.to_numeric(out["selection_probability"], errors="coerce").to_numpy(dtype=float)
    is_member = (arm == "member").to_numpy()
    is_comparison = (arm == "comparison").to_numpy()
    # Members' weight is 1 whatever p is (p = 1 is possible); a volunteer's weight is
    # the odds p / (1 - p), which needs 0 < p < 1.
    bad = (is_member & ~((p > 0) & (p <= 1))) | (is_comparison & ~((p > 0) & (p < 1)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            "selection_probability must be a number in (0, 1] for members and in (0, 1) for "
            f"comparison volunteers, got {out['selection_probability'].iloc[i]!r}",
            file=file,
            row=i + 2,
            column="selection_probability",
        )
    out["selection_probability"] = p
    dup = out.duplicated(["person", "wave"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(
            f"person {out['person'].iloc[i]!r} has two rows for wave {out['wave'].iloc[i]!r}",
            file=file,
            row=i + 2,
            column="person",
        )
    per_person = out.groupby("person").agg(
        n_arm=("arm", "nunique"),
        p_min=("selection_probability", "min"),
        p_max=("selection_probability", "max"),
    )
    diff = per_person[
        (per_person.n_arm > 1) | ~np.isclose(per_person.p_min, per_person.p_max, equal_nan=True)
    ]
    if len(diff):
        name = diff.index[0]
        i = int(np.flatnonzero(out["person"].to_numpy() == name)[-1])
        raise InputError(
            f"person {name!r} changes arm or selection_probability between waves",
            file=file,
            row=i + 2,
            column="selection_probability",
        )
    for rec in scales.itertuples(index=False):
        raw = out[rec.item]
        vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(vals) & raw.notna().to_numpy()
        bad |= ~np.isnan(vals) & ((vals < rec.min) | (vals > rec.max))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"answer {raw.iloc[i]!r} is not a number from {rec.min:g} to {rec.max:g}",
                file=file,
                row=i + 2,
                column=rec.item,
            )
        out[rec.item] = vals
    return out


def keyed_items(responses: pd.DataFrame, scales: pd.DataFrame) -> pd.DataFrame:
    """Items with reverse keying applied (``x -> min + max - x``); trusts checked input."""
    cols = list(scales["item"])
    x = responses[cols].to_numpy(dtype=float, copy=True)
    rev = scales["reverse"].to_numpy(dtype=bool)
    lo = scales["min"].to_numpy(dtype=float)
    hi = scales["max"].to_numpy(dtype=float)
    x[:, rev] = (lo + hi)[rev] - x[:, rev]
    return pd.DataFrame(x, columns=cols, index=responses.index)


def wave_rows(responses: pd.DataFrame, wave: str, *, file: str | None = None) -> pd.DataFrame:
    """Rows of one wave, or an :class:`InputError` naming the waves present."""
    rows = responses[responses["wave"] == str(wave)]
    if len(rows) == 0:
        waves = ", ".join(sorted(responses["wave"].unique()))
        raise InputError(
            f"no rows for wave {wave!r}; waves present: {waves}", file=file, column="wave"
        )
    return rows
