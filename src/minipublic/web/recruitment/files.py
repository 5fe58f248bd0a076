"""Reading uploaded address and weight files (bytes, as the site receives them).

The stage-one lottery itself is the sortition core's
:func:`minipublic.sortition.invite`; the core's readers
(:func:`~minipublic.sortition.read_addresses`,
:func:`~minipublic.sortition.read_weights`) take a path on disk, while an
upload arrives as bytes with the user's file name, so these read the bytes
and report every :class:`~minipublic.errors.InputError` with that file name,
row (header = row 1) and column. They also do what only the site needs: the
household key that makes a duplicate address an error, and the street used
by the door-knocking list.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd

from minipublic.errors import InputError
from minipublic.sortition import normalise_address

__all__ = ["read_address_table", "read_area_weights"]


#: Most columns an uploaded file may have. Address, weight and people files
#: need a handful; a file 10 000 columns wide took 8-17 s to read and made the
#: quota page 1.5 MB, so wider files are refused with a plain message.
MAX_COLUMNS = 200


def _too_wide(n: int, name: str) -> InputError:
    return InputError(
        f"the file has {n} columns; at most {MAX_COLUMNS} are accepted "
        "(keep only the columns you need)",
        file=name,
        row=1,
    )


def _read_frame(data: bytes, name: str) -> pd.DataFrame:
    """Read CSV or XLSX bytes as strings; :class:`InputError` when unreadable or too wide."""
    lower = name.lower()
    try:
        if lower.endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(io.BytesIO(data), dtype=str)
        else:
            text = data.decode("utf-8-sig")
            # Count the header's columns before reading every row.
            header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
            if len(header) > MAX_COLUMNS:
                raise _too_wide(len(header), name)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text; save it as CSV UTF-8", file=name) from None
    except Exception as exc:  # pandas raises many types for malformed files
        raise InputError(f"cannot read the file ({exc})", file=name) from None
    if len(frame.columns) > MAX_COLUMNS:
        raise _too_wide(len(frame.columns), name)
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].astype(str).str.strip()
    _refuse_nul(frame, name)
    return frame


NUL_MESSAGE = "the cell holds a NUL character (a control character text cannot hold); remove it"


def _refuse_nul(frame: pd.DataFrame, name: str) -> None:
    """A NUL character anywhere is an error naming its cell (PostgreSQL cannot store one)."""
    for col in frame.columns:
        if "\x00" in col:
            raise InputError(NUL_MESSAGE, file=name, row=1, column=col.replace("\x00", ""))
        hits = np.flatnonzero(frame[col].str.contains("\x00", regex=False).to_numpy())
        if len(hits):
            raise InputError(NUL_MESSAGE, file=name, row=int(hits[0]) + 2, column=col)


def read_address_table(data: bytes, name: str, *, area_column: str = "area") -> pd.DataFrame:
    """Read an uploaded address file (CSV or XLSX) into ``address, street, postcode, area, row``.

    Required columns: ``address`` and the area column (default ``area``);
    optional ``street`` and ``postcode``. Column names are matched without
    regard to case. Each empty ``address`` or ``area`` cell is an
    :class:`~minipublic.errors.InputError` naming its row (header = row 1);
    the first bad row is reported. Duplicate addresses (after
    :func:`~minipublic.sortition.normalise_address`) are an error too: one
    household, one chance.
    """
    frame = _read_frame(data, name)
    lookup = {c.lower(): c for c in frame.columns}
    wanted = {"address": "address", "area": area_column.strip().lower()}
    for col in wanted.values():
        if col not in lookup:
            raise InputError(
                f"no {col!r} column; the columns are {', '.join(frame.columns) or 'none'}",
                file=name,
                column=col,
            )
    if frame.empty:
        raise InputError("the file has no rows of addresses", file=name)
    out = pd.DataFrame(
        {
            "address": frame[lookup["address"]],
            "street": frame[lookup["street"]] if "street" in lookup else "",
            "postcode": frame[lookup["postcode"]] if "postcode" in lookup else "",
            "area": frame[lookup[wanted["area"]]],
        }
    )
    out["row"] = np.arange(2, len(out) + 2)
    for key in ("address", "area"):
        empty = out.index[out[key] == ""]
        if len(empty):
            row = int(out.loc[empty[0], "row"])
            raise InputError(f"the {key} is empty", file=name, row=row, column=lookup[wanted[key]])
    out["household_key"] = [
        normalise_address(f"{a} {p}") for a, p in zip(out["address"], out["postcode"], strict=True)
    ]
    dup = out["household_key"].duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        first = out.index[out["household_key"] == out["household_key"].iloc[i]][0]
        raise InputError(
            f"address {out['address'].iloc[i]!r} is listed twice (also row "
            f"{int(out.loc[first, 'row'])})",
            file=name,
            row=int(out["row"].iloc[i]),
            column=lookup["address"],
        )
    out["street"] = [s or _street_of(a) for s, a in zip(out["street"], out["address"], strict=True)]
    return out.reset_index(drop=True)


def _street_of(address: str) -> str:
    """Guess the street from ``"12 High Street, Aberwen"``: the first part without the number."""
    first = address.split(",")[0].strip()
    parts = first.split(" ", 1)
    if len(parts) == 2 and any(ch.isdigit() for ch in parts[0]):
        return parts[1].strip()
    return first


def read_area_weights(data: bytes, name: str) -> dict[str, float]:
    """Read ``area, weight`` rows (CSV or XLSX); :class:`InputError` names a bad row.

    Weights must be positive numbers (for example an index of deprivation
    rescaled so that 1 means "proportional").
    """
    frame = _read_frame(data, name)
    lookup = {c.lower(): c for c in frame.columns}
    for col in ("area", "weight"):
        if col not in lookup:
            raise InputError(
                f"no {col!r} column; the columns are {', '.join(frame.columns) or 'none'}",
                file=name,
                column=col,
            )
    weights: dict[str, float] = {}
    for i, (area, raw) in enumerate(
        zip(frame[lookup["area"]], frame[lookup["weight"]], strict=True), start=2
    ):
        if not area:
            raise InputError("the area is empty", file=name, row=i, column=lookup["area"])
        try:
            w = float(raw)
        except ValueError:
            raise InputError(
                f"weight {raw!r} is not a number", file=name, row=i, column=lookup["weight"]
            ) from None
        if not (math.isfinite(w) and w > 0):
            raise InputError(
                f"weight {raw!r} must be more than 0", file=name, row=i, column=lookup["weight"]
            )
        if area in weights:
            raise InputError(f"area {area!r} is listed twice", file=name, row=i, column="area")
        weights[area] = w
    if not weights:
        raise InputError("the file has no rows", file=name)
    return weights
