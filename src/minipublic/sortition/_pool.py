"""Pool of registrants and quotas: data model, readers and validation.

The formats are those delivery bodies already use with the Sortition
Foundation's tools: a people file with an id column and one column per
feature, and a categories file with the columns ``feature,value,min,max``
(the older header ``category,name,min,max`` and the extra ``min_flex`` /
``max_flex`` columns are accepted; the flex columns are ignored).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from minipublic.errors import InputError, csv_parse_error

__all__ = [
    "Pool",
    "Quota",
    "Quotas",
    "normalise_address",
    "pool_from_frame",
    "quotas_from_frame",
    "read_pool",
    "read_quotas",
]

_ID_CANDIDATES = ("id", "person_id", "nationbuilder_id", "primary_id")


@dataclass(frozen=True)
class Quota:
    """Bounds on how many panel members have one value of one feature.

    Attributes
    ----------
    feature : str
        Column of the people file, e.g. ``"age"``.
    value : str
        One value of that column, e.g. ``"16-24"``.
    min, max : int
        At least ``min`` and at most ``max`` panel members have this value.
    row : int or None
        Row of the categories file this quota came from (header = row 1).
    """

    feature: str
    value: str
    min: int
    max: int
    row: int | None = None

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {"feature": self.feature, "value": self.value, "min": self.min, "max": self.max}


@dataclass(frozen=True)
class Quotas:
    """All quotas for a panel, grouped by feature.

    Attributes
    ----------
    quotas : tuple of Quota
        One per (feature, value), in file order.
    source : str or None
        File name the quotas were read from.
    sha256 : str or None
        SHA-256 of that file's bytes (recorded in run manifests).
    """

    quotas: tuple[Quota, ...]
    source: str | None = None
    sha256: str | None = None

    @property
    def features(self) -> list[str]:
        """Feature names in file order."""
        seen: dict[str, None] = {}
        for q in self.quotas:
            seen.setdefault(q.feature, None)
        return list(seen)

    def values(self, feature: str) -> list[str]:
        """The values of ``feature`` that have a quota."""
        return [q.value for q in self.quotas if q.feature == feature]

    def get(self, feature: str, value: str) -> Quota:
        """The quota of one (feature, value)."""
        for q in self.quotas:
            if q.feature == feature and q.value == value:
                return q
        raise KeyError((feature, value))

    def to_frame(self) -> pd.DataFrame:
        """``feature,value,min,max`` table, the categories-file format."""
        return pd.DataFrame(
            [q.to_dict() for q in self.quotas], columns=["feature", "value", "min", "max"]
        )

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {
            "quotas": [q.to_dict() for q in self.quotas],
            "source": self.source,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, eq=False)
class Pool:
    """The registrants a panel is drawn from.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per person, every cell a string, in file order. The id column
        is ``id_column``; the other columns are features or kept for output.
    id_column : str
        Name of the id column.
    household_columns : tuple of str
        Columns whose normalised values form the household (address) key;
        empty when the one-per-household rule is not used.
    source : str or None
        File name the pool was read from.
    sha256 : str or None
        SHA-256 of that file's bytes.
    """

    table: pd.DataFrame
    id_column: str
    household_columns: tuple[str, ...] = ()
    source: str | None = None
    sha256: str | None = None
    _households: tuple[str, ...] | None = field(default=None, repr=False)

    @property
    def ids(self) -> list[str]:
        """Person ids in file order."""
        return self.table[self.id_column].tolist()

    def __len__(self) -> int:
        return len(self.table)

    @property
    def households(self) -> list[str] | None:
        """Normalised household key per person, or None without the household rule."""
        if not self.household_columns:
            return None
        parts = [self.table[c].map(normalise_address) for c in self.household_columns]
        key = parts[0]
        for p in parts[1:]:
            key = key + "|" + p
        return key.tolist()

    def subset(self, ids: Iterable[str]) -> Pool:
        """The pool restricted to ``ids`` (file order kept)."""
        wanted = set(ids)
        table = self.table[self.table[self.id_column].isin(wanted)].reset_index(drop=True)
        return Pool(table, self.id_column, self.household_columns, self.source, self.sha256)

    def to_dict(self) -> dict:
        """JSON-able summary (not the personal data)."""
        return {
            "n_people": len(self),
            "id_column": self.id_column,
            "household_columns": list(self.household_columns),
            "source": self.source,
            "sha256": self.sha256,
        }


def normalise_address(value: str) -> str:
    """Normalise an address or postcode for the household rule.

    Lower case, punctuation removed, runs of spaces collapsed, so that
    ``"12  High St."`` and ``"12 high st"`` are the same household.

    Examples
    --------
    >>> normalise_address("  12  High St., ")
    '12 high st'
    """
    text = re.sub(r"[^\w\s]", " ", str(value).lower())
    return " ".join(text.split())


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str)
        else:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig"
            )
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=path.name) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise csv_parse_error(exc, file=path.name) from None
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.shape[1] == 0 or len(frame) == 0:
        raise InputError("the file is empty (no data rows)", file=path.name)
    return frame


def read_pool(
    path: str | Path,
    *,
    id_column: str | None = None,
    household_columns: str | Iterable[str] | None = None,
    sheet: str | int | None = None,
) -> Pool:
    """Read a people file (CSV or XLSX).

    Parameters
    ----------
    path : str or Path
        People file: an id column and one column per feature (more columns,
        such as names, are kept for output).
    id_column : str, optional
        Name of the id column. Default: the first of ``id``, ``person_id``,
        ``nationbuilder_id``, ``primary_id`` present, else the first column.
    household_columns : str or list of str, optional
        Column(s) forming the household key (e.g. ``"address"`` or
        ``["address1", "postcode"]``); a string may list several separated by
        commas. When given, at most one person per household can be selected.
    sheet : str or int, optional
        Worksheet of an XLSX file (default the first).

    Returns
    -------
    Pool

    Raises
    ------
    InputError
        Empty file, missing id column, empty or duplicate id (naming the rows).
    """
    path = Path(path)
    frame = _read_table(path, sheet=sheet)
    return pool_from_frame(
        frame,
        id_column=id_column,
        household_columns=household_columns,
        source=path.name,
        sha256=_sha256_file(path),
    )


def pool_from_frame(
    frame: pd.DataFrame,
    *,
    id_column: str | None = None,
    household_columns: str | Iterable[str] | None = None,
    source: str | None = None,
    sha256: str | None = None,
) -> Pool:
    """Build a :class:`Pool` from a DataFrame (one row per person).

    See :func:`read_pool` for the parameters. Every cell is turned into a
    stripped string.
    """
    name = source or "people"
    if frame is None or len(frame) == 0 or frame.shape[1] == 0:
        raise InputError("the people table is empty", file=name)
    table = frame.copy()
    table.columns = [str(c).strip() for c in table.columns]
    table = table.fillna("").astype(str).apply(lambda s: s.str.strip())
    table = table.reset_index(drop=True)
    if id_column is None:
        lower = {c.lower(): c for c in table.columns}
        id_column = next((lower[c] for c in _ID_CANDIDATES if c in lower), table.columns[0])
    if id_column not in table.columns:
        raise InputError(f"no id column {id_column!r}", file=name, row=1, column=id_column)
    ids = table[id_column]
    for i, v in enumerate(ids):
        if v == "":
            raise InputError("empty id", file=name, row=i + 2, column=id_column)
    dup = ids.duplicated(keep=False)
    if dup.any():
        first = ids[dup].iloc[0]
        # Compared in Python: NumPy's string scalars drop trailing NUL characters.
        rows = [i + 2 for i, v in enumerate(ids) if v == first]
        raise InputError(
            f"duplicate id {first!r} (rows {', '.join(map(str, rows))})",
            file=name,
            row=rows[1],
            column=id_column,
        )
    if household_columns is None:
        hh: tuple[str, ...] = ()
    elif isinstance(household_columns, str):
        hh = tuple(c.strip() for c in household_columns.split(",") if c.strip())
    else:
        hh = tuple(household_columns)
    for c in hh:
        if c not in table.columns:
            raise InputError(f"no household column {c!r}", file=name, row=1, column=c)
    return Pool(table, id_column, hh, source, sha256)


def read_quotas(path: str | Path, *, sheet: str | int | None = None) -> Quotas:
    """Read a categories file ``feature,value,min,max`` (CSV or XLSX).

    Parameters
    ----------
    path : str or Path
        The categories file. Header ``feature,value,min,max`` (or the older
        ``category,name,min,max``); ``min_flex``/``max_flex`` are ignored.
    sheet : str or int, optional
        Worksheet of an XLSX file.

    Returns
    -------
    Quotas

    Raises
    ------
    InputError
        Missing column, non-numeric or negative bound, min > max, a
        (feature, value) listed twice, empty file.
    """
    path = Path(path)
    frame = _read_table(path, sheet=sheet)
    return quotas_from_frame(frame, source=path.name, sha256=_sha256_file(path))


def quotas_from_frame(
    frame: pd.DataFrame, *, source: str | None = None, sha256: str | None = None
) -> Quotas:
    """Build :class:`Quotas` from a ``feature,value,min,max`` DataFrame.

    See :func:`read_quotas`.
    """
    name = source or "categories"
    if frame is None or len(frame) == 0:
        raise InputError("the categories table is empty", file=name)
    table = frame.copy()
    table.columns = [str(c).strip().lower() for c in table.columns]
    table = table.rename(columns={"category": "feature", "name": "value"})
    for col in ("feature", "value", "min", "max"):
        if col not in table.columns:
            raise InputError(
                f"missing column {col!r} (expected feature,value,min,max)",
                file=name,
                row=1,
                column=col,
            )
    quotas: list[Quota] = []
    seen: dict[tuple[str, str], int] = {}
    for i, rec in enumerate(table.to_dict("records")):
        row = i + 2
        feature = str(rec["feature"]).strip() if not pd.isna(rec["feature"]) else ""
        value = str(rec["value"]).strip() if not pd.isna(rec["value"]) else ""
        if feature == "" and value == "" and all(_blank(rec[c]) for c in ("min", "max")):
            continue
        if feature == "":
            raise InputError("empty feature", file=name, row=row, column="feature")
        if value == "":
            raise InputError("empty value", file=name, row=row, column="value")
        bounds = {}
        for col in ("min", "max"):
            raw = rec[col]
            try:
                num = float(str(raw).strip())
            except ValueError:
                raise InputError(
                    f"{col} {str(raw)!r} is not a whole number", file=name, row=row, column=col
                ) from None
            # inf ("1e400") and nan are not whole numbers either (int() would raise).
            if not math.isfinite(num) or num != int(num) or num < 0:
                raise InputError(
                    f"{col} {str(raw)!r} is not a whole number >= 0",
                    file=name,
                    row=row,
                    column=col,
                )
            bounds[col] = int(num)
        if bounds["min"] > bounds["max"]:
            raise InputError(
                f"min {bounds['min']} is more than max {bounds['max']}",
                file=name,
                row=row,
                column="min",
            )
        key = (feature, value)
        if key in seen:
            raise InputError(
                f"{feature}={value} is listed twice (rows {seen[key]} and {row})",
                file=name,
                row=row,
                column="value",
            )
        seen[key] = row
        quotas.append(Quota(feature, value, bounds["min"], bounds["max"], row))
    if not quotas:
        raise InputError("the categories table is empty", file=name)
    return Quotas(tuple(quotas), source, sha256)


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and pd.isna(x)) or str(x).strip() == ""


def check_pool_quotas(pool: Pool, quotas: Quotas) -> None:
    """Check that the pool and the quotas fit together.

    Every quota feature must be a column of the people file, and every
    person's value of a quota feature must have a quota.

    Raises
    ------
    InputError
        Naming the categories row of an unknown feature, or the people row
        and column of a value with no quota.
    """
    pname = pool.source or "people"
    qname = quotas.source or "categories"
    for feature in quotas.features:
        if feature not in pool.table.columns:
            q = next(q for q in quotas.quotas if q.feature == feature)
            raise InputError(
                f"unknown feature {feature!r}: the people file has no such column",
                file=qname,
                row=q.row,
                column="feature",
            )
        allowed = set(quotas.values(feature))
        col = pool.table[feature]
        bad = ~col.isin(allowed)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                f"value {col.iloc[i]!r} of {feature} has no quota in {qname}",
                file=pname,
                row=i + 2,
                column=feature,
            )
